"""White space around a handle is no part of it, and every form of the normal form agrees on which characters
are white space: those Python's `str.strip()` removes (strategyfirst.handles.SPACE), a tab, a line break, a
no-break space U+00A0, an ideographic space U+3000 alike. Before, DuckDB's `trim` (the import's SQL) removed
U+00A0 and U+3000 but no tab nor line break, Ibis (`attribution.handle`) and the plain reads' SQL removed nothing,
and Python everything: an account `acme<TAB>` was not the plan's `acme`. Expected values written by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import pyarrow as pa

from strategyfirst.handles import SPACE, trim_space, trim_space_sql
from strategyfirst.plan import handle_forms, loads, normalise_handle
from strategyfirst.sources.base import LoadContext, owned_sql, owned_sql_by_row
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.attribution import handle
from strategyfirst.warehouse.ownership import owned_sql as plan_owned_sql
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import msg, warehouse
from tests.sources.support import query

NBSP, IDEOGRAPHIC = "\u00a0", "\u3000"
# (platform, handle as written, its normal form there)
TABLE = [
    ("x", f"acme{NBSP}", "acme"),
    ("x", f" acme{NBSP}", "acme"),
    ("x", "acme\t", "acme"),
    ("x", "\tacme", "acme"),
    ("x", "acme\n", "acme"),
    ("x", "\r\nAcme\r\n", "acme"),
    ("x", f"{IDEOGRAPHIC}@Acme{IDEOGRAPHIC}", "acme"),
    ("x", "\x0b\x0cacme\x1c\x1f", "acme"),  # vertical tab, form feed, the ASCII separators
    ("x", "\tfive\x0b", "five"),  # in Spark SQL '\v' and '\f' are 'v' and 'f'
    ("x", "\x0cvivid\x0b", "vivid"),
    ("x", "\x85acme\u2028\u2029", "acme"),  # next line, line and paragraph separators
    ("x", "\u2003\u2009acme\u202f\u205f\u1680", "acme"),  # em, thin, narrow no-break, math, ogham spaces
    ("x", f"{NBSP}\t{IDEOGRAPHIC}", ""),
    ("x", f"ac{NBSP}me", f"ac{NBSP}me"),  # inside a name: kept
    ("x", "acme\u200b", "acme\u200b"),  # a zero-width space is no white space (str.isspace)
    ("x", "\ufeffacme", "\ufeffacme"),  # nor a byte-order mark
    ("facebook", "\tCafe @ Home ", "cafe @ home"),
    ("mastodon", f"@Dealingwith@indieweb.social{NBSP}", "dealingwith"),
    ("mastodon", f"{IDEOGRAPHIC}dealingwith@indieweb.social\t", "dealingwith"),
    ("email", f"News@Acme.com{NBSP}", "news@acme.com"),
    ("email", "\tnews@acme.com\n", "news@acme.com"),
]


def test_space_is_what_python_strips() -> None:
    """The one definition: every character `str.isspace` calls white space, and no other."""
    assert set(SPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert len(SPACE) == 29


def test_the_normal_form_trims_the_same_space_in_python_ibis_and_sql() -> None:
    """Before: Ibis gave `acme\\t` and `acme\\xa0` for `acme<TAB>` and `acme<NBSP>`, the import's SQL `acme\\t`
    (owned in Python, not in the warehouse)."""
    want = [normal for _, _, normal in TABLE]
    # Python
    assert [trim_space(raw) for _, raw, _ in TABLE] == [raw.strip() for _, raw, _ in TABLE]
    assert [normalise_handle(raw, platform) for platform, raw, _ in TABLE] == want
    assert [handle_forms(raw)[1] if platform == "mastodon" else handle_forms(raw)[0]
            for platform, raw, _ in TABLE] == want
    # Ibis on DuckDB, with the rows' platform column and with one platform for all
    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(TABLE))), "platform": [r[0] for r in TABLE],
                                "account": [r[1] for r in TABLE]}))
    t = ibis.duckdb.from_connection(con).table("t")
    assert t.select("i", h=handle(t.account, t.platform)).order_by("i").to_pyarrow()["h"].to_pylist() == want
    for platform, raw, normal in TABLE:
        one = ibis.memtable({"account": [raw]})
        assert ibis.duckdb.connect().execute(one.select(h=handle(one.account, platform)))["h"].tolist() == [normal]
    # SQL: the trim itself, then the import's and the plain reads' ownership, which own a row when the plan
    # lists its normal form and not when it lists the raw text
    for _, raw, _ in TABLE:
        assert con.execute(f"SELECT {trim_space_sql('$1')}", [raw]).fetchone() == (raw.strip(),), repr(raw)
    row = "FROM (SELECT ? AS platform, ? AS account)"
    for platform, raw, normal in TABLE:
        if not normal:
            continue
        for listed, expect in ((normal, True), (raw, raw == normal)):
            ctx = LoadContext(owned_accounts={platform: frozenset({listed})})
            for sql in (owned_sql(ctx, platform, "account", "FALSE"),
                        owned_sql_by_row(ctx, "platform", "account", "FALSE"),
                        plan_owned_sql({platform: [listed]}, "platform", "account", "FALSE")):
                assert con.execute(f"SELECT {sql} {row}", [platform, raw]).fetchone() == (expect,), (raw, sql)


# A canonical CSV of four posts by the plan's `acme` with white space around the name (a no-break space, a tab,
# an ideographic space before '@acme', a line break inside the quoted cell), one by `acme` and a zero-width
# space (another account), and a reader's reply to the first post.
MESSAGES = ("message_id,platform,account,created_at,owned,in_reply_to,text\n"
            f"p1,x,acme{NBSP},2026-01-05 09:00:00,,,First\n"
            "p2,x,acme\t,2026-01-05 10:00:00,,,Second\n"
            f"p3,x,{IDEOGRAPHIC}@acme,2026-01-06 09:00:00,,,Third\n"
            "p4,x,\"acme\n\",2026-01-06 10:00:00,,,Fourth\n"
            "z1,x,acme\u200b,2026-01-06 11:00:00,,,Not ours\n"
            "r1,x,reader,2026-01-07 09:00:00,,p1,Thanks\n")


def test_a_plan_owns_its_account_written_with_space_around_it(tmp_path: Path) -> None:
    """The plan owns `acme`: its four posts are owned (before: 2, the tab's and the line break's were the
    audience's), stored under `acme` (before: `acme\\t`, `acme\\n`), one reader's reply is inbound."""
    ws = Workspace(tmp_path)
    ws.plan_path.write_text("version: 1\naccounts:\n  x: ['acme']\n", encoding="utf-8")
    (tmp_path / "messages.csv").write_text(MESSAGES, encoding="utf-8")
    ws.ingest([tmp_path / "messages.csv"])
    assert query(ws, "SELECT message_id, account, owned FROM messages ORDER BY 1") == [
        ("x:p1", "acme", True), ("x:p2", "acme", True), ("x:p3", "acme", True), ("x:p4", "acme", True),
        ("x:r1", "reader", False), ("x:z1", "acme\u200b", False)]
    result = ws.measure(metrics=["posts", "inbound_messages"])
    assert result.value("posts") == 4
    assert result.value("inbound_messages") == 1
    assert ws.measure(metrics=["posts"], by="account").value("posts", "acme") == 4
    assert ws.measure(metrics=["posts"], accounts=[f" @acme{NBSP}"]).value("posts") == 4


def test_a_warehouse_holding_space_around_accounts_owns_them(tmp_path: Path) -> None:
    """Accounts stored with space around them (a warehouse imported before, a source that keeps it) are the
    plan's accounts when derived: before, `acme<NBSP>` and `acme<TAB>` owned nothing and `@Acme<U+3000>` was
    missing from the owned accounts."""
    plan = loads(f"version: 1\naccounts:\n  x: ['{NBSP}acme\t']\n").plan
    assert plan.owned_handles() == {"x": {"acme"}}
    rows = [msg("p1", f"acme{NBSP}", False, "2026-01-05 09:00", text="one"),
            msg("p2", "acme\t", False, "2026-01-05 10:00", text="two"),
            msg("p3", f"@Acme{IDEOGRAPHIC}", True, "2026-01-05 11:00", text="three"),
            msg("r1", "reader", False, "2026-01-05 12:00", text="thanks", reply_to="p1")]
    con = warehouse(tmp_path, rows)
    derive.refresh(con, plan)
    assert con.execute("SELECT account, count(*) FROM owned_messages GROUP BY 1").fetchall() == [("acme", 3)]
    assert con.execute("SELECT message_id, account FROM inbound").fetchall() == [("x:r1", "acme")]
    con.close()

