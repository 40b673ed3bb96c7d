"""A count's daily rate is one rule in its KPI's forecast and in its tactics' verdicts: the count over the days of
the calendar months that hold data. A month with no data at all is a missing export (a metric whose inputs are
absent is null, never 0), so it is neither counted as a month of none (the verdict divided by every day elapsed:
3,522 a day on the rOpenSci exports) nor as an average one by one rule and not the other (the forecast: 3,583);
inside a month with data, a week without any is a week of none. A count silent for 4 whole months or more is not
judged at a rate at all (`status.silence`).

Figures are counted from the real files with the csv module, or worked out by hand in the comments.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.diagnose.engine import diagnose
from strategyfirst.diagnose.inputs import DiagnoseInputs, Observation
from strategyfirst.diagnose.status import counted_days, kpi_status
from strategyfirst.plan import loads

PLAN = """version: 1
organisation: rOpenSci
owner: Eng <eng@example.org>
horizon: {start: 2021-03-01, end: 2022-06-30}
budget: {total: 1000, currency: EUR}
review: {cadence: monthly}
accounts:
  x: ["@rOpenSci"]
strategy:
  statement: Build a community that answers each other.
  audiences: [researchers]
objectives:
  - id: reach
    statement: Be seen
    kpis:
      - {metric: impressions, target: 2000000}
tactics:
  - id: tweets
    channel: x
    serves: [reach]
    owner: Eng
    budget: 500
    match: {accounts: ["@rOpenSci"]}
"""


def test_counted_days_are_the_days_of_the_months_with_data() -> None:
    # March, April and June 2026 hold data, May none: 31 + 30 + 30 = 91 days of [1 March, 30 June], not 122.
    starts = [dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 1)]
    assert counted_days(starts, dt.date(2026, 3, 1), dt.date(2026, 6, 30), "month") == 91
    # Clipped to the window: from 15 March to 10 June, 17 + 30 + 10 = 57.
    assert counted_days(starts, dt.date(2026, 3, 15), dt.date(2026, 6, 10), "month") == 57
    # Weeks: one week with data in March (Monday 9th) and one in June (Monday 1st) mark those months whole:
    # 31 + 30 = 61; the week of Monday 27 April (to 3 May) marks April and May: 31 + 30 + 31 + 30 = 122.
    assert counted_days([dt.date(2026, 3, 9), dt.date(2026, 6, 1)], dt.date(2026, 3, 1), dt.date(2026, 6, 30),
                        "week") == 61
    assert counted_days([dt.date(2026, 3, 9), dt.date(2026, 4, 27), dt.date(2026, 6, 1)], dt.date(2026, 3, 1),
                        dt.date(2026, 6, 30), "week") == 122


WEEKLY = """version: 1
owner: Ann
horizon: {start: 2026-03-02, end: 2026-12-31}
review: {cadence: weekly}
accounts: {email: [newsletter]}
strategy: {statement: Grow the list}
objectives:
  - id: permission
    kpis: [{metric: audience_gained, target: 3000}]
tactics:
  - {id: newsletter, serves: [permission], owner: Ann, match: {accounts: [newsletter]}}
"""


def test_a_weekly_plans_forecast_and_verdict_count_the_same_days() -> None:
    # 70 gained in each of the weeks of 2, 16 and 30 March and of 6 and 20 April (350), nothing in the weeks between
    # (of none: their months hold data), May without data at all (a missing export), 70 in the weeks of 1 and
    # 15 June (490 in all), judged on Sunday 28 June. Months with data: March from the 2nd (30 days), April (30),
    # June to the 28th (28): 88 days, May's 31 left out. 490 / 88 = 5.568 a day in both; the forecast carries it
    # over the 186 days from 29 June to 31 December: 490 + 186 × 490 / 88 ≈ 1,525.7.
    weeks = [dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 30), dt.date(2026, 4, 6),
             dt.date(2026, 4, 20), dt.date(2026, 6, 1), dt.date(2026, 6, 15)]
    series = [Observation(70.0, 1, period=w) for w in weeks]
    plan = loads(WEEKLY).plan
    inputs = DiagnoseInputs(plan=plan, as_of=dt.date(2026, 6, 28))
    inputs.objective_actual[("permission", "audience_gained")] = Observation(490.0, 7)
    inputs.tactic_actual[("newsletter", "audience_gained")] = Observation(490.0, 7)
    inputs.objective_series[("permission", "audience_gained")] = series
    inputs.tactic_series[("newsletter", "audience_gained")] = series
    d = diagnose(inputs)
    k = d.kpis[0]
    assert k.forecast_at_deadline == pytest.approx(490 + 186 * 490 / 88)
    assert "the 5.57 a day so far" in k.reason
    [v] = d.verdicts
    assert v.details[0].note.startswith("490 in 88 days")
    assert "5.57 a day (490 in 88 days" in v.evidence  # the KPI's reason and the verdict tell one rate alike
    assert v.details[0].value == pytest.approx(490 / 88)


def test_kpi_status_counts_quiet_weeks_of_an_exported_month_as_none() -> None:
    # The same weeks through kpi_status: the running total is drawn flat through the quiet weeks of March and
    # April (the weeks of 9 and 23 March, 13 and 27 April: 4 weeks of 0) and not at all through May.
    weeks = [dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 30), dt.date(2026, 4, 6),
             dt.date(2026, 4, 20), dt.date(2026, 6, 1), dt.date(2026, 6, 15)]
    k = kpi_status(objective="o", metric="audience_gained", target=3000, baseline=None,
                   horizon_start=dt.date(2026, 3, 2), deadline=dt.date(2026, 12, 31), as_of=dt.date(2026, 6, 28),
                   period="week", actual=Observation(490.0, 7),
                   series=[Observation(70.0, 1, period=w) for w in weeks])
    assert not any(p.period.month == 5 for p in k.series)
    # 7 weeks with data, 4 quiet weeks in March–April, the week of 27 April cut at 30 April (its May days left
    # out), the weeks of 8 and 22 June quiet: 7 + 4 + 2 = 13 points.
    assert len(k.series) == 13
    assert k.series[-1].value == 490


def rate_figures(folder: Path, first: str, last: str) -> tuple[float, int, list[str]]:
    """Σ impressions of the tweets dated in months first..last (YYYY-MM, UTC), the days of those months that hold
    a tweet, and the months that hold none, read with the csv module."""
    total, held = 0.0, set()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                month = r["time"][:7]
                if first <= month <= last:
                    total += float(r["impressions"])
                    held.add(month)
    every, (y, m) = [], (int(first[:4]), int(first[5:]))
    while f"{y:04d}-{m:02d}" <= last:
        every.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    days = sum(calendar.monthrange(y, m)[1] for y, m in every if f"{y:04d}-{m:02d}" in held)
    return total, days, [f"{y:04d}-{m:02d}" for y, m in every if f"{y:04d}-{m:02d}" not in held]


def test_the_ropensci_exports_forecast_and_judge_impressions_at_one_rate(tmp_path: Path, shared_data: Path
                                                                         ) -> None:
    folder = shared_data / "x-analytics" / "rOpenSci"
    total, days, missing = rate_figures(folder, "2021-03", "2021-12")
    # March to December 2021 is 306 days; May holds no tweet (its export is not among the files): 306 − 31.
    assert missing == ["2021-05"] and days == 306 - 31 == 275
    assert total == 1_026_514
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(PLAN, encoding="utf-8")
    files = sorted(p for p in folder.glob("*.csv") if p.name.split("_")[4].startswith("2021"))
    ws.ingest_groups([(files, {})])
    d = ws.diagnose(dt.date(2021, 12, 31))
    k = d.kpis[0]
    assert k.actual == total
    rate = total / days  # 3,732.78 a day; every day elapsed would give 1,026,514 / 306 = 3,354.6
    assert rate == pytest.approx(3_732.78, abs=0.01)
    # No clear trend: the rate so far, carried over the 181 days of January–June 2022.
    assert "the 3,733 a day so far" in k.reason
    assert k.forecast_at_deadline == pytest.approx(total + 181 * rate)
    [v] = d.verdicts
    [e] = v.details
    assert e.note.startswith(f"{total:,.0f} in {days} days")
    assert e.value == pytest.approx(rate)


def test_a_small_daily_rate_is_told_as_it_is_used() -> None:
    """A list gaining 1 member a month: its forecast adds 1/30-odd a day, and the reason says that rate, not
    "the 0.0 a day so far" beside a forecast that grows."""
    months = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    k = kpi_status(objective="o", metric="audience_gained", target=100, baseline=None,
                   horizon_start=dt.date(2026, 1, 1), deadline=dt.date(2026, 12, 31), as_of=dt.date(2026, 3, 31),
                   period="month", actual=Observation(3.0, 3),
                   series=[Observation(1.0, 1, period=m) for m in months])
    # 3 in the 90 days of January to March: 0.0333 a day, over the 275 days of April to December.
    assert "the 0.0333 a day so far" in k.reason
    assert k.forecast_at_deadline == pytest.approx(3 + 275 * 3 / 90)


def _jan_and_march(metric: str) -> float | None:
    """310 in January and 310 in March 2026, nothing in February, judged on 31 March against 31 December."""
    series = [Observation(310.0, 1, period=dt.date(2026, 1, 1)), Observation(310.0, 1, period=dt.date(2026, 3, 1))]
    k = kpi_status(objective="o", metric=metric, target=100_000, baseline=0, horizon_start=dt.date(2026, 1, 1),
                   deadline=dt.date(2026, 12, 31), as_of=dt.date(2026, 3, 31), period="month",
                   actual=Observation(620.0, 2), series=series)
    return k.forecast_at_deadline


def test_a_month_without_a_join_inside_a_members_list_is_a_month_of_none() -> None:
    # A net audience growth: a member export lists every member up to its export day, so February without a join
    # is a month of none: 620 in the 90 days of January to March, 6.889 a day, over the 275 days of April to
    # December: 620 + 275 × 620 / 90 = 2,514.4. Impressions: a February without any is a missing export, left
    # out: 620 in the 62 days of January and March, 10 a day: 620 + 2,750 = 3,370.
    assert _jan_and_march("audience_growth") == pytest.approx(620 + 275 * 620 / 90)
    assert _jan_and_march("impressions") == pytest.approx(3_370)
    # A gap of 4 months or more is a silence, whatever the metric: its months are left out.
    assert counted_days([dt.date(2026, 1, 1), dt.date(2026, 6, 1)], dt.date(2026, 1, 1), dt.date(2026, 6, 30),
                        "month", span=True) == 31 + 30
    assert counted_days([dt.date(2026, 1, 1), dt.date(2026, 4, 1)], dt.date(2026, 1, 1), dt.date(2026, 4, 30),
                        "month", span=True) == 31 + 28 + 31 + 30
