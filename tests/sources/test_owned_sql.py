"""`owned_sql`: an account is owned when the source flags it or it is one of the plan's handles once trimmed, its
'@' dropped and lower-cased (plan.normalise_handle, the reference here) — also past the byte-length shortcut that
skips the string work for accounts too short to be any handle (a character may lower-case to more bytes)."""

from __future__ import annotations

import duckdb
import pytest

from strategyfirst.plan.model import normalise_handle
from strategyfirst.sources.base import LoadContext, owned_sql

HANDLES = frozenset({"northwindhelp", "ⱥⱥ", "ab", "dealingwith"})  # 'ⱥⱥ': 2 characters, 6 bytes; 'ab' the shortest
ACCOUNTS = ["NorthwindHelp", " @NorthWindHELP ", "@@northwindhelp", "northwindhel", "115712", "a", "AB", "@ab",
            " ab", "ȺȺ", "@ȺȺ", "Ⱥ", "ⱥⱥⱥ", "", " ", "northwindhelp2", None,
            # fediverse accounts (user@instance) are their user; an '@' before no host name stays
            "dealingwith@indieweb.social", "@DealingWith@IndieWeb.Social", "ab@x.y.z", "dealingwith@localhost",
            "dealingwith @ indieweb.social", "dealingwith@indieweb.", "dealingwith@@indieweb.social", "x@ab.social"]


@pytest.mark.parametrize("platform", ["mastodon", "x"])
@pytest.mark.parametrize("flag", [None, False, True])
def test_owned_equals_the_plan_handle_rule(flag: bool | None, platform: str) -> None:
    ctx = LoadContext(owned_accounts={platform: HANDLES})
    con = duckdb.connect()
    con.execute("CREATE TABLE a (account VARCHAR, flag BOOLEAN)")
    con.executemany("INSERT INTO a VALUES (?, ?)", [(acc, flag) for acc in ACCOUNTS])
    got = dict(con.execute(f"SELECT account, {owned_sql(ctx, platform, 'account', 'flag')} FROM a").fetchall())
    expected = {acc: bool(flag) or (acc is not None and normalise_handle(acc, platform) in HANDLES)
                for acc in ACCOUNTS}
    assert got == expected
    assert {normalise_handle("ȺȺ", platform), normalise_handle(" @NorthWindHELP ", platform)} <= HANDLES
    # on the fediverse `user@instance` is its user; elsewhere an '@host' is part of the account
    fediverse = {acc for acc in ACCOUNTS if acc and "@" in acc.strip().lstrip("@") and got[acc] != bool(flag)}
    assert fediverse == (set() if flag or platform == "x" else {
        "dealingwith@indieweb.social", "@DealingWith@IndieWeb.Social", "ab@x.y.z"})


@pytest.mark.parametrize(("given", "normal"), [
    ("dealingwith", "dealingwith"), ("@dealingwith", "dealingwith"), ("@dealingwith@indieweb.social", "dealingwith"),
    (" @DealingWith@IndieWeb.Social ", "dealingwith"), ("dealingwith@indieweb.social", "dealingwith"),
    ("Cafe @ Home", "cafe @ home"), ("dealingwith@localhost", "dealingwith@localhost"), ("a@b.", "a@b."),
    ("a@b.c@d.e", "a@b.c@d.e")])
def test_a_handle_and_an_account_have_one_normal_form_in_python_ibis_and_sql(given: str, normal: str) -> None:
    """plan.normalise_handle (Python), attribution.handle (Ibis, every measurement) and owned_sql (an import's
    SQL) agree on Mastodon: a fediverse `user@instance` is its user, as a mention `@user@instance` names it
    (other platforms: tests/warehouse/test_handles_by_platform.py)."""
    import ibis

    from strategyfirst.warehouse.attribution import handle

    assert normalise_handle(given, "mastodon") == normal
    t = ibis.memtable({"account": [given.strip()]})
    assert ibis.duckdb.connect().execute(t.select(h=handle(t.account, "mastodon")))["h"].tolist() == [normal]
    ctx = LoadContext(owned_accounts={"mastodon": frozenset({normal})})
    con = duckdb.connect()
    sql = owned_sql(ctx, "mastodon", "account", "FALSE")
    assert con.execute(f"SELECT {sql} FROM (SELECT ? AS account)", [given]).fetchone() == (True,)


def test_a_plan_handle_in_greek_or_turkish_owns_its_account() -> None:
    """The plan's handles are lower-cased as DuckDB lower-cases the data's accounts (each character on its own):
    with Python's str.lower a Greek page name ending in Σ, or a Turkish one with İ, was never owned."""
    names = ["ΚΑΦΕΣ ΑΘΗΝΑΣ", "İzmir Velo", "@Straße"]
    ctx = LoadContext(owned_accounts={"facebook": frozenset(normalise_handle(n, "facebook") for n in names)})
    con = duckdb.connect()
    con.execute("CREATE TABLE a (account VARCHAR)")
    con.executemany("INSERT INTO a VALUES (?)", [(n,) for n in [*names, "καφεσ αθηνασ", "izmir velo", "other"]])
    got = dict(con.execute(f"SELECT account, {owned_sql(ctx, 'facebook', 'account', 'NULL')} FROM a").fetchall())
    assert got == {"ΚΑΦΕΣ ΑΘΗΝΑΣ": True, "İzmir Velo": True, "@Straße": True, "καφεσ αθηνασ": True,
                   "izmir velo": True, "other": False}
    assert normalise_handle(" @ΚΑΦΕΣ ", "facebook") == "καφεσ" and normalise_handle("İ", "facebook") == "i"
