"""warehouse.ownership: the plan's ownership rule in SQL gives what the Ibis rule (facts.plan_owned,
facts.audience_owned) gives, row by row, on rows worked out by hand."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from strategyfirst.plan import loads
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.engine import ibis_backend
from strategyfirst.warehouse.ownership import audience_owned_sql, listed_accounts, owned_sql

PLAN = loads("""
version: 1
accounts: {x: ["@Acme", "acmehelp"], Facebook: ["Acme Outdoor"], email: [], pixelfed: ["@dealingwith@indieweb.social"]}
""").plan

# (platform, account, stored owned flag) -> owned by the rule (messages), counted (audience)
ROWS = [
    ("x", "Acme", False, True, True),            # listed ('@' and case do not matter)
    ("X", "@ACMEHELP", False, True, True),
    ("x", "OtherBrand", True, False, False),     # flagged owned by its source, not listed: not owned
    ("facebook", "acme outdoor", False, True, True),
    ("facebook", "UCI Cosmetics", True, False, False),
    ("mastodon", "acme", True, True, True),      # no accounts listed there: the source's flag
    ("mastodon", "someone", False, False, True),  # (an audience export is of one's own account)
    ("x", None, False, False, False),
    ("x", "@@acme", False, True, True),          # every leading '@' goes
    # a fediverse account is its user, whatever its instance and however the plan and the data write it
    ("pixelfed", "dealingwith@indieweb.social", False, True, True),
    ("pixelfed", "@DealingWith@IndieWeb.Social", False, True, True),
    ("pixelfed", "dealingwith", False, True, True),
    ("pixelfed", "someoneelse@indieweb.social", True, False, False),
]


def test_the_sql_rule_is_the_ibis_rule() -> None:
    assert listed_accounts(PLAN) == {"x": ["acme", "acmehelp"], "facebook": ["acme outdoor"],
                                     "pixelfed": ["dealingwith"]}
    con = duckdb.connect()
    con.register("t", pa.table({"platform": [r[0] for r in ROWS], "account": [r[1] for r in ROWS],
                                "owned": [r[2] for r in ROWS], "i": list(range(len(ROWS)))}))
    listed = listed_accounts(PLAN)
    got = con.execute(f"SELECT coalesce({owned_sql(listed)}, false), coalesce({audience_owned_sql(listed)}, false) "
                      "FROM t ORDER BY i").fetchall()
    assert got == [(r[3], r[4]) for r in ROWS]
    t = ibis_backend(con).table("t")
    plan_accounts = facts.listed_table(PLAN)
    ibis_rule = t.select("i", owned=facts.plan_owned(t, PLAN).fill_null(False),
                         counted=facts.audience_owned(t, plan_accounts).fill_null(False)).order_by("i")
    assert [(r["owned"], r["counted"]) for r in ibis_rule.to_pyarrow().to_pylist()] == [(r[3], r[4]) for r in ROWS]
    # no plan: the source's flag, every audience row
    assert con.execute(f"SELECT count(*) FILTER ({owned_sql({})}), count(*) FILTER ({audience_owned_sql({})}) "
                       "FROM t").fetchone() == (4, len(ROWS))
