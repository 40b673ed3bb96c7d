"""The normal form of a handle depends on its platform (strategyfirst.handles): only on the fediverse is
`user@instance` the account `user`; elsewhere an '@host' is part of the account, so that a newsletter's lists
`news@acme.com` and `news@partner.org` are two accounts, not one `news`. Every form of the rule agrees: Python
(plan.normalise_handle), Ibis (attribution.handle), an import's SQL (sources.base.owned_sql, owned_sql_by_row)
and the plain reads' SQL (warehouse.ownership). Expected values written by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import pyarrow as pa
import pytest

from strategyfirst.plan import loads, normalise_handle
from strategyfirst.sources.base import LoadContext, owned_sql, owned_sql_by_row
from strategyfirst.warehouse import derive, facts
from strategyfirst.warehouse.attribution import handle
from strategyfirst.warehouse.ownership import owned_sql as plan_owned_sql
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import msg, warehouse
from tests.sources.support import query

# (platform, handle as written, its normal form there, the form the other rule would give: never it)
TABLE = [
    ("mastodon", "@Dealingwith@indieweb.social", "dealingwith", "dealingwith@indieweb.social"),
    ("mastodon", "dealingwith@indieweb.social", "dealingwith", "dealingwith@indieweb.social"),
    ("mastodon", "dealingwith", "dealingwith", None),
    ("pixelfed", "@DealingWith@IndieWeb.Social", "dealingwith", "dealingwith@indieweb.social"),
    ("mastodon", "user@localhost", "user@localhost", None),  # no dot: not a host name, the '@' stays
    ("mastodon", "Cafe @ Home", "cafe @ home", None),
    ("mastodon", "@@Acme", "acme", None),
    ("mastodon", "a@b.c@d.e", "a@b.c@d.e", None),
    ("newsletter", "news@acme.com", "news@acme.com", "news"),
    ("newsletter", "@News@Acme.com", "news@acme.com", "news"),
    ("email", "news@partner.org", "news@partner.org", "news"),
    ("email", "Members letter", "members letter", None),
    ("x", "@Brand", "brand", None),
    ("x", "Brand@Example.com", "brand@example.com", "brand"),
    ("facebook", "Cafe @ Home", "cafe @ home", None),
    ("facebook", "user@localhost", "user@localhost", None),
]


def test_one_normal_form_per_platform_in_python_ibis_and_sql() -> None:
    """Before: `news@acme.com` was `news` on every platform (and the SQL named no platform)."""
    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(TABLE))), "platform": [r[0] for r in TABLE],
                                "account": [r[1] for r in TABLE]}))
    want = [r[2] for r in TABLE]
    # Python
    assert [normalise_handle(raw, platform) for platform, raw, _, _ in TABLE] == want
    # Ibis, with the rows' platform column and with one platform for all
    t = ibis.duckdb.from_connection(con).table("t")
    by_row = t.select("i", h=handle(t.account, t.platform)).order_by("i").to_pyarrow()
    assert by_row["h"].to_pylist() == want
    for platform, raw, normal, _ in TABLE:
        one = ibis.memtable({"account": [raw]})
        assert ibis.duckdb.connect().execute(one.select(h=handle(one.account, platform)))["h"].tolist() == [normal]
    # The import's SQL (one platform per file; a platform per row in the canonical CSV) and the plain reads':
    # owned when the plan lists the normal form, not when it lists the other rule's form.
    for listed, expect in ((2, True), (3, False)):
        for platform, raw, form in ((r[0], r[1], r[listed]) for r in TABLE if r[listed] is not None):
            ctx = LoadContext(owned_accounts={platform: frozenset({form})})
            row = "FROM (SELECT ? AS platform, ? AS account)"
            for sql in (owned_sql(ctx, platform, "account", "FALSE"),
                        owned_sql_by_row(ctx, "platform", "account", "FALSE"),
                        plan_owned_sql({platform: [form]}, "platform", "account", "FALSE")):
                assert con.execute(f"SELECT {sql} {row}", [platform, raw]).fetchone() == (expect,), (raw, sql)


def test_a_plan_owns_its_accounts_on_their_platform() -> None:
    """A plan's `accounts` are per platform: each handle takes its platform's normal form."""
    plan = loads("version: 1\naccounts: {mastodon: ['@Dealingwith@indieweb.social'], email: ['News@Acme.com'], "
                 "x: ['@Brand']}\n").plan
    assert plan.owned_handles() == {"mastodon": {"dealingwith"}, "email": {"news@acme.com"}, "x": {"brand"}}


def test_a_mention_names_a_whole_handle_off_the_fediverse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the fediverse '@user@instance' mentions `user`; elsewhere the word is the handle, '@host' and all:
    '@news@acme.com' mentions the list `news@acme.com`, '@news@partner.org' does not (before: both were
    `news`, and neither the list)."""
    plan = loads("version: 1\naccounts: {email: ['news@acme.com'], mastodon: ['acme']}\n").plan
    rows = [msg("p", "news@acme.com", True, "2026-01-01 09:00", text="letter", platform="email"),
            msg("q", "news@partner.org", True, "2026-01-01 09:00", text="letter", platform="email"),
            msg("a", "reader-1", False, "2026-01-01 10:00", text="thanks @news@acme.com!", platform="email"),
            msg("b", "reader-2", False, "2026-01-01 10:00", text="thanks @news@partner.org", platform="email"),
            msg("c", "reader-3", False, "2026-01-01 10:00", text="thanks @news", platform="email"),
            msg("t", "acme@indieweb.social", True, "2026-01-01 09:00", text="toot", platform="mastodon"),
            msg("m", "bob@mastodon.social", False, "2026-01-01 10:00", text="hi @acme@indieweb.social",
                platform="mastodon")]
    for many in (False, True):  # handles tested one by one in the texts, and texts split into words
        (tmp_path / str(many)).mkdir()
        con = warehouse(tmp_path / str(many), rows)
        if many:
            monkeypatch.setattr(facts, "MENTION_LITERALS", 0)
        derive.refresh(con, plan)
        assert sorted(con.execute("SELECT message_id, account FROM inbound").fetchall()) == [
            ("email:a", "news@acme.com"), ("mastodon:m", "acme")]
        assert sorted(con.execute("SELECT account, count(*) FROM owned_messages GROUP BY 1").fetchall()) == [
            ("acme", 1), ("news@acme.com", 1)]
        con.close()


CAMPAIGNS = ("Title,Subject,List,Send Date,Successful Deliveries,Unique Opens,Unique Clicks,Unsubscribes,"
             "Unique Id\n"
             "Ours,Our news,news@acme.com,\"Jan 5, 2026 09:00 am\",100,40,10,1,a1a1a1a1a1\n"
             "Theirs,Their news,news@partner.org,\"Jan 6, 2026 09:00 am\",500,200,50,5,b2b2b2b2b2\n"
             "Theirs 2,More of theirs,news@partner.org,\"Jan 7, 2026 09:00 am\",500,100,20,2,c3c3c3c3c3\n")
# The canonical CSV: a list named per row, the source saying nothing of who owns it; two readers' replies.
MESSAGES = ("message_id,platform,account,created_at,owned,kind,in_reply_to,text\n"
            "d4,email,news@acme.com,2026-01-08 09:00:00,,,,Another of ours\n"
            "e5,email,news@partner.org,2026-01-08 09:00:00,,,,Another of theirs\n"
            "r1,email,reader-1,2026-01-05 10:00:00,false,reply,a1a1a1a1a1,Thanks\n"
            "r2,email,reader-2,2026-01-06 10:00:00,false,reply,b2b2b2b2b2,Thanks too\n")
AUDIENCE = ("date,platform,account,metric,value\n"
            "2026-01-10,email,news@acme.com,subscribers,1200\n"
            "2026-01-10,email,news@partner.org,subscribers,5000\n")


def test_a_newsletter_list_owns_only_itself(tmp_path: Path) -> None:
    """A plan owning the list `news@acme.com` owns none of `news@partner.org`: not its campaigns, its readers'
    replies, nor its subscribers. Before: both lists were the account `news`, so 5 posts (not 2), 2 inbound
    messages (not 1) and 6,200 subscribers (not 1,200), and the canonical CSV stored the partner's as owned."""
    ws = Workspace(tmp_path)
    ws.plan_path.write_text("version: 1\naccounts:\n  email: ['news@acme.com']\nobjectives:\n  - id: reach\n"
                            "tactics:\n  - {id: letters, serves: [reach], match: {accounts: ['news@acme.com']}}\n",
                            encoding="utf-8")
    files = {"campaigns.csv": CAMPAIGNS, "messages.csv": MESSAGES, "audience.csv": AUDIENCE}
    for name, text in files.items():
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    ws.ingest([tmp_path / "in" / name for name in files])
    # the import's SQL, a platform per row: the source said nothing, the plan owns one list of the two
    assert query(ws, "SELECT message_id, owned FROM messages WHERE message_id IN ('email:d4', 'email:e5') "
                     "ORDER BY 1") == [("email:d4", True), ("email:e5", False)]
    result = ws.measure(metrics=["posts", "inbound_messages", "audience_size", "email_open_rate"])
    assert result.value("posts") == 2  # a1a1a1a1a1 and d4
    assert result.value("inbound_messages") == 1  # r1, the reply to a1a1a1a1a1
    assert result.value("audience_size") == 1200
    assert result.value("email_open_rate") == pytest.approx(40 / 100)
    by_account = ws.measure(metrics=["posts"], by="account")
    assert by_account.value("posts", "news@acme.com") == 2
    assert by_account.value("posts", "news") is None
    assert ws.measure(metrics=["posts"], by="tactic").value("posts", "letters") == 2
    # the partner's campaigns, which their source flags as owned, are the accounts the plan does not list
    assert result.data_quality["source_owned_not_in_plan"] == 2
    assert ws.measure(metrics=["posts"], accounts=["News@Acme.com"]).value("posts") == 2
    assert ws.measure(metrics=["posts"], accounts=["news@partner.org"]).value("posts") in (None, 0)


def test_an_account_named_without_its_platform_takes_the_form_of_each_row() -> None:
    """The web's posts and inbound filters name an account with or without a platform: `news@acme.com` is the
    Mastodon account `news` and the list `news@acme.com`, never the list `news`."""
    from strategyfirst.web.posts import Scope
    from strategyfirst.web.services import _inbound_where

    con = duckdb.connect()
    con.execute("CREATE TABLE o AS SELECT * FROM (VALUES ('mastodon', 'news'), ('email', 'news@acme.com'), "
                "('email', 'news'), ('mastodon', 'news@acme.com')) AS t(platform, account)")
    cases = [(None, "@News@Acme.com", [("email", "news@acme.com"), ("mastodon", "news")]),
             ("email", "News@Acme.com", [("email", "news@acme.com")]),
             ("mastodon", "news@acme.com", [("mastodon", "news")]),
             (None, "news", [("email", "news"), ("mastodon", "news")])]
    for platform, account, want in cases:
        where, params = Scope(platform=platform, account=account).where()
        where = where.replace("o.is_post AND ", "")
        assert sorted(con.execute(f"SELECT platform, account FROM o WHERE {where}", params).fetchall()) == want
        clauses, params = _inbound_where(None, None, platform, account)
        rows = con.execute(f"SELECT platform, account FROM o AS i WHERE {' AND '.join(clauses)}", params)
        assert sorted(rows.fetchall()) == want, (platform, account)
