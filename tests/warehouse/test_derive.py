"""derive.refresh: inbound pairs by the three rules of metrics.md, first replies, staleness, sentiment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from strategyfirst.plan import loads
from strategyfirst.warehouse import derive, sentiment
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import insert, msg, warehouse

PLAN = """
version: 1
accounts: {x: ["@Acme"], mastodon: ["acme"]}
tactics:
  - {id: care, serves: [dialogue], match: {accounts: ["@ACME"]}}
objectives: [{id: dialogue}]
"""


def _rows() -> list[dict[str, object]]:
    return [
        msg("p", "Acme", True, "2026-01-01 09:00", text="Our news"),
        msg("a", "u1", False, "2026-01-01 09:10", text="nice", reply_to="p"),  # (a) replies to Acme
        msg("b", "u2", False, "2026-01-01 10:00", text="question without a mention"),  # (b) Acme replies
        msg("r1", "Acme", True, "2026-01-01 10:45", text="answer", reply_to="b"),
        msg("r2", "Acme", True, "2026-01-01 10:15", text="earlier answer", reply_to="b"),
        msg("c", "u3", False, "2026-01-01 11:00", text="Hey @ACME, are you there?"),  # (c) mentions
        msg("d", "u4", False, "2026-01-01 11:00", text="@AcmeX is someone else"),  # not a mention of Acme
        msg("e", "u5", False, "2026-01-01 12:00", text="mail me: someone@acme"),  # an address, not a mention
        msg("f", "u6", False, "2026-01-01 13:00", text="too late?"),
        msg("g", "Acme", True, "2026-01-01 12:00", text="before", reply_to="f"),  # negative gap
        msg("m", "bob", False, "2026-01-01 14:00", text="hi @acme@mastodon.social", platform="mastodon"),
    ]


def test_inbound_pairs_follow_the_three_rules(tmp_path: Path) -> None:
    con = warehouse(tmp_path, _rows())
    derive.refresh(con, loads(PLAN).plan)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT message_id, account, first_reply_id, first_reply_minutes FROM inbound").fetchall()}
    assert got == {
        "x:a": ("acme", None, None),
        "x:b": ("acme", "x:r2", 15.0),  # the earliest of the two replies
        "x:c": ("acme", None, None),
        "x:f": ("acme", "x:g", -60.0),  # kept here; the metrics exclude it and data quality counts it
        "mastodon:m": ("acme", None, None),  # '@user@instance' mentions the plan's Mastodon account
    }
    con.close()


def test_of_replies_at_the_same_instant_the_first_is_the_least_id(tmp_path: Path) -> None:
    """Twcs times are to the second: two answers of one account at the same instant are both the earliest, and
    the pair names the least id of them, whatever order the rows were stored in (arg_min alone takes the first
    row it meets: here the later-stored least id would lose)."""
    rows = [msg("q", "u1", False, "2026-01-01 10:00", text="question"),
            msg("z9", "Acme", True, "2026-01-01 10:05", text="one", reply_to="q"),
            msg("a1", "Acme", True, "2026-01-01 10:05", text="two", reply_to="q"),
            msg("b0", "Acme", True, "2026-01-01 10:09", text="later", reply_to="q")]
    con = warehouse(tmp_path, rows)
    derive.refresh(con, loads(PLAN).plan)
    assert con.execute("SELECT first_reply_id, first_reply_minutes FROM inbound WHERE message_id = 'x:q'"
                       ).fetchall() == [("x:a1", 5.0)]
    con.close()


def test_a_message_addressing_several_accounts_has_one_pair_each(tmp_path: Path) -> None:
    """A reply to Gamma's post that mentions Acme (twice) and Beta, answered by Acme twice at the same second
    and once later: three pairs, Acme's with the least id of its earliest replies; Acme answering its own
    reply and a reply to no message found add none."""
    plan = loads("version: 1\naccounts: {x: ['@Acme', 'Beta', 'Gamma']}\nobjectives: [{id: dialogue}]\n").plan
    rows = [msg("p", "Gamma", True, "2026-01-01 09:00", text="news"),
            msg("q", "u1", False, "2026-01-01 10:00", text="@ACME and @beta. Hi @acme!", reply_to="p"),
            msg("r9", "Acme", True, "2026-01-01 10:05", text="one", reply_to="q"),
            msg("r1", "@acme", True, "2026-01-01 10:05", text="two", reply_to="q"),
            msg("r5", "Acme", True, "2026-01-01 10:30", text="later", reply_to="q"),
            msg("s", "Acme", True, "2026-01-01 10:40", text="self", reply_to="r1"),
            msg("o", "Acme", True, "2026-01-01 10:50", text="orphan", reply_to="gone"),
            msg("g", "u2", False, "2026-01-01 11:00", text="@gamma @beta"),  # mentions only
            msg("bg", "Gamma", True, "2026-01-01 11:10", text="hi", reply_to="g")]  # and Gamma replies
    con = warehouse(tmp_path, rows)
    derive.refresh(con, plan)
    got = sorted(con.execute("SELECT message_id, account, first_reply_id, first_reply_minutes FROM inbound"
                             ).fetchall())
    assert got == [("x:g", "beta", None, None), ("x:g", "gamma", "x:bg", 10.0),
                   ("x:q", "acme", "x:r1", 5.0), ("x:q", "beta", None, None), ("x:q", "gamma", None, None)]
    con.close()


def test_an_at_inside_a_link_is_no_mention(tmp_path: Path) -> None:
    """A Mastodon status linking to a status of the account (`https://indieweb.social/@acme/1107...`) does not
    address it: an '@' after a '/' or inside a `scheme://` word is part of a link. The account stored as
    `acme@indieweb.social` (as the outbox names it) is the plan's `acme`, which `@acme@indieweb.social` and
    `@acme` mention."""
    plan = loads("version: 1\naccounts: {mastodon: ['acme']}\nobjectives: [{id: dialogue}]\n").plan
    texts = {"l1": "@bob same https://indieweb.social/@acme/110741404733231657",
             "l2": "see indieweb.social/@acme/1 too", "l3": "https://example.org/?to=@acme&x=1",
             "l4": "medium.com/@acme", "l5": "a/@@acme",
             "m1": "hi @acme@indieweb.social", "m2": "(@ACME) see https://indieweb.social/@acme/1",
             "m3": "https://indieweb.social/@bob/1 @acme."}
    rows = [msg("p", "acme@indieweb.social", True, "2026-01-01 09:00", text="post", platform="mastodon")]
    rows += [msg(k, "bob@mastodon.social", False, "2026-01-01 10:00", text=t, platform="mastodon")
             for k, t in texts.items()]
    con = warehouse(tmp_path, rows)
    derive.refresh(con, plan)
    assert sorted(con.execute("SELECT message_id, account FROM inbound").fetchall()) == [
        ("mastodon:m1", "acme"), ("mastodon:m2", "acme"), ("mastodon:m3", "acme")]
    assert con.execute("SELECT count(*) FROM owned_messages WHERE account = 'acme'").fetchone() == (1,)
    con.close()


# Words around '@': separators, dots, instances, case, characters outside a handle's, lines, no text, links.
MENTION_TEXTS = ["@acme @beta", "@acme,@beta", "@acme\n@beta", "hi\n@beta\tx", "@acme. ok", "@acme..", "@acme.x",
                 "@acme_", "@ACME!", "x@acme", "@@acme", "@ hi", "@", "@...", "@acme@beta", "@acmé", "@gamma.co.",
                 "@gammaxco", "@gamma.co@inst", "(@beta)", "@acme @acme", "@acme\u212a", "\u212aa @acme",
                 "@beta-x", "@acme page", None, "", "«@acme»", "@acme's", "@x_acme", "@bet", "@betas",
                 "https://x.social/@acme/1", "x.social/@beta", "HTTP://A.B/?u=@acme @beta", "a/@@acme", "@acme/1",
                 "@acme https://x.social/@beta", "mailto://@acme", "//@acme", "/ @acme", "https://@beta\t@acme"]


@pytest.mark.parametrize("plan_text", [
    "version: 1\naccounts: {x: ['@Acme', Beta, '@', gamma.co], facebook: [Acme Page]}\nobjectives: [{id: d}]\n",
    None])
def test_mentions_tested_per_handle_are_the_words_of_the_text(tmp_path: Path, plan_text: str | None) -> None:
    """derive tests each owned handle in the texts (few handles) where `mention_tokens` splits them into
    words joined with the handles: the same pairs, first replies and all, on texts at the edges of a word."""
    from strategyfirst.warehouse import facts
    from strategyfirst.warehouse.engine import ibis_backend

    rows = [msg("p0", "Acme", True, "2026-01-01 09:00", text="post"),
            msg("pb", "@Beta", True, "2026-01-01 09:00", text="post"),
            msg("pn", None, True, "2026-01-01 09:00", text="no account"),  # a pair with a null account
            msg("pg", "Gamma.Co", True, "2026-01-01 09:00", text="post")]
    texts = [("x", t) for t in MENTION_TEXTS] + [("facebook", t) for t in ("@acme page", "@acme", "@acmepage")]
    for i, (platform, text) in enumerate(texts):  # each text alone, and again replying and replied to
        rows.append(msg(f"t{i}", f"u{i}", False, "2026-01-01 10:00", text=text, platform=platform))
        parent = (None, "p0", "pb", "pn", "pg")[i % 5] if platform == "x" else None
        rows.append(msg(f"m{i}", f"u{i}", False, "2026-01-01 10:00", text=text, reply_to=parent,
                        platform=platform))
        for j, account in enumerate(("Acme", "acme", "Beta", None)[: i % 5]):
            rows.append(msg(f"r{i}{j}", account, True, "2026-01-01 10:05", text="r", reply_to=f"m{i}",
                            platform=platform))
    con = warehouse(tmp_path, rows)
    plan = loads(plan_text).plan if plan_text else None
    backend = ibis_backend(con)
    m = backend.table("messages")
    handles = derive._owned_handles(con, m, plan)
    assert handles is not None

    def run(expr: object) -> list[tuple[object, ...]]:
        backend._run_pre_execute_hooks(expr)
        return sorted(con.execute(str(backend.compile(expr))).fetchall(), key=repr)

    by_words = run(facts.inbound(m, plan, duckdb=True))
    assert run(facts.inbound(m, plan, duckdb=True, handles=handles)) == by_words
    assert run(facts.inbound(m, plan)) == by_words
    assert len(by_words) > len(MENTION_TEXTS)
    con.close()


def test_refresh_only_when_data_or_plan_changed(tmp_path: Path) -> None:
    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN).plan
    assert derive.refresh(con, plan) is True
    assert derive.is_stale(con, plan) is False
    assert derive.refresh(con, plan) is False
    other = loads(PLAN.replace('["@ACME"]', '["@nobody"]')).plan
    assert derive.is_stale(con, other) is True
    # Owned p, r1, r2, g and inbound a, b, c, f, m (the tactic names no platform).
    assert con.execute("SELECT count(*) FROM attribution").fetchone() == (9,)
    derive.refresh(con, other)
    assert con.execute("SELECT count(*) FROM attribution").fetchone() == (0,)
    insert(con, "messages", [msg("h", "u7", False, "2026-01-02 09:00", text="@acme hello")])
    assert derive.is_stale(con, other) is True
    derive.refresh(con, other)
    assert con.execute("SELECT count(*) FROM inbound").fetchone() == (6,)  # a, b, c, f, m and the new h
    con.close()


def test_refresh_file_with_the_plans_hash_given(tmp_path: Path) -> None:
    """`phash` (kept per plan text by metrics.cached, so capacity imports no Ibis to know it) decides as
    `is_stale` would: the same hash leaves a fresh file alone, another plan's rebuilds."""
    from strategyfirst.warehouse.attribution import plan_hash

    con = warehouse(tmp_path, _rows())
    plan, other = loads(PLAN).plan, loads(PLAN.replace('["@ACME"]', '["@nobody"]')).plan
    derive.refresh(con, plan)
    path = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
                .fetchone()[0])
    con.close()
    assert derive.refresh_file(path, tmp_path, plan, plan_hash(plan)) is False
    assert derive.refresh_file(path, tmp_path, other, plan_hash(other)) is True
    con = duckdb.connect(str(path))
    assert con.execute("SELECT count(*) FROM attribution").fetchone() == (0,)  # the other plan's: nobody
    con.close()
    assert derive.refresh_file(path, tmp_path, other, plan_hash(other)) is False


def test_a_missing_plan_accounts_is_stale_and_written_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warehouse derived before `plan_accounts` existed (same data version, same plan hash) is stale until it
    has it: the next refresh writes that table alone (no rebuild), with the plan's accounts normalised."""
    from strategyfirst.warehouse.planhash import plan_hash

    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN).plan
    derive.refresh(con, plan)
    con.execute("DROP TABLE plan_accounts")
    assert derive.is_stale(con, plan) is True
    assert derive.fresh_version(con, plan_hash(plan)) is None

    def no_rebuild(*args: object) -> None:
        raise AssertionError("a full rebuild for one table of the plan's")

    monkeypatch.setattr(derive, "_rebuild", no_rebuild)
    assert derive.refresh(con, plan) is True
    # PLAN: x ["@Acme"], mastodon ["acme"]
    assert sorted(con.execute("SELECT platform, account FROM plan_accounts").fetchall()) == [
        ("mastodon", "acme"), ("x", "acme")]
    assert derive.fresh_version(con, plan_hash(plan)) == derive.data_version(con)
    assert derive.refresh(con, plan) is False
    # the same table, column for column, as a rebuild writes it (what the shipped SQL's schema digest reads)
    assert con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'plan_accounts' "
                       "ORDER BY column_index").fetchall() == [("platform", "VARCHAR"), ("account", "VARCHAR")]
    # no plan: an empty table of the same columns, written alone too
    monkeypatch.undo()
    derive.refresh(con, None)  # another plan hash: rebuilt
    con.execute("DROP TABLE plan_accounts")
    monkeypatch.setattr(derive, "_rebuild", no_rebuild)
    assert derive.refresh(con, None) is True
    assert con.execute("SELECT count(*) FROM plan_accounts").fetchone() == (0,)
    assert con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'plan_accounts' "
                       "ORDER BY column_index").fetchall() == [("platform", "VARCHAR"), ("account", "VARCHAR")]
    con.close()


def test_any_other_missing_derived_table_rebuilds(tmp_path: Path) -> None:
    from strategyfirst.warehouse.planhash import plan_hash

    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN).plan
    derive.refresh(con, plan)
    con.execute("DROP TABLE owned_messages")
    assert derive.fresh_version(con, plan_hash(plan)) is None
    assert derive.refresh(con, plan) is True
    assert con.execute("SELECT count(*) FROM owned_messages").fetchone() == (4,)  # p, r1, r2, g
    assert derive.missing(con) == set()
    con.close()


def test_refresh_file_writes_a_missing_plan_accounts(tmp_path: Path) -> None:
    from strategyfirst.warehouse.planhash import plan_hash

    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN).plan
    derive.refresh(con, plan)
    con.execute("DROP TABLE plan_accounts")
    path = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
                .fetchone()[0])
    con.close()
    assert derive.refresh_file(path, tmp_path, plan, plan_hash(plan)) is True
    con = duckdb.connect(str(path))
    assert con.execute("SELECT count(*) FROM plan_accounts").fetchone() == (2,)
    con.close()


def test_works_without_a_plan(tmp_path: Path) -> None:
    con = warehouse(tmp_path, _rows())
    derive.refresh(con, None)
    assert con.execute("SELECT count(*) FROM attribution").fetchone() == (0,)
    # Without the plan the Mastodon account is unknown (no owned message of it), so 'm' is not inbound.
    assert con.execute("SELECT count(*) FROM inbound").fetchone() == (4,)
    con.close()


def test_sentiment_scores_non_owned_texts_once_and_incrementally(tmp_path: Path) -> None:
    rows = [msg("1", "u", False, "2026-01-01 09:00", text="I love this, great!"),
            msg("2", "v", False, "2026-01-01 09:01", text="I love this, great!"),  # same text
            msg("3", "w", False, "2026-01-01 09:02", text="terrible service"),
            msg("4", "Acme", True, "2026-01-01 09:03", text="We love you"),  # owned: not scored
            msg("5", "z", False, "2026-01-01 09:04", text=None),
            msg("6", "y", False, "2026-01-01 09:05", text="already scored", sentiment=0.5)]
    con = warehouse(tmp_path, rows)
    assert derive.update_sentiment(con) == 2  # two distinct texts
    vader = SentimentIntensityAnalyzer()
    got = dict(con.execute("SELECT message_id, sentiment FROM messages").fetchall())
    assert got["x:1"] == got["x:2"] == pytest.approx(vader.polarity_scores("I love this, great!")["compound"])
    assert got["x:3"] == pytest.approx(vader.polarity_scores("terrible service")["compound"])
    assert got["x:3"] < 0
    assert got["x:4"] is None and got["x:5"] is None and got["x:6"] == 0.5
    assert derive.update_sentiment(con) == 0
    con.close()


def test_parallel_scoring_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"text {i} is {'good' if i % 2 else 'bad'}\nsecond line \"quoted\" é" for i in range(13)]
    vader = SentimentIntensityAnalyzer()
    expected = [vader.polarity_scores(t)["compound"] for t in texts]
    monkeypatch.setattr(sentiment, "PARALLEL_THRESHOLD", 10)
    calls: list[int] = []
    real = sentiment._score_in_worker
    monkeypatch.setattr(sentiment, "_score_in_worker", lambda share: calls.append(len(share)) or real(share))
    assert sentiment.score(texts, workers=2) == expected
    assert calls == [7, 6]  # two workers, each a contiguous share, results back in order


def test_parallel_scoring_from_a_script_without_main_guard(tmp_path: Path) -> None:
    """A user's script that scores (or ingests) at top level must not be re-run by the workers."""
    script = tmp_path / "user_script.py"
    script.write_text(
        "from strategyfirst.warehouse import sentiment\n"
        "sentiment.PARALLEL_THRESHOLD = 10\n"
        "print('RUN')\n"
        "texts = [f'text {i} is ' + ('good' if i % 2 else 'bad') for i in range(40)]\n"
        "print(sentiment.score(texts, workers=2) == sentiment._score_chunk(texts))\n", "utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["RUN", "True"]


def test_sentiment_of_a_text_already_scored_is_reused_not_recomputed(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = [msg("1", "u", False, "2026-01-01 09:00", text="I love this, great!")]
    con = warehouse(tmp_path, first)
    assert derive.update_sentiment(con) == 1
    # A later import repeats the text (and brings a new one): only the new text goes to VADER.
    insert(con, "messages", [msg("2", "v", False, "2026-01-02 09:00", text="I love this, great!"),
                             msg("3", "w", False, "2026-01-02 09:01", text="terrible service")])
    seen: list[list[str]] = []
    real = derive.score
    monkeypatch.setattr(derive, "score", lambda texts: seen.append(list(texts)) or real(texts))
    assert derive.update_sentiment(con) == 1
    assert seen == [["terrible service"]]
    vader = SentimentIntensityAnalyzer()
    got = dict(con.execute("SELECT message_id, sentiment FROM messages").fetchall())
    assert got["x:2"] == pytest.approx(vader.polarity_scores("I love this, great!")["compound"])
    assert got["x:3"] == pytest.approx(vader.polarity_scores("terrible service")["compound"])
    con.close()


def test_a_message_whose_text_changes_is_scored_again(tmp_path: Path) -> None:
    from strategyfirst.warehouse.ingest import ingest_files
    from strategyfirst.workspace import Workspace

    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    ws = Workspace(tmp_path / "ws")
    vader = SentimentIntensityAnalyzer()
    for i, text in enumerate(("I love this, great!", "terrible service")):
        path = tmp_path / f"export{i}.csv"
        path.write_text(header + f'1,u1,True,Wed Oct 11 06:55:44 +0000 2017,"{text}",,\n')
        ingest_files(ws, [path])
        con = duckdb.connect(str(ws.warehouse_path), read_only=True)
        got = con.execute("SELECT text, sentiment FROM messages").fetchall()
        con.close()
        assert got == [(text, pytest.approx(vader.polarity_scores(text)["compound"]))]


def _derived(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    names = ("inbound", "attribution", "inbound_attribution", "owned_messages", "conversations",
             "conversation_accounts")
    out = {}
    for name in names:
        row = con.execute(f"SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM {name} AS t").fetchone()
        assert row is not None
        out[name] = (int(row[0]), int(row[1]))
    return out


def test_the_stored_owned_flag_stands_for_the_plan_rule_only_where_they_agree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategyfirst.warehouse import facts
    from strategyfirst.warehouse.engine import ibis_backend

    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN).plan
    stored = ibis_backend(con).table("messages")
    assert derive.by_plan(con, stored, plan) is stored  # every row's flag is what the plan's rule says
    derive.refresh(con, plan, force=True)
    shortcut = _derived(con)
    with monkeypatch.context() as m:  # the rule evaluated everywhere, as before: the same derived tables
        m.setattr(derive, "by_plan", lambda con, stored, plan: facts.owned_by_plan(stored, plan))
        derive.refresh(con, plan, force=True)
        assert _derived(con) == shortcut
    assert shortcut["owned_messages"][0] == 4  # p, r1, r2, g
    # A message its source did not flag as owned, by an account the plan owns: now the rule must be applied.
    insert(con, "messages", [msg("q", "acme", False, "2026-01-02 09:00", text="posted by the team")])
    stored = ibis_backend(con).table("messages")
    assert derive.by_plan(con, stored, plan) is not stored
    derive.refresh(con, plan)
    assert con.execute("SELECT count(*) FROM owned_messages WHERE message_id = 'x:q'").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM owned_messages").fetchone() == (5,)
    con.close()


def test_sentiment_of_undated_messages_opens_and_closes_a_conversation_only_where_none_is_dated(
        tmp_path: Path) -> None:
    """first_s/last_s are the scores of the earliest and latest scored audience messages; an undated one is
    taken only when no scored audience message of the conversation has a date (DuckDB sorts nulls last)."""
    rows = [msg("q", "u1", False, "2026-01-01 10:00", sentiment=0.5),
            msg("r", "Acme", True, "2026-01-01 10:05", reply_to="q", sentiment=0.9),  # owned: not audience
            msg("q2", "u1", False, None, reply_to="r", sentiment=-0.7),  # undated
            msg("q3", "u2", False, "2026-01-01 11:00", reply_to="r", sentiment=0.1),
            msg("q4", "u2", False, "2026-01-01 09:00", reply_to="r"),  # earliest, but no score
            msg("u", "u3", False, None, text="@acme hello", sentiment=0.3),  # all undated
            msg("w", "Acme", True, None, reply_to="u")]
    con = warehouse(tmp_path, rows)
    derive.refresh(con, loads(PLAN).plan)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT conv, first_s, last_s, n_aud_s FROM conversations").fetchall()}
    assert got == {"x:q": (0.5, 0.1, 3), "x:u": (0.3, 0.3, 1)}
    con.close()


def test_a_conversation_of_the_audience_only_is_kept_when_a_pair_addresses_the_plan(tmp_path: Path) -> None:
    """`conversations` holds those `conversation_accounts` names: with an owned message, or addressed only."""
    rows = [msg("p", "Acme", True, "2026-01-01 09:00"),
            msg("m", "u1", False, "2026-01-01 10:00", text="hi @acme"),  # addresses Acme, no owned message
            msg("o", "u2", False, "2026-01-01 11:00", text="nobody here"),  # neither
            msg("o2", "u3", False, "2026-01-01 11:05", text="@someone else", reply_to="o")]
    con = warehouse(tmp_path, rows)
    derive.refresh(con, loads(PLAN).plan)
    assert con.execute("SELECT conv, n_msgs, has_owned FROM conversations ORDER BY conv").fetchall() == [
        ("x:m", 1, False), ("x:p", 1, True)]
    assert con.execute("SELECT conv, account, posted FROM conversation_accounts ORDER BY conv").fetchall() == [
        ("x:m", "acme", False), ("x:p", "acme", True)]
    con.close()


TWCS = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
AT = "Wed Oct 11 06:55:44 +0000 2017"


def _missing_parents(ws: Workspace) -> tuple[int, int]:
    """The data-quality count derive stored, and the replies whose parent id is no stored id (counted here)."""
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'data_quality'").fetchone()
        ids = {r[0] for r in con.execute("SELECT message_id FROM messages").fetchall()}
        parents = [r[0] for r in con.execute("SELECT in_reply_to FROM messages WHERE in_reply_to IS NOT NULL"
                                             ).fetchall()]
    finally:
        con.close()
    assert row is not None
    return int(json.loads(row[0])["replies_with_missing_parent"]), sum(p not in ids for p in parents)


def test_replies_with_missing_parent_follow_late_parents_reparenting_and_undo(tmp_path: Path) -> None:
    """The count is taken from the `parent_missing` flags the import keeps: it must stay the number of replies
    whose parent id is not in the data through a parent arriving later, a reply re-parented by a newer export,
    an undo that takes a parent away again, and a reply to itself."""
    ws = Workspace(tmp_path / "ws")
    # 2 replies to 1 (not there), 3 to 2, 5 to 9 (never there), 7 to itself
    first = (TWCS + f"2,acme,False,{AT},b,3,1\n3,bob,True,{AT},c,,2\n4,bob,True,{AT},d,5,\n"
             f"5,acme,False,{AT},e,,9\n7,bob,True,{AT},g,,7\n")
    (tmp_path / "a.csv").write_text(first)
    ws.ingest([tmp_path / "a.csv"])
    assert _missing_parents(ws) == (2, 2)  # 2 and 5
    (tmp_path / "b.csv").write_text(TWCS + f"1,bob,True,{AT},a,2,\n")
    late = ws.ingest([tmp_path / "b.csv"])
    assert _missing_parents(ws) == (1, 1)  # 1 arrived: only 5
    # a newer export of 3 answers 8 (not there) instead of 2
    (tmp_path / "c.csv").write_text(TWCS + f"3,bob,True,{AT},c,,8\n")
    ws.ingest([tmp_path / "c.csv"])
    assert _missing_parents(ws) == (2, 2)  # 5 and 3
    ws.undo_import(late.files[0]["import_id"])
    assert _missing_parents(ws) == (3, 3)  # 1 gone again: 2, 3 and 5


def _import_scored_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         ahead: Any) -> tuple[list[tuple[str, float]], list[list[str]]]:
    """Import a twcs file as a large one (its texts scored while it merges: `derive.score_ahead`), `ahead`
    standing for the scoring of the thread; the stored (text, score) and the texts the rebuild scored."""
    from strategyfirst.warehouse import ingest

    monkeypatch.setattr(ingest, "PARALLEL_ROWS", 1)  # every file of more than one message is large
    rebuild: list[list[str]] = []
    real = derive.score
    monkeypatch.setattr(derive, "score", lambda texts: rebuild.append(sorted(texts)) or real(texts))
    started = derive.score_ahead
    monkeypatch.setattr(derive, "score_ahead", lambda texts: started(ahead(texts)))
    path = tmp_path / "export.csv"
    path.write_text(TWCS + f'1,u1,True,{AT},"I love this, great!",,\n'
                    f'2,u2,True,{AT},"terrible service",,\n'
                    f'3,u3,True,{AT},"I love this, great!",,\n'
                    f'4,Acme,False,{AT},"@u1 we love you too",,1\n', "utf-8")
    ws = Workspace(tmp_path / "ws")
    ingest.ingest_files(ws, [path])
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    stored = con.execute("SELECT text, sentiment FROM messages WHERE NOT owned ORDER BY message_id").fetchall()
    con.close()
    assert not derive._ahead and not derive._ahead_threads  # forgotten once the import is done
    return stored, rebuild


def _vader(*texts: str) -> list[tuple[str, Any]]:
    vader = SentimentIntensityAnalyzer()
    return [(t, pytest.approx(vader.polarity_scores(t)["compound"])) for t in texts]


def test_a_large_files_texts_are_scored_while_it_merges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given: list[list[str]] = []
    stored, rebuild = _import_scored_ahead(tmp_path, monkeypatch, lambda texts: given.append(sorted(texts)) or texts)
    # The audience's two distinct texts, once each, ahead; the rebuild had nothing left to score (an owned
    # text is not scored at all).
    assert given == [["I love this, great!", "terrible service"]]
    assert rebuild == []
    assert stored == _vader("I love this, great!", "terrible service", "I love this, great!")


def test_texts_the_thread_did_not_score_are_scored_by_the_rebuild(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Handed only one of the texts (as a thread that failed half-way leaves it), the rebuild scores the other.
    stored, rebuild = _import_scored_ahead(tmp_path, monkeypatch, lambda texts: [t for t in texts if "love" in t])
    assert rebuild == [["terrible service"]]
    assert stored == _vader("I love this, great!", "terrible service", "I love this, great!")


def test_a_file_of_more_texts_than_scored_ahead_leaves_them_to_the_rebuild(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from strategyfirst.warehouse import ingest

    monkeypatch.setattr(ingest, "AHEAD_TEXTS", 1)  # the file's two distinct texts are more
    given: list[list[str]] = []
    stored, rebuild = _import_scored_ahead(tmp_path, monkeypatch, lambda texts: given.append(sorted(texts)) or texts)
    assert given == []
    assert rebuild == [["I love this, great!", "terrible service"]]
    assert stored == _vader("I love this, great!", "terrible service", "I love this, great!")
