"""Email lists in the permission asset beside followers: per list and per platform, gains and churn
(unsubscribed + cleaned), from the real anonymised Mailchimp exports; expected counts from the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from strategyfirst.workspace import Workspace
from tests.sources.support import earlier_mailchimp_export

FIXTURES = "newsletter/tryghost-fixtures"
AUDIENCE = ["audience_size", "audience_growth", "audience_gained", "audience_lost"]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def count(path: Path) -> int:
    return len(rows(path))


def test_lists_and_followers_per_account_and_platform(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / FIXTURES
    subscribed, unsubscribed, cleaned = (count(folder / f"{s}.csv") for s in ("subscribed", "unsubscribed",
                                                                               "cleaned"))
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir(parents=True)
    (ws.root / "strategy.yaml").write_text(
        "version: 1\naccounts: {email: [Members letter], x: [acme]}\n"
        "strategy: {statement: Build a permission asset}\n"
        "objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 9}]}]\n"
        "tactics: [{id: newsletter, channel: email, serves: [permission], match: {accounts: [Members letter]}}]\n",
        encoding="utf-8")
    ws.ingest([folder / f"{s}.csv" for s in ("subscribed", "unsubscribed", "cleaned")], account="Members letter")
    followers = tmp_path / "followers.csv"
    followers.write_text("date,platform,account,metric,value,gained,lost\n"
                         "2023-01-01,x,acme,followers,100,,\n2023-04-30,x,acme,followers,130,,\n", encoding="utf-8")
    ws.ingest([followers])
    by_account = ws.measure(by="account", metrics=AUDIENCE)
    # Every member joined once; the unsubscribed and cleaned ones left once; the list is the subscribed export.
    assert by_account.value("audience_gained", "Members letter") == subscribed + unsubscribed + cleaned
    assert by_account.value("audience_lost", "Members letter") == unsubscribed + cleaned
    assert by_account.value("audience_size", "Members letter") == subscribed
    assert by_account.value("audience_growth", "Members letter") == subscribed
    assert by_account.value("audience_growth", "acme") == 30
    by_platform = ws.measure(by="platform", metrics=AUDIENCE)
    assert by_platform.value("audience_lost", "email") == unsubscribed + cleaned
    assert by_platform.value("audience_size", "x") == 130
    overall = ws.measure(metrics=AUDIENCE)
    assert overall.value("audience_size") == pytest.approx(subscribed + 130)  # the asset: list + followers
    assert overall.value("audience_growth") == pytest.approx(subscribed + 30)
    by_tactic = ws.measure(by="tactic", metrics=AUDIENCE)  # the plan's email list is the tactic's account
    assert by_tactic.value("audience_lost", "newsletter") == unsubscribed + cleaned
    assert by_tactic.value("audience_size", "newsletter") == subscribed
    # A member export lists every member: months without a join or a leave are no gap in the data.
    assert overall.data_quality["audience_gaps"] == []


def test_older_exports_after_newer_ones_change_no_gain_loss_or_growth(shared_data: Path, tmp_path: Path) -> None:
    """A tester's report: the three exports downloaded on 2023-07-01, then those of 2021-01-01 of the same list
    erased gains (an older unsubscribed export took growth from 0 to -3). Expected by hand from the files:
    15 members joined, 10 left (u1-u5 unsubscribed, c1-c5 cleaned), 5 remain; the older exports change none of
    it, and add the list's size on 2021-01-01."""
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir(parents=True)
    (ws.root / "strategy.yaml").write_text(
        "version: 1\naccounts: {email: [list1]}\nstrategy: {statement: Build a permission asset}\n"
        "objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 9}]}]\n"
        "tactics: [{id: newsletter, channel: email, serves: [permission], match: {accounts: [list1]}}]\n",
        encoding="utf-8")
    ws.ingest([folder / f"{s}.csv" for s in ("subscribed", "unsubscribed", "cleaned")], account="list1",
              exported_on="2023-07-01")
    whole = {"audience_gained": 15, "audience_lost": 10, "audience_growth": 5, "audience_size": 5}
    got = ws.measure(by="account", metrics=AUDIENCE)
    assert {m: got.value(m, "list1") for m in whole} == whole
    # On 2021-01-01: u1, u4 had unsubscribed (2018-07-23, 2020-05-13) and c1, c2, c5 were cleaned (2020-03-23,
    # 2020-06-25, 2020-03-25); the 9 others (all but s1, who joined in 2023) were subscribed.
    unsub, cleaned = rows(folder / "unsubscribed.csv"), rows(folder / "cleaned.csv")
    left_since = [r for r in unsub + cleaned if r["Email Address"][:3] in ("u2@", "u3@", "u5@", "c3@", "c4@")]
    ws.ingest([earlier_mailchimp_export(folder / "unsubscribed.csv", tmp_path / "unsubscribed_2021.csv",
                                        ("u1@", "u4@")),
               earlier_mailchimp_export(folder / "cleaned.csv", tmp_path / "cleaned_2021.csv", ("c1@", "c2@", "c5@"))],
              account="list1", exported_on="2021-01-01")
    got = ws.measure(by="account", metrics=AUDIENCE)
    assert {m: got.value(m, "list1") for m in whole} == whole   # before the fix: 10 gained, growth 0
    ws.ingest([earlier_mailchimp_export(folder / "subscribed.csv", tmp_path / "subscribed_2021.csv",
                                        ("s2@", "s3@", "s4@", "s5@"), left_since)],
              account="list1", exported_on="2021-01-01")
    got = ws.measure(by="account", metrics=AUDIENCE)
    assert {m: got.value(m, "list1") for m in whole} == whole
    # Up to mid-2021: the 2021 export's size, 9, and a growth of 9 from the joins and leaves of the newer exports
    # (subscribers 2 + 2 on 2018-02-05/12; unsubscribed 5 joined - 2 left; cleaned 5 joined - 3 left).
    early = ws.measure(by="account", metrics=AUDIENCE, until="2021-06-30")
    assert (early.value("audience_size", "list1"), early.value("audience_growth", "list1")) == (9, 9)
    # Undo the three exports of 2023-07-01 (#1-#3): as if only those of 2021-01-01 had been imported. By hand:
    # 9 subscribed then (joined), u1, u4 joined and unsubscribed, c1, c2, c5 joined and were cleaned: 14 gained,
    # 5 lost, 9 members.
    for import_id in (1, 2, 3):
        ws.undo_import(import_id)
    got = ws.measure(by="account", metrics=AUDIENCE)
    assert {m: got.value(m, "list1") for m in whole} == {"audience_gained": 14, "audience_lost": 5,
                                                         "audience_growth": 9, "audience_size": 9}


def test_beehiiv_list_size_and_growth_agree(shared_data: Path, tmp_path: Path) -> None:
    """The real beehiiv export: its size (active members) and its growth (gains - losses) are one number."""
    path = shared_data / FIXTURES / "beehiiv_members.csv"
    members = rows(path)
    # Plain-Python reference: the list was empty before its first member; every member but the pending one
    # joined, and is active now (the size) or has left (dated or not).
    size = sum(r["status"] == "active" and not r["unsubscribed_at"].strip() for r in members)
    joined = sum(r["status"] != "pending" for r in members)
    assert (len(members), size, joined) == (9, 5, 8)   # by hand: amett pending; dolor, simet inactive; unsublit left
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir(parents=True)
    (ws.root / "strategy.yaml").write_text(
        "version: 1\naccounts: {email: [Bee]}\nstrategy: {statement: Build a permission asset}\n"
        "objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 9}]}]\n"
        "tactics: [{id: newsletter, channel: email, serves: [permission], match: {accounts: [Bee]}}]\n",
        encoding="utf-8")
    ws.ingest([path], account="Bee")
    got = ws.measure(by="account", metrics=AUDIENCE)
    assert {m: got.value(m, "Bee") for m in AUDIENCE} == {"audience_size": size, "audience_growth": size - 0,
                                                          "audience_gained": joined, "audience_lost": joined - size}
    # Per month: 4 joined in 2023-03 and 4 in 2023-04; unsublit left and the two undated leaves are counted on
    # the export day, 2024-03-13 (the latest time in the file).
    monthly = ws.measure(by="account", period="month", metrics=["audience_growth"])
    assert {r["period"]: r["value"] for r in monthly.rows if r["value"] is not None} == {
        "2023-03": 4, "2023-04": 4, "2024-03": -3}


def _plan(ws: Workspace, account: str) -> None:
    ws.root.mkdir(parents=True)
    (ws.root / "strategy.yaml").write_text(
        f"version: 1\naccounts: {{email: [{account}]}}\nstrategy: {{statement: Build a permission asset}}\n"
        "objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 9}]}]\n"
        f"tactics: [{{id: newsletter, channel: email, serves: [permission], match: {{accounts: [{account}]}}}}]\n",
        encoding="utf-8")


def test_one_list_given_in_several_spellings_is_one_list(shared_data: Path, tmp_path: Path) -> None:
    """A newcomer's report: the list imported as `--account News`, its other exports as `news` and `@NEWS`.
    Accounts match case-insensitively ('@' optional) as handles do: one list, stored and shown as `News` (its
    first spelling), and an older export of it imported later sees the newer ones. By hand from the files: 15
    members joined (5 subscribed, 5 unsubscribed, 5 cleaned), 10 left, 5 remain; the 2021 export changes none
    of it (before the fix it was a list `news` of its own: a size of 5 + 4)."""
    folder = shared_data / FIXTURES
    subscribed, unsubscribed, cleaned = (count(folder / f"{s}.csv") for s in ("subscribed", "unsubscribed",
                                                                               "cleaned"))
    ws = Workspace(tmp_path / "ws")
    _plan(ws, "news")
    for status, spelling in (("subscribed", "News"), ("unsubscribed", "news"), ("cleaned", "@NEWS")):
        ws.ingest([folder / f"{status}.csv"], account=spelling, exported_on="2023-07-01")
    ws.ingest([earlier_mailchimp_export(folder / "subscribed.csv", tmp_path / "subscribed_2021.csv",
                                        ("s2@", "s3@", "s4@", "s5@"))], account=" news", exported_on="2021-01-01")
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        assert con.execute("SELECT DISTINCT account FROM audience").fetchall() == [("News",)]
        assert con.execute("SELECT DISTINCT account FROM member_exports").fetchall() == [("News",)]
    finally:
        con.close()
    got = ws.measure(by="account", metrics=AUDIENCE)
    assert [r["key"] for r in got.rows if r["metric"] == "audience_size"] == ["news"]
    assert {m: got.value(m, "news") for m in AUDIENCE} == {
        "audience_size": subscribed, "audience_growth": subscribed,
        "audience_gained": subscribed + unsubscribed + cleaned, "audience_lost": unsubscribed + cleaned}


def test_a_list_stored_under_two_spellings_is_one_series(shared_data: Path, tmp_path: Path) -> None:
    """A warehouse from before the fix: the same subscribed export imported as `News` and as `news` (stored
    twice). `measure` groups the two spellings as one account: its size is the list's last snapshot, the 5
    members of the file, not 5 per spelling."""
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    _plan(ws, "News")
    ws.ingest([folder / "subscribed.csv"], account="News", exported_on="2023-07-01")
    con = duckdb.connect(str(ws.warehouse_path))
    try:   # what the second import wrote before accounts were matched at import
        con.execute("INSERT INTO audience BY NAME SELECT * REPLACE ('news' AS account) FROM audience")
    finally:
        con.close()
    got = ws.measure(by="account", metrics=["audience_size"])
    assert got.value("audience_size", "News") == count(folder / "subscribed.csv")


def test_growth_rate_of_a_list_counts_the_members_of_every_status_at_the_months_start(shared_data: Path,
                                                                                       tmp_path: Path) -> None:
    """A truth audit on the three real Mailchimp exports of one list (downloaded 2023-07-01): a month's growth
    rate divides by the list's size when the month began, the members who have since unsubscribed or been
    cleaned included. It divided by the `subscribed` export's members only (each status file is its own series):
    April 2023 read 1 / 4 = 0.25, and months whose changes came from the other exports had no rate at all.

    By hand: on 2023-04-01 the list held s2-s5 (joined 2018-02), c3 (cleaned 2023-05-12) and u2 (unsubscribed
    2023-06-06): 6; s1 joined on 2023-04-21, so April is +1 / 6. May: c3 cleaned, -1 / 7. June: u2 left, -1 / 6.
    July: no change, 0 / 5 (the snapshot). 2018-07: u1 left out of the 12 who joined in 2018-02: -1 / 12."""
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    _plan(ws, "news")
    ws.ingest([folder / f"{s}.csv" for s in ("subscribed", "unsubscribed", "cleaned")], account="news",
              exported_on="2023-07-01")
    # Plain-Python reference: each member's join (CONFIRM_TIME, else OPTIN_TIME) and leave month from the files.
    events: list[tuple[str, int]] = []
    for status, left in (("subscribed", None), ("unsubscribed", "UNSUB_TIME"), ("cleaned", "CLEAN_TIME")):
        for r in rows(folder / f"{status}.csv"):
            events.append(((r["CONFIRM_TIME"] or r["OPTIN_TIME"])[:7], +1))
            if left:
                events.append((r[left][:7], -1))
    months = sorted({m for m, _ in events} | {"2023-07"})
    expected = {}
    for month in months:
        start = sum(d for m, d in events if m < month)
        growth = sum(d for m, d in events if m == month)
        if start > 0:
            expected[month] = pytest.approx(growth / start)
    assert (expected["2023-04"], expected["2023-05"], expected["2023-06"], expected["2023-07"],
            expected["2018-07"]) == (1 / 6, -1 / 7, -1 / 6, 0 / 5, -1 / 12)
    monthly = ws.measure(by="account", period="month", metrics=["audience_growth_rate"])
    got = {r["period"]: r["value"] for r in monthly.rows if r["value"] is not None}
    assert got == expected


def test_growth_rate_is_null_where_the_list_size_contradicts_its_joins_and_leaves(shared_data: Path,
                                                                                  tmp_path: Path) -> None:
    """The same three exports without --exported-on: the subscribed one's size (5) is dated by its latest time,
    2023-04-21, yet by then 15 had joined and 8 left (c3 left on 2023-05-12, u2 on 2023-06-06): 7 members by the
    files' joins and leaves, 5 by the snapshot. The size a rate divides by is unknown, so May and June have no
    rate; they read -1 / 5 and -1 / 4 (the true ones, with the export day given, are -1 / 7 and -1 / 6)."""
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    _plan(ws, "news")
    ws.ingest([folder / f"{s}.csv" for s in ("subscribed", "unsubscribed", "cleaned")], account="news")
    monthly = ws.measure(by="account", period="month", metrics=["audience_growth_rate", "audience_growth"])
    assert {r["period"]: r["value"] for r in monthly.rows
            if r["metric"] == "audience_growth_rate" and r["value"] is not None} == {}
    # The growth itself stands: -1 in May and in June.
    assert (monthly.value("audience_growth", "news", "2023-05"), monthly.value("audience_growth", "news", "2023-06")
            ) == (-1, -1)
