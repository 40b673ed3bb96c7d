"""A KPI whose data stop long before the day it is judged is not forecast across the silence (the newcomer's
real files: a 2014 Facebook page's audience judged as of 2021 against a 2026 deadline): four whole months or
more without data say "no data since ..." with the last value, and the status is `not_enough_data`, unless an
accumulating or growing KPI has already reached its target (then `met`, still without a forecast).

Expected values are worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.diagnose.inputs import Observation
from strategyfirst.diagnose.rules import STATUS_RULES
from strategyfirst.diagnose.status import kpi_status

START, DEADLINE = dt.date(2014, 1, 1), dt.date(2026, 12, 31)


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


def growth_2014(target: float, as_of: dt.date, deadline: dt.date = DEADLINE, horizon_start: dt.date = START):
    # Net growth 3100, 2500, 1900, 1300, 700, 100 in January to June 2014: 9,600 in all, falling clearly
    # (100, 89, 61, 43, 23 and 3 a day).
    growth = [3100, 2500, 1900, 1300, 700, 100]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(START, 6), growth, strict=True)]
    return kpi_status(objective="permission", metric="audience_growth", target=target, baseline=0,
                      horizon_start=horizon_start, deadline=deadline, as_of=as_of, period="month",
                      actual=Observation(9600.0, 6), series=series)


def test_growth_silent_for_years_is_not_forecast() -> None:
    # Judged as of 28 December 2021: July 2014 to November 2021 are 6 + 6·12 + 11 = 89 whole months without
    # data (December 2021 is not over). Before, the 2014 rate (or its falling line) was carried to 2026.
    k = growth_2014(20_000, dt.date(2021, 12, 28))
    assert k.status == "not_enough_data"
    assert k.actual == 9600
    assert (k.forecast_at_deadline, k.forecast_low, k.forecast_high, k.forecast) == (None, None, None, ())
    assert k.reason.startswith("no data since 2014-06 (none in the 89 whole months up to 2021-12-28): last value "
                               "9,600 against the target 20,000; no forecast")
    assert len(k.series) == 6  # what was measured is still shown


def test_a_reached_target_stays_met_without_a_forecast_across_the_silence() -> None:
    # 9,600 ≥ 9,000: met, whatever a line through the falling 2014 rates would say about 2026 (held from
    # December 2014 at about −130 a day for twelve years, a total far below 0).
    k = growth_2014(9_000, dt.date(2021, 12, 28))
    assert k.status == "met"
    assert k.forecast_at_deadline is None and k.forecast == ()
    assert k.reason == "9,600 has reached the target 9,000; no data since 2014-06, so no forecast"


def test_a_reached_target_stays_met_when_the_data_are_recent() -> None:
    # The same data judged on 30 June 2014 (no silence) against a deadline a year on: the falling line is
    # forecast, held once it reaches June's 100 / 30 a day, the lowest month's (no month lost members: the line
    # carried on would forecast losses none of them showed); the line is there by mid-June already, so the
    # 365 days to 30 June 2015 add 365 × 100 / 30 = 1,216.7: 10,816.7. And 9,600 has reached 9,000: met.
    k = growth_2014(9_000, dt.date(2014, 6, 30), deadline=dt.date(2015, 6, 30))
    assert k.status == "met" and k.reason == "9,600 has reached the target 9,000"
    assert k.forecast_at_deadline == pytest.approx(9_600 + 365 * 100 / 30)


def test_four_whole_months_of_silence_end_the_forecast_three_do_not() -> None:
    # Last data in June 2014. As of 30 October 2014: July, August, September are over (3), October is not:
    # forecast. As of 31 October 2014: October is over too (4): no forecast.
    deadline = dt.date(2015, 6, 30)
    assert growth_2014(20_000, dt.date(2014, 10, 30), deadline).forecast_at_deadline is not None
    k = growth_2014(20_000, dt.date(2014, 10, 31), deadline)
    assert k.status == "not_enough_data" and k.forecast_at_deadline is None
    assert "none in the 4 whole months up to 2014-10-31" in k.reason


def test_silence_before_a_passed_deadline_is_not_judged_on_the_value_left() -> None:
    # Deadline 30 June 2015, judged in 2021: July 2014 to June 2015 are 12 silent months before the deadline,
    # so 9,600 against 20,000 is no evidence the target was missed (the exports may simply not be there).
    k = growth_2014(20_000, dt.date(2021, 12, 28), deadline=dt.date(2015, 6, 30))
    assert k.status == "not_enough_data"
    assert "none in the 12 whole months up to the deadline 2015-06-30" in k.reason


def test_audience_size_and_a_ratio_silent_for_years_are_not_forecast() -> None:
    as_of = dt.date(2021, 12, 28)
    # Audience size 100, 110, 120, 130 at the ends of March to June 2015, target 1,000.
    sizes = [Observation(float(v), 1, period=m) for m, v in zip(months(dt.date(2015, 3, 1), 4),
                                                                 [100, 110, 120, 130], strict=True)]
    k = kpi_status(objective="permission", metric="audience_size", target=1000, baseline=None,
                   horizon_start=START, deadline=DEADLINE, as_of=as_of, period="month",
                   actual=Observation(130.0, 4), series=sizes)
    assert k.status == "not_enough_data" and k.forecast_at_deadline is None
    # July 2015 to November 2021: 6 + 5·12 + 11 = 77 months.
    assert "no data since 2015-06 (none in the 77 whole months up to 2021-12-28): last value 130" in k.reason
    # A page's engagement rate, 900 of 20,000 (4.5 %) in each of March to August 2015, against 2 %: before, the
    # 4.5 % was held to 2026 and called on track.
    rates = [Observation(0.045, 20_000, 900, 20_000, period=m) for m in months(dt.date(2015, 3, 1), 6)]
    k = kpi_status(objective="engagement", metric="engagement_rate", target=0.02, baseline=None,
                   horizon_start=START, deadline=DEADLINE, as_of=as_of, period="month",
                   actual=Observation(0.045, 120_000, 5400, 120_000), series=rates)
    assert k.status == "not_enough_data" and k.forecast_at_deadline is None
    # September 2015 to November 2021: 4 + 5·12 + 11 = 75 months.
    assert "no data since 2015-08 (none in the 75 whole months up to 2021-12-28): last value 4.5%" in k.reason


def test_a_weekly_plan_counts_the_silence_in_months() -> None:
    # Weekly data for the eight weeks from Monday 5 January 2026 (the last one ends Sunday 1 March), 30 of 40
    # answered each week. As of 29 April 2026, eight weeks later, no whole month is silent after March (which
    # the last week reaches into): the lag between two monthly exports, not a stopped run, so a forecast. As of
    # 31 July 2026: April to July, four whole months: no forecast.
    weeks = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(8)]
    series = [Observation(0.75, 40, 30, 40, period=w) for w in weeks]
    actual = Observation(0.75, 320, 240, 320)

    def judged(as_of: dt.date):
        return kpi_status(objective="dialogue", metric="response_rate", target=0.7, baseline=None,
                          horizon_start=dt.date(2026, 1, 5), deadline=dt.date(2026, 12, 31), as_of=as_of,
                          period="week", actual=actual, series=series)

    assert judged(dt.date(2026, 4, 29)).forecast_at_deadline == pytest.approx(240 / 320)
    assert judged(dt.date(2026, 7, 30)).forecast_at_deadline is not None  # July is not over
    late = judged(dt.date(2026, 7, 31))
    assert late.status == "not_enough_data"
    assert late.reason.startswith("no data since the week of 2026-02-23 (none in the 4 whole months up to "
                                  "2026-07-31)")


def test_a_trend_of_the_latest_run_says_the_earlier_periods_are_not_in_it() -> None:
    # A Facebook page at 4.5 % (900 of 20,000) in March to June 2014, then 29 silent months (July 2014 to
    # November 2016), then an X account from December 2016: 100,000 impressions a month, 2,000 engagements
    # falling by 100 a month to 1,300 in July 2017 (2.0 % to 1.3 %, clear). The value so far pools all twelve
    # months, (4·900 + 13,200) / (4·20,000 + 800,000) = 16,800 / 880,000 = 1.9 %; the trend is the X months'.
    fb = [Observation(0.045, 20_000, 900, 20_000, period=m) for m in months(dt.date(2014, 3, 1), 4)]
    engaged = [2000 - 100 * i for i in range(8)]
    assert sum(engaged) == 13_200
    x = [Observation(e / 100_000, 100_000, e, 100_000, period=m)
         for m, e in zip(months(dt.date(2016, 12, 1), 8), engaged, strict=True)]
    k = kpi_status(objective="engagement", metric="engagement_rate", target=0.02, baseline=None,
                   horizon_start=START, deadline=dt.date(2017, 12, 31), as_of=dt.date(2017, 7, 31),
                   period="month", actual=Observation(16_800 / 880_000, 880_000, 16_800, 880_000), series=fb + x)
    assert k.actual == pytest.approx(16_800 / 880_000)
    assert ("a clear trend across 8 months since 2016-12; the 4 earlier months with data, before 29 months "
            "without any, count in the value so far but not in the trend") in k.reason


def test_the_status_rules_state_the_silence_rule() -> None:
    rule = dict(STATUS_RULES)["not_enough_data"]
    assert "silent for 4 whole months or more before the as-of date" in rule


def _net_likes(path: Path) -> int:
    """Σ Daily New Likes − Σ Daily Unlikes of a Page Insights page-level export (its second row holds the
    metrics' descriptions): a source that gives deltas grows by them (metrics.md, audience_growth)."""
    with path.open(newline="", encoding="cp1252") as fh:
        rows = list(csv.DictReader(fh))[1:]
    return sum(int(r["Daily New Likes"] or 0) - int(r["Daily Unlikes"] or 0) for r in rows)


def test_the_newcomers_real_files_say_met_and_no_data_since(tmp_path: Path, shared_data: Path) -> None:
    # The UCI cosmetics page (2014, page total likes by month) and the VIC page (January-February 2014), then
    # four months of @rOpenSci (September to December 2021), so that the as-of day is in December 2021.
    uci = shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"
    vic = shared_data / "facebook-insights" / "VIC"
    page = next(vic.glob("Facebook Insights Data Export - Visualization*.csv"))
    x = sorted((shared_data / "x-analytics" / "rOpenSci").glob("tweet_activity_metrics_rOpenSci_2021*_en.csv"))[-4:]
    with uci.open(newline="", encoding="utf-8") as fh:
        total_likes = [int(r["Page total likes"]) for r in csv.DictReader(fh, delimiter=";")]
    # The UCI page's snapshots only: from the first to the last, 139,441 − 81,370 = 58,071; VIC's deltas: 21.
    grown = (max(total_likes) - min(total_likes)) + _net_likes(page)
    assert grown == 58_092
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(f"""version: 1
organisation: Newcomer
owner: Eng <eng@example.org>
horizon: {{start: 2014-01-01, end: 2026-12-31}}
budget: {{total: 1000, currency: EUR}}
review: {{cadence: monthly}}
accounts:
  facebook: ["Visualization Studio VIC", "cosmetics"]
  x: ["@rOpenSci"]
strategy:
  statement: Build a permission asset so we can grow our influence over time.
  audiences: [researchers]
objectives:
  - id: permission
    statement: Grow the audience
    kpis:
      - {{metric: audience_growth, target: 50000}}
  - id: reach
    statement: Grow it further
    kpis:
      - {{metric: audience_growth, target: {grown + 1000}}}
tactics:
  - id: pages
    channel: facebook
    serves: [permission, reach]
    owner: Eng
    budget: 500
    match: {{accounts: ["Visualization Studio VIC", "cosmetics"]}}
  - id: tweets
    channel: x
    serves: [permission]
    owner: Eng
    budget: 500
    match: {{accounts: ["@rOpenSci"]}}
""", encoding="utf-8")
    ws.ingest_groups([([uci], {"account": "cosmetics"}), ([page, *x], {})])
    d = ws.diagnose()
    assert d.as_of.year == 2021 and d.as_of.month == 12
    met, short = (next(k for k in d.kpis if k.objective == o) for o in ("permission", "reach"))
    assert met.actual == grown and met.status == "met" and met.forecast_at_deadline is None
    assert "no data since 2014-12, so no forecast" in met.reason
    # January to November 2015 … 2021: 11 + 6·12 = 83 whole months before December 2021.
    assert short.actual == grown and short.status == "not_enough_data" and short.forecast_at_deadline is None
    assert short.reason.startswith(f"no data since 2014-12 (none in the 83 whole months up to "
                                   f"{d.as_of.isoformat()}): last value 58,092 against the target 59,092")
