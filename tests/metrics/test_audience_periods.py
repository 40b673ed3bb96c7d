"""Audience metrics over periods, a member list's growth rate and the plan's ownership of audience series, on a
small hand-made audience table (every expected value worked out by hand in the comments).

Series (one per account):
- A, x @acme followers, snapshots only: Jan 10 100, Jan 31 110, Feb 1 115, Feb 28 120, Apr 15 130.
- B, linkedin acme-li followers: one snapshot, Feb 10 50 (the plan lists no linkedin account: the source's).
- C, email letter subscribers, a member export: Jan 3 +4; Feb 10 +3 -1; Mar 5 +2 and the list's size 8 on the
  export day (4 + 2 + 2 = 8: the deltas are the list's whole history).
- D, email leaky subscribers: Jan 5 +5; Mar 1 -1 and size 2 (5 - 1 = 4 > 2: deltas and size disagree).
- E, facebook Other Brand page likes, daily snapshots Jan 1-3 (1000, 1010, 1020), then Mar 31 5000 (a gap).
  The plan lists facebook: Acme Page only, so this page is not owned: left out of every audience metric.
- F, facebook Acme Page page likes with daily deltas: Jan 30 200 (+5 -1), Jan 31 203 (+4 -1), Feb 1 210 (+8 -1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.errors import MeasureError
from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import msg, warehouse

PLAN = """version: 1
horizon: {start: 2026-01-01, end: 2026-12-31}
accounts:
  x: ["@acme"]
  facebook: ["Acme Page"]
  email: [letter, leaky]
objectives:
  - id: grow
    kpis: [{metric: audience_growth, target: 100}]
tactics:
  - {id: social, serves: [grow], match: {accounts: ["@acme", "Acme Page"]}}
  - {id: email, serves: [grow], match: {accounts: [letter]}}
"""
METRICS = ["audience_size", "audience_growth", "audience_growth_rate"]


def _row(day: str, platform: str, account: str, metric: str, value: float | None = None,
         gained: float | None = None, lost: float | None = None) -> dict[str, Any]:
    return {"date": dt.date.fromisoformat(day), "platform": platform, "account": account, "metric": metric,
            "value": value, "gained": gained, "lost": lost, "import_id": 1}


AUDIENCE = [
    *(_row(d, "x", "acme", "followers", v) for d, v in (("2026-01-10", 100), ("2026-01-31", 110),
                                                        ("2026-02-01", 115), ("2026-02-28", 120),
                                                        ("2026-04-15", 130))),
    _row("2026-02-10", "linkedin", "acme-li", "followers", 50),
    _row("2026-01-03", "email", "letter", "subscribers", None, 4, 0),
    _row("2026-02-10", "email", "letter", "subscribers", None, 3, 1),
    _row("2026-03-05", "email", "letter", "subscribers", 8, 2, 0),
    _row("2026-01-05", "email", "leaky", "subscribers", None, 5, 0),
    _row("2026-03-01", "email", "leaky", "subscribers", 2, 0, 1),
    *(_row(d, "facebook", "Other Brand", "page_likes", v) for d, v in (("2026-01-01", 1000), ("2026-01-02", 1010),
                                                                        ("2026-01-03", 1020), ("2026-03-31", 5000))),
    _row("2026-01-30", "facebook", "Acme Page", "page_likes", 200, 5, 1),
    _row("2026-01-31", "facebook", "Acme Page", "page_likes", 203, 4, 1),
    _row("2026-02-01", "facebook", "Acme Page", "page_likes", 210, 8, 1),
]
# A month-precision post of the page the plan does not own (its source flags it owned, as the UCI import does),
# and an owned post dated to the second.
MESSAGES = [msg("1", "Other Brand", True, "2026-02-01 00:00", platform="facebook", time_precision="month"),
            msg("2", "acme", True, "2026-02-03 10:00", impressions=10)]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A workspace (plan file, warehouse) measured as the CLI measures it: cached and shipped SQL."""
    root = tmp_path_factory.mktemp("audience")
    (root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    workspace = Workspace(root).ensure()
    warehouse(workspace.warehouse_path.parent, [dict(m) for m in MESSAGES], audience=AUDIENCE).close()
    yield workspace


def _values(result: Any, metric: str) -> dict[tuple[str, str], Any]:
    return {(r["key"], r["period"]): r["value"] for r in result.rows if r["metric"] == metric}


def test_months_count_from_the_last_snapshot_before_them_and_add_up(ws: Workspace) -> None:
    months = _values(ws.measure(period="month", metrics=["audience_growth"]), "audience_growth")
    # Jan: A 110 - 100 (no snapshot before: its first) + C 4 + D 5 + F (5-1) + (4-1) = 7
    # Feb: A 120 - 110 (Jan 31, the last before February) + C (3-1) + F (8-1); B alone shows no growth
    # Mar: C 2 + D -1. Apr: A 130 - 120 (Feb 28; March has no snapshot of A)
    assert months == {("all", "2026-01"): 10 + 4 + 5 + 7, ("all", "2026-02"): 10 + 2 + 7,
                      ("all", "2026-03"): 2 - 1, ("all", "2026-04"): 10}
    whole = ws.measure(metrics=["audience_growth"]).value("audience_growth")
    assert whole == (130 - 100) + 8 + 4 + 14 == sum(months.values())  # E's 4,000 is in none of them


def test_a_window_counts_from_the_last_snapshot_before_it(ws: Workspace) -> None:
    february = ws.measure(metrics=METRICS, since="2026-02-01", until="2026-02-28")
    assert february.value("audience_growth") == 10 + 2 + 7  # as February's month row
    row = february.row("audience_growth_rate")
    # A from Jan 31's 110; C from its size on Feb 1: 8 less the deltas since (2 + 2) = 4; F from Jan 31's 203
    assert row is not None and (row["numerator"], row["denominator"]) == (10 + 2 + 7, 110 + 4 + 203)


def test_one_snapshot_shows_no_growth(ws: Workspace) -> None:
    by_account = ws.measure(by="account", metrics=METRICS)
    assert by_account.value("audience_size", "acme-li") == 50
    growth = by_account.row("audience_growth", "acme-li")
    assert growth is not None and (growth["value"], growth["n"]) == (None, 0)
    rate = by_account.row("audience_growth_rate", "acme-li")
    assert rate is not None and (rate["value"], rate["n"]) == (None, 0)


def test_growth_rate_divides_by_the_size_at_the_start(ws: Workspace) -> None:
    by_account = ws.measure(by="account", metrics=METRICS)
    # The member list started empty (8 - (4 + 2 + 2) = 0): no rate, never 8 / 8 over the size at the end.
    letter = by_account.row("audience_growth_rate", "letter")
    assert by_account.value("audience_growth", "letter") == 8
    assert letter is not None and (letter["value"], letter["n"]) == (None, 0)
    # leaky's deltas say 4 where its size says 2: no size at any start can be derived from them.
    assert by_account.value("audience_growth_rate", "leaky") is None
    # Acme Page: 200 on Jan 30 holds that day's +4: 196 at the start.
    assert by_account.value("audience_growth_rate", "Acme Page") == pytest.approx(14 / 196)
    assert by_account.value("audience_growth_rate", "acme") == pytest.approx(30 / 100)
    months = ws.measure(by="account", period="month", metrics=["audience_growth_rate"])
    rates = {k: v for k, v in _values(months, "audience_growth_rate").items() if v is not None}
    assert rates == pytest.approx({
        ("acme", "2026-01"): 10 / 100, ("acme", "2026-02"): 10 / 110, ("acme", "2026-04"): 10 / 120,
        ("Acme Page", "2026-01"): 7 / 196, ("Acme Page", "2026-02"): 7 / 203,
        ("letter", "2026-02"): 2 / (8 - 4), ("letter", "2026-03"): 2 / (8 - 2)})  # 8 less the deltas since


def test_an_account_the_plan_does_not_own_is_left_out(ws: Workspace) -> None:
    overall = ws.measure(metrics=METRICS)
    assert overall.value("audience_size") == 130 + 50 + 8 + 2 + 210  # not E's 5,000
    row = overall.row("audience_growth_rate")
    assert row is not None and (row["numerator"], row["denominator"]) == (30 + 14, 100 + 196)
    keys = {r["key"] for r in ws.measure(by="account", metrics=METRICS).rows}
    assert keys == {"acme", "acme-li", "letter", "leaky", "Acme Page"}
    assert ws.measure(by="platform", metrics=["audience_size"]).value("audience_size", "facebook") == 210
    assert overall.data_quality["audience_not_in_plan"] == [
        {"platform": "facebook", "account": "Other Brand", "rows": 4}]
    assert overall.data_quality["audience_gaps"] == []  # E's 87 days without data are not the plan's


def test_account_filter_on_an_account_the_plan_does_not_own_says_so(ws: Workspace) -> None:
    other = ws.measure(metrics=METRICS, accounts=["Other Brand"])
    assert all(r["value"] is None for r in other.rows)
    assert other.data_quality["accounts_not_owned"] == [
        {"platform": "facebook", "account": "Other Brand", "plan_accounts": ["Acme Page"]}]
    assert "accounts_not_owned" not in ws.measure(metrics=METRICS, accounts=["Acme Page"]).data_quality
    assert "accounts_not_owned" not in ws.measure(metrics=METRICS, accounts=["nobody"]).data_quality


def test_a_coarse_post_no_metric_reads_does_not_refuse_a_period(ws: Workspace) -> None:
    weeks = ws.measure(period="week", metrics=["impressions"])
    assert _values(weeks, "impressions") == {("all", "2026-W06"): 10}


def test_the_kpi_is_the_sum_of_its_months(ws: Workspace) -> None:
    # The objective is served by social (A and F) and email (C): leaky (D) and acme-li (B) are in no tactic.
    # Jan A 10 + F 7 + C 4, Feb A 10 + F 7 + C 2, Mar C 2, Apr A 10.
    months = _values(ws.measure(by="objective", period="month", metrics=["audience_growth"]), "audience_growth")
    assert months == {("grow", "2026-01"): 21, ("grow", "2026-02"): 19, ("grow", "2026-03"): 2,
                      ("grow", "2026-04"): 10}
    kpi = ws.diagnose().kpis[0]
    assert kpi.metric == "audience_growth" and kpi.actual == (30 + 14) + 8 == sum(months.values())


def test_tactics_and_platforms_add_up_too(tmp_path: Path) -> None:
    """By tactic and by platform through Ibis (no cached SQL): each key's months sum to its whole."""
    plan = loads(PLAN, "strategy.yaml").plan
    con = warehouse(tmp_path, [dict(m) for m in MESSAGES], audience=AUDIENCE)
    try:
        derive.refresh(con, plan)
        backend = ibis_backend(con)
        for by, want in (("tactic", {"social": 30 + 14, "email": 8}),
                         ("platform", {"x": 30, "facebook": 14, "email": 8 + 4})):
            whole = _values(measure(backend, plan, by=by, metric_ids=["audience_growth"]), "audience_growth")
            months = _values(measure(backend, plan, by=by, period="month", metric_ids=["audience_growth"]),
                             "audience_growth")
            assert {k: v for (k, _), v in whole.items() if v is not None} == want, by
            for key, total in want.items():
                assert sum(v for (k, _), v in months.items() if k == key and v is not None) == total, (by, key)
        # An owned post dated only to the month does refuse weeks.
        con.execute("UPDATE messages SET account = 'Acme Page' WHERE message_id = 'facebook:1'")
        derive.refresh(con, plan, force=True)
        with pytest.raises(MeasureError, match=": 1 messages are dated only to the month"):
            measure(backend, plan, period="week", metric_ids=["impressions"])
    finally:
        con.close()


def test_an_account_two_tactics_of_one_objective_match_counts_once_in_it(tmp_path: Path) -> None:
    """Both tactics of `grow` match the Acme Page: each counts its audience, the objective once (as a message
    attributed to two tactics counts once overall)."""
    plan = PLAN.replace("  - {id: email, serves: [grow], match: {accounts: [letter]}}\n",
                        "  - {id: launch, serves: [grow], match: {accounts: [\"Acme Page\"], platform: [facebook]}}\n")
    (tmp_path / "strategy.yaml").write_text(plan, encoding="utf-8")
    workspace = Workspace(tmp_path).ensure()
    warehouse(workspace.warehouse_path.parent, [dict(m) for m in MESSAGES], audience=AUDIENCE).close()
    asked = [*METRICS, "audience_gained", "audience_lost"]
    by_tactic = workspace.measure(by="tactic", metrics=asked)
    by_objective = workspace.measure(by="objective", metrics=asked)
    # launch: F alone (Acme Page: 210 at the end; deltas +5 -1, +4 -1, +8 -1: gained 17, lost 3, growth 14).
    # social: A (x @acme, 130 at the end, 130 - 100) and F.
    assert [by_tactic.value(m, "launch") for m in asked[:2] + asked[3:]] == [210, 14, 17, 3]
    assert [by_tactic.value(m, "social") for m in asked[:2] + asked[3:]] == [340, 44, 17, 3]
    # grow: A and F once each, not F twice.
    assert [by_objective.value(m, "grow") for m in asked[:2] + asked[3:]] == [340, 44, 17, 3]
    assert by_objective.value("audience_growth_rate", "grow") == pytest.approx(44 / (100 + 196))


# A member list imported from two exports of one platform (QA: Substack's sign-ups file gives each join day and
# the size on the last one, the later subscribers file only the size on the day it was saved): the members who
# left in between have no date, only the smaller size says so.
# news: Jan 5 +3; Jan 20 +2 -1 and size 4 (3 + 2 - 1: the list started empty); Feb 10 +1 (size 5 by the
#       deltas); Mar 31 size 3 and no deltas: -2 against the 5 before it.
# solo: Jan 6 +6 and no size; Feb 2 size 4 and no deltas (the 6 joins less 2 undated leaves): -2.
TWO_EXPORTS = [
    _row("2026-01-05", "email", "news", "subscribers", None, 3, 0),
    _row("2026-01-20", "email", "news", "subscribers", 4, 2, 1),
    _row("2026-02-10", "email", "news", "subscribers", None, 1, 0),
    _row("2026-03-31", "email", "news", "subscribers", 3),
    _row("2026-01-06", "email", "solo", "subscribers", None, 6, 0),
    _row("2026-02-02", "email", "solo", "subscribers", 4),
]
LISTS_PLAN = """version: 1
horizon: {start: 2026-01-01, end: 2026-12-31}
accounts:
  email: [news, solo]
"""


@pytest.fixture(scope="module")
def lists_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("lists")
    (root / "strategy.yaml").write_text(LISTS_PLAN, encoding="utf-8")
    workspace = Workspace(root).ensure()
    warehouse(workspace.warehouse_path.parent, [], audience=TWO_EXPORTS).close()
    yield workspace


def test_a_later_smaller_size_without_deltas_counts_in_the_whole_as_in_its_month(lists_ws: Workspace) -> None:
    whole = lists_ws.measure(by="account", metrics=METRICS)
    months = _values(lists_ws.measure(by="account", period="month", metrics=["audience_growth"]),
                     "audience_growth")
    # news: Jan 3 + 2 - 1 = 4, Feb +1, Mar 3 - 5 = -2; solo: Jan +6, Feb 4 - 6 = -2.
    assert months == {("news", "2026-01"): 4, ("news", "2026-02"): 1, ("news", "2026-03"): -2,
                      ("solo", "2026-01"): 6, ("solo", "2026-02"): -2}
    # The whole is its months' sum and, the lists having started empty, their sizes: not Σ deltas (5 and 6).
    assert [whole.value("audience_growth", k) for k in ("news", "solo")] == [4 + 1 - 2, 6 - 2] == [3, 4]
    assert [whole.value("audience_size", k) for k in ("news", "solo")] == [3, 4]
    overall = lists_ws.measure(metrics=["audience_growth"]).value("audience_growth")
    assert overall == 3 + 4
    # March alone counts from the 5 at its start (Jan 20's 4 carried over Feb's +1), not from the 4.
    march = lists_ws.measure(by="account", metrics=METRICS, since="2026-03-01", until="2026-03-31")
    assert march.value("audience_growth", "news") == -2
    assert march.value("audience_growth_rate", "news") == pytest.approx(-2 / 5)
    # The report's permission-asset table reads the same figure.
    rows = {r["account"]: r["growth"] for r in lists_ws.audience_growth()}
    assert rows == {"news": 3, "solo": 4}
