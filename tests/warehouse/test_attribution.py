"""Attribution from `match` rules: fields AND, list items OR, period bounds, handles, inbound messages."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.attribution import plan_hash
from tests.metrics.helpers import insert, msg, warehouse

ROWS = [
    msg("1", "@AcmeHelp", True, "2026-03-01 10:00", text="Happy to help"),
    msg("2", "acme", True, "2026-05-01 00:00", text="Join #AcmeSummit!", campaign="SUMMIT"),
    msg("3", "Acme", True, "2026-06-30 23:59", text="Last day #acmesummit.", url="https://acme.example/s"),
    msg("4", "Acme", True, "2026-07-01 00:00", text="Over #AcmeSummit"),  # after the period
    msg("5", "Acme", True, "2026-05-10 10:00", text="#AcmeSummitX is not the tag"),
    msg("6", "Acme Outdoor", True, "2026-05-10 10:00", text="Trail day", platform="facebook",
        url="https://acme.example/trail?utm=fb"),
    msg("7", "Acme", True, "2026-05-10 10:00", text="Spring SALE on boots", campaign="spring"),
    msg("8", "cust", False, "2026-03-02 10:00", text="@acmehelp my order?"),  # inbound to AcmeHelp
    msg("9", "cust", False, "2026-03-02 10:00", text="#AcmeSummit looks fun"),  # not inbound: no account
]

PLAN = """
version: 1
accounts: {x: ["@Acme", "@AcmeHelp"], facebook: ["Acme Outdoor"]}
objectives: [{id: o}]
tactics:
  - {id: care, serves: [o], match: {accounts: ["ACMEHELP"]}}
  - id: summit
    serves: [o]
    period: {start: 2026-05-01, end: 2026-06-30}
    match: {hashtags: ["AcmeSummit", "#NoSuchTag"]}
  - {id: summit-campaign, serves: [o], match: {campaign: [summit]}}
  - {id: fb-links, serves: [o], match: {url_contains: ["UTM=FB"], platform: [facebook]}}
  - {id: x-links, serves: [o], match: {url_contains: ["utm=fb"], platform: [x]}}
  - {id: sale, serves: [o], match: {text_contains: ["sale", "discount"], accounts: ["@acme"]}}
  - {id: unmatched, serves: [o]}
"""


@pytest.fixture
def attributed(tmp_path: Path) -> set[tuple[str, str]]:
    con = warehouse(tmp_path, [dict(r) for r in ROWS])
    derive.refresh(con, loads(PLAN).plan)
    found = con.execute("SELECT message_id, tactic_id FROM attribution").fetchall()
    rows = {(str(m), str(t)) for m, t in found}
    con.close()
    return rows


def test_each_rule(attributed: set[tuple[str, str]]) -> None:
    assert attributed == {
        ("x:1", "care"),  # account, case-insensitive, '@' optional on both sides
        ("x:8", "care"),  # inbound: counts under the tactics of the account it addresses
        ("x:2", "summit"), ("x:3", "summit"),  # hashtag without '#', either case; period bounds inclusive
        ("x:2", "summit-campaign"),  # campaign, case-insensitive
        ("facebook:6", "fb-links"),  # url_contains AND platform
        ("x:7", "sale"),  # text_contains (any item) AND account
    }


def test_plan_hash_changes_with_match_rules_only() -> None:
    plan = loads(PLAN).plan
    same = loads(PLAN.replace("objectives: [{id: o}]", "organisation: Renamed\nobjectives: [{id: o}]")).plan
    changed = loads(PLAN.replace('"ACMEHELP"', '"someone"')).plan
    assert plan_hash(plan) == plan_hash(same)
    assert plan_hash(plan) != plan_hash(changed)
    assert plan_hash(None) == "no-plan:4"  # the rules matter without a plan too (planhash.RULES = 4)


ACCOUNTS_ONLY = """
version: 1
accounts: {x: ["@Acme", "@AcmeHelp"], facebook: ["Acme Outdoor"]}
objectives: [{id: o}]
tactics:
  - {id: care, serves: [o], match: {accounts: ["ACMEHELP"]}}
  - {id: all-x, serves: [o], period: {start: 2026-03-02, end: 2026-06-30}, match: {platform: [x]}}
  - {id: fb, serves: [o], match: {accounts: ["acme outdoor"], platform: [facebook]}}
"""


def test_rules_on_accounts_platforms_and_periods_only_read_no_text(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Without text, url or campaign rules the inbound candidates are the pairs alone (no join with
    `messages`): the same attribution as with the join."""
    from strategyfirst.warehouse import attribution

    plan = loads(ACCOUNTS_ONLY).plan
    assert not attribution.reads_content(plan) and attribution.reads_content(loads(PLAN).plan)
    con = warehouse(tmp_path, [dict(r) for r in ROWS])
    derive.refresh(con, plan)
    query = "SELECT message_id, tactic_id FROM attribution UNION ALL SELECT message_id || '>' || account, " \
            "tactic_id FROM inbound_attribution"
    fast = sorted(con.execute(query).fetchall())
    monkeypatch.setattr(attribution, "reads_content", lambda plan: True)
    derive.refresh(con, plan, force=True)
    assert sorted(con.execute(query).fetchall()) == fast
    con.close()
    # worked out from ROWS: care takes 1 and 8 (8 addresses AcmeHelp); all-x the x messages from 2 March to
    # 30 June (2, 3, 5, 7 owned; 8 inbound; 9 is no candidate: it addresses no account); fb takes 6
    assert fast == sorted([("x:1", "care"), ("x:8", "care"), ("x:8>acmehelp", "care"),
                           ("x:2", "all-x"), ("x:3", "all-x"), ("x:5", "all-x"), ("x:7", "all-x"),
                           ("x:8", "all-x"), ("x:8>acmehelp", "all-x"), ("facebook:6", "fb")])


GATED = """
version: 1
accounts: {x: ["@Acme", "@AcmeHelp"], facebook: ["Acme Outdoor"]}
objectives: [{id: o}]
tactics:
  - {id: x-summit, serves: [o], match: {hashtags: [AcmeSummit], platform: [x]}}
  - {id: help-sale, serves: [o], match: {text_contains: [sale], accounts: ["@acmehelp"]}}
  - {id: fb-links, serves: [o], match: {url_contains: ["utm=fb"], platform: [facebook]}}
"""


def test_text_is_read_only_for_the_pairs_a_content_rule_could_match(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule that reads text, urls or campaigns also names a platform or an account: only the inbound
    pairs on those platforms or accounts are joined with `messages` for their text (attribution.content_gate),
    with the same rows as joining every pair. An inbound message addressing two accounts under one tactic is
    one row of `attribution` and one row per account of `inbound_attribution`."""
    from strategyfirst.warehouse import attribution

    rows = [*ROWS, msg("10", "cust", False, "2026-05-02 10:00", text="@acme @AcmeHelp #AcmeSummit sale?")]
    con = warehouse(tmp_path, [dict(r) for r in rows])
    plan = loads(GATED).plan
    pairs = ibis.table({"account": "string", "platform": "string", "created_at": "timestamp"}, name="pairs")
    assert attribution.content_gate(pairs, plan) is not None
    derive.refresh(con, plan)
    queries = ("SELECT message_id, tactic_id FROM attribution",
               "SELECT message_id, account, tactic_id FROM inbound_attribution")
    gated = [sorted(con.execute(q).fetchall()) for q in queries]
    monkeypatch.setattr(attribution, "content_gate", lambda c, plan: None)
    derive.refresh(con, plan, force=True)
    assert [sorted(con.execute(q).fetchall()) for q in queries] == gated
    con.close()
    # worked out from the rows: x-summit takes the x messages with the tag (2, 3, 4; 5's tag is another; 9
    # addresses no account) and inbound 10 under both accounts it mentions; help-sale only 10 under AcmeHelp
    # (7 says SALE but is Acme's); fb-links the facebook message with utm=fb
    assert gated[0] == sorted([("x:2", "x-summit"), ("x:3", "x-summit"), ("x:4", "x-summit"),
                               ("x:10", "x-summit"), ("x:10", "help-sale"), ("facebook:6", "fb-links")])
    assert gated[1] == sorted([("x:10", "acme", "x-summit"), ("x:10", "acmehelp", "x-summit"),
                               ("x:10", "acmehelp", "help-sale")])


TWO_ACCOUNTS = """
version: 1
accounts: {x: ["@Acme", "@AcmeHelp"], facebook: ["Acme Outdoor"]}
objectives: [{id: o}]
tactics:
  - {id: both, serves: [o], match: {accounts: ["@acme", "@acmehelp"]}}
  - {id: help, serves: [o], match: {accounts: ["@AcmeHelp", "acmehelp"]}}
"""


def test_a_tactic_of_two_accounts_labels_a_message_addressing_both_once(tmp_path: Path) -> None:
    """`attribution` takes the inbound pairs' tactics distinct per message; the DISTINCT is left out only for
    tactics of one account (one spelled twice is one), which cannot label two pairs of one message."""
    rows = [*ROWS, msg("10", "cust", False, "2026-05-02 10:00", text="@acme @AcmeHelp hi")]
    con = warehouse(tmp_path, [dict(r) for r in rows])
    plan = loads(TWO_ACCOUNTS).plan
    assert derive.one_account_tactics(plan) == ["help"]
    derive.refresh(con, plan)
    attributed = con.execute("SELECT message_id, tactic_id FROM attribution").fetchall()
    pairs = con.execute("SELECT message_id, account, tactic_id FROM inbound_attribution").fetchall()
    con.close()
    # worked out from the rows: `both` takes every owned x message (1 is AcmeHelp's; 2, 3, 4, 5, 7 Acme's),
    # inbound 8 (addresses AcmeHelp) and inbound 10 once though it addresses both; `help` takes 1, 8 and 10
    assert sorted(attributed) == sorted([
        ("x:1", "both"), ("x:2", "both"), ("x:3", "both"), ("x:4", "both"), ("x:5", "both"), ("x:7", "both"),
        ("x:8", "both"), ("x:10", "both"), ("x:1", "help"), ("x:8", "help"), ("x:10", "help")])
    assert sorted(pairs) == sorted([("x:8", "acmehelp", "both"), ("x:8", "acmehelp", "help"),
                                    ("x:10", "acme", "both"), ("x:10", "acmehelp", "both"),
                                    ("x:10", "acmehelp", "help")])


PROJECTED = """
version: 1
accounts: {x: ["@Acme", "@AcmeHelp"], facebook: ["Acme Outdoor"]}
objectives: [{id: o}]
tactics:
  - {id: care, serves: [o], match: {accounts: ["ACMEHELP"]}}
  - {id: care-may, serves: [o], period: {start: 2026-05-01, end: 2026-05-31}, match: {accounts: ["@acmehelp"]}}
  - {id: brand, serves: [o], match: {accounts: ["@acme"], platform: [x]}}
  - {id: fb, serves: [o], match: {platform: [facebook]}}
  - {id: fb-links, serves: [o], match: {url_contains: ["utm=fb"], platform: [facebook]}}
"""

# Worked out from ROWS and message 10 (addresses @acme and @AcmeHelp in May): owned 1 is AcmeHelp's in March
# (care), 2-5 and 7 Acme's on x (brand), 6 the facebook page's with utm=fb (fb, fb-links); inbound 8 addresses
# AcmeHelp in March (care), 10 AcmeHelp in May (care, care-may) and Acme (brand). No inbound pair is on facebook.
PROJECTED_PAIRS = [("x:10", "acme", "brand"), ("x:10", "acmehelp", "care"), ("x:10", "acmehelp", "care-may"),
                   ("x:8", "acmehelp", "care")]
PROJECTED_ROWS = sorted([("x:1", "care"), *[(f"x:{i}", "brand") for i in (2, 3, 4, 5, 7)],
                         ("facebook:6", "fb"), ("facebook:6", "fb-links"), ("x:8", "care"),
                         ("x:10", "care"), ("x:10", "care-may"), ("x:10", "brand")])


def _attribution_state(con: object) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], tuple[str | None, ...]]:
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    rows = sorted(con.execute("SELECT message_id, tactic_id FROM attribution").fetchall())
    pairs = sorted(con.execute("SELECT message_id, account, tactic_id FROM inbound_attribution").fetchall())
    kinds = tuple(derive._kind(con, n) for n in ("attribution", "inbound_attribution", "owned_attribution"))
    return rows, pairs, kinds


def test_pairs_of_one_account_tactics_are_a_view_of_inbound(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Where only tactics of one account that read no content label inbound pairs (the others label none:
    no pair is on facebook), `inbound_attribution` and `attribution` are views (the owned labels a table) with
    the rows the tables had; two tactics of one account (care, care-may) both label a pair. A plan or data
    where another tactic labels a pair makes them tables again, and back."""
    rows = [*ROWS, msg("10", "cust", False, "2026-05-02 10:00", text="@acme @AcmeHelp hi")]
    con = warehouse(tmp_path, [dict(r) for r in rows])  # attribution a table, as every earlier version wrote
    plan = loads(PROJECTED).plan
    assert [t.id for t in derive.projected_tactics(plan)] == ["care", "care-may", "brand"]
    derive.refresh(con, plan)
    assert _attribution_state(con) == (PROJECTED_ROWS, PROJECTED_PAIRS, ("VIEW", "VIEW", "TABLE"))
    quality = derive.meta(con, derive.QUALITY_KEY)
    with monkeypatch.context() as m:  # every tactic as one that may label a pair twice: the tables of before
        m.setattr(derive, "projected_tactics", lambda plan: [])
        derive.refresh(con, plan, force=True)
        assert _attribution_state(con) == (PROJECTED_ROWS, PROJECTED_PAIRS, ("TABLE", "TABLE", "VIEW"))
        assert derive.meta(con, derive.QUALITY_KEY) == quality  # owned_unattributed: none of 1-7 (one is x:1)
    derive.refresh(con, plan, force=True)
    assert _attribution_state(con) == (PROJECTED_ROWS, PROJECTED_PAIRS, ("VIEW", "VIEW", "TABLE"))
    # A comment on the facebook page: `fb` labels its pair (fb-links does not: no url), so tables.
    insert(con, "messages", [msg("11", "fan", False, "2026-05-03 10:00", platform="facebook", reply_to="6",
                                 text="nice trail")])
    derive.refresh(con, plan)
    got = _attribution_state(con)
    assert got == (sorted([*PROJECTED_ROWS, ("facebook:11", "fb")]),
                   sorted([*PROJECTED_PAIRS, ("facebook:11", "acme outdoor", "fb")]), ("TABLE", "TABLE", "VIEW"))
    con.close()


def test_a_view_of_attribution_is_exported_and_copied_with_its_rows(tmp_path: Path) -> None:
    """The Parquet export and a backup's copy of the warehouse (COPY FROM DATABASE) hold the views' rows."""
    import duckdb

    from strategyfirst.recovery import _copy_warehouse, _table_counts
    from strategyfirst.warehouse.export import export_parquet

    rows = [*ROWS, msg("10", "cust", False, "2026-05-02 10:00", text="@acme @AcmeHelp hi")]
    (tmp_path / "w").mkdir()
    con = warehouse(tmp_path / "w", [dict(r) for r in rows])
    derive.refresh(con, loads(PROJECTED).plan)
    export_parquet(con, tmp_path / "out")
    con.close()
    exported = duckdb.connect().execute(f"SELECT message_id, tactic_id FROM '{tmp_path / 'out'}/attribution.parquet'")
    assert sorted(exported.fetchall()) == PROJECTED_ROWS
    _copy_warehouse(tmp_path / "w" / "warehouse.duckdb", tmp_path / "copy.duckdb")
    copy = duckdb.connect(str(tmp_path / "copy.duckdb"), read_only=True)
    assert _attribution_state(copy)[:2] == (PROJECTED_ROWS, PROJECTED_PAIRS)
    copy.close()
    counts = _table_counts(tmp_path / "copy.duckdb")
    assert (counts["attribution"], counts["inbound_attribution"]) == (len(PROJECTED_ROWS), len(PROJECTED_PAIRS))


def test_a_content_rule_whose_other_fields_hold_on_a_pair_but_not_its_text_keeps_the_views(tmp_path: Path) -> None:
    """A comment on the facebook page is a pair fb-links could match by platform (`pairs_matchable`), but it
    has no url with utm=fb (`pairs_labelled` finds none): the views stay, with the same rows."""
    plan = loads(PROJECTED.replace("  - {id: fb, serves: [o], match: {platform: [facebook]}}\n", "")).plan
    rows = [*ROWS, msg("10", "cust", False, "2026-05-02 10:00", text="@acme @AcmeHelp hi"),
            msg("11", "fan", False, "2026-05-03 10:00", platform="facebook", reply_to="6", text="nice trail")]
    con = warehouse(tmp_path, [dict(r) for r in rows])
    derive.refresh(con, plan)
    assert _attribution_state(con) == ([r for r in PROJECTED_ROWS if r[1] != "fb"], PROJECTED_PAIRS,
                                       ("VIEW", "VIEW", "TABLE"))
    con.close()


@pytest.mark.parametrize("as_tables", [False, True], ids=["views", "tables"])
def test_measures_by_tactic_and_objective_read_each_owned_label_once(tmp_path: Path, as_tables: bool,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Owned figures by tactic and objective come from the owned messages' labels alone (`owned_attribution`),
    conversations from every label: the same figures whether the labels are views or tables."""
    from strategyfirst.metrics import measure
    from strategyfirst.warehouse.engine import ibis_backend

    rows = [*ROWS, msg("10", "cust", False, "2026-05-02 10:00", text="@acme @AcmeHelp hi"),
            msg("12", "Acme", True, "2026-05-02 11:00", reply_to="10", conv="10", text="thanks!")]
    rows[9]["conversation_id"] = "x:10"
    con = warehouse(tmp_path, [dict(r) for r in rows])
    plan = loads(PROJECTED).plan
    if as_tables:
        monkeypatch.setattr(derive, "projected_tactics", lambda plan: [])
    derive.refresh(con, plan)
    assert derive._kind(con, "owned_attribution") == ("VIEW" if as_tables else "TABLE")
    # measure by tactic reads the labels as keys without a DISTINCT: each table holds each label once
    for name in ("owned_attribution", "inbound_attribution", "attribution"):
        total, distinct = con.execute(f"SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT * FROM {name})) "
                                      f"FROM {name}").fetchone() or (0, 0)
        assert total == distinct > 0, name
    asked = ["posts", "dialogue_ratio", "conversation_response_rate", "response_rate"]

    def values(by: str) -> dict[tuple[str, str], float | None]:
        result = measure(ibis_backend(con), plan, by=by, metric_ids=asked)
        return {(r["key"], r["metric"]): r["value"] for r in result.rows}

    by_tactic, by_objective = values("tactic"), values("objective")
    con.close()
    # Worked out from the rows: posts are owned messages 1-7 (12 replies to 10); care has 1, brand 2-5 and 7,
    # fb and fb-links both 6, care-may none (1 is in March: no owned rows, so no figure). Objective o has each
    # of the seven once, and reply 12 (brand's) among its eight owned messages: dialogue ratio 1/8; brand's 1/6.
    assert {k: v for k, v in by_tactic.items() if k[1] == "posts"} == {
        ("care", "posts"): 1, ("care-may", "posts"): None, ("brand", "posts"): 5, ("fb", "posts"): 1,
        ("fb-links", "posts"): 1}
    assert by_objective[("o", "posts")] == 7
    assert by_tactic[("brand", "dialogue_ratio")] == pytest.approx(1 / 6)
    assert by_objective[("o", "dialogue_ratio")] == pytest.approx(1 / 8)
    # Audience-started conversations: 8 (care; unanswered) and 10 (care, care-may and brand; Acme answered).
    assert by_tactic[("care", "conversation_response_rate")] == pytest.approx(1 / 2)
    assert by_tactic[("care-may", "conversation_response_rate")] == 1
    assert by_tactic[("brand", "conversation_response_rate")] == 1
    assert by_objective[("o", "conversation_response_rate")] == pytest.approx(1 / 2)
    # Inbound pairs: 8 to AcmeHelp (care; unanswered), 10 to AcmeHelp (care, care-may; unanswered) and to Acme
    # (brand; answered by 12). Objective o has the three pairs, each once though care and care-may label one.
    assert by_tactic[("care", "response_rate")] == 0
    assert by_tactic[("brand", "response_rate")] == 1
    assert by_objective[("o", "response_rate")] == pytest.approx(1 / 3)
