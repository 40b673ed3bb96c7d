"""KPI status rules on constructed series whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
from calendar import monthrange

import pytest
from scipy import stats

from strategyfirst.diagnose.inputs import Observation, period_start
from strategyfirst.diagnose.status import FOOTNOTES, STATUS_RULES, kpi_status, segments

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
JUNE_END = dt.date(2026, 6, 30)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]


def days_in(month: dt.date) -> int:
    return monthrange(month.year, month.month)[1]


def counts(per_day: list[float]) -> tuple[Observation, list[Observation]]:
    """A count series whose month m has per_day[m] × days-in-month, and its total."""
    series = [Observation(r * days_in(m), 1, period=m) for m, r in zip(MONTHS, per_day, strict=True)]
    return Observation(sum(o.value or 0 for o in series), 6), series


def ratios(values: list[float], n: int = 100) -> tuple[Observation, list[Observation]]:
    series = [Observation(v, n, v * n, n, period=m) for m, v in zip(MONTHS, values, strict=False)]
    k, total = sum(o.numerator or 0 for o in series), sum(o.denominator or 0 for o in series)
    return Observation(k / total, int(total), k, total), series


def status(metric: str, target: float | None, actual: Observation | None, series: list[Observation], *,
           baseline: float | None = None, as_of: dt.date = JUNE_END, deadline: dt.date = END):
    return kpi_status(objective="o", metric=metric, target=target, baseline=baseline, horizon_start=START,
                      deadline=deadline, as_of=as_of, period="month", actual=actual, series=series)


def test_count_on_pace_is_on_track_and_forecast_is_exact() -> None:
    # 10 a day all year reaches 3650 on 31 Dec; by 30 June (181 days) 1810 stand against 3650·181/365 = 1810.
    actual, series = counts([10] * 6)
    k = status("audience_gained", 3650, actual, series)
    assert k.actual == 1810
    assert k.expected_now == pytest.approx(1810)
    assert k.forecast_at_deadline == pytest.approx(3650)  # 1810 + 10 × 184 days left
    assert k.status == "on_track"
    assert k.series[-1].value == 1810 and k.series[-1].period == JUNE_END


def test_count_at_half_pace_is_off_track() -> None:
    # 5 a day: 905 now against 1810; forecast 905 + 5 × 184 = 1825, with no noise the interval is a point.
    actual, series = counts([5] * 6)
    k = status("audience_gained", 3650, actual, series)
    assert k.actual == 905
    assert k.forecast_at_deadline == pytest.approx(1825)
    assert k.forecast_high == pytest.approx(1825)
    assert k.status == "off_track"


def test_count_behind_but_accelerating_is_at_risk() -> None:
    # Rates 2,4,...,12 a day: 1270 now (behind 1810); the rising trend carries on to about 14..24 a day in
    # Jul-Dec, i.e. roughly 14·31+16·31+18·30+20·31+22·30+24·31 = 3494 more: the forecast meets 3650.
    actual, series = counts([2, 4, 6, 8, 10, 12])
    k = status("audience_gained", 3650, actual, series)
    assert k.actual == 1270
    assert k.forecast_at_deadline is not None and 4600 < k.forecast_at_deadline < 4900
    assert k.status == "at_risk"


def test_baseline_paces_from_baseline_and_counts_into_actual() -> None:
    # 1200 → 5000 over 365 days; on 2 July (day 183) the pace is 1200 + 3800·183/365 = 3105.2055.
    actual, series = counts([10] * 6)
    k = status("audience_growth", 5000, actual, series, baseline=1200, as_of=dt.date(2026, 7, 2))
    assert k.expected_now == pytest.approx(3105.2055, abs=1e-3)
    assert k.actual == 1200 + 1810


def test_reached_target_is_met() -> None:
    actual, series = counts([30] * 6)  # 5430 ≥ 5000
    assert status("audience_gained", 5000, actual, series).status == "met"


def test_nothing_measured_is_no_data() -> None:
    k = status("response_rate", 0.9, None, [])
    assert k.status == "no_data" and k.actual is None and k.forecast_at_deadline is None
    assert status("response_rate", 0.9, Observation(None, 0), []).status == "no_data"
    assert status("response_rate", None, *ratios([0.95] * 6)).status == "no_data"


def test_ratio_holding_target_is_on_track() -> None:
    actual, series = ratios([0.95] * 6)
    k = status("response_rate", 0.9, actual, series)
    assert k.expected_now == 0.9  # a ratio must hold its target in every period
    assert k.actual == pytest.approx(0.95)
    assert k.forecast_at_deadline == pytest.approx(0.95)
    assert k.status == "on_track"


def test_ratio_far_below_is_off_track_and_clipped() -> None:
    actual, series = ratios([0.5, 0.45, 0.4, 0.35, 0.3, 0.25])
    k = status("response_rate", 0.9, actual, series)
    assert k.status == "off_track"
    # The trend falls 0.05 a month; six more months would go below zero: a ratio is clipped at 0.
    assert k.forecast_at_deadline is not None and 0.0 <= k.forecast_at_deadline < 0.05


def test_ratio_ahead_but_trending_down_is_at_risk() -> None:
    actual, series = ratios([0.99, 0.97, 0.95, 0.93, 0.91, 0.89])  # mean 0.94 ≥ 0.9, heading to ~0.78
    k = status("response_rate", 0.9, actual, series)
    assert k.actual == pytest.approx(0.94)
    assert k.status == "at_risk"


def test_minutes_direction_down() -> None:
    fast = [Observation(45.0, 50, period=m) for m in MONTHS]
    assert status("first_response_minutes_median", 60, Observation(45.0, 300), fast).status == "on_track"
    slow = [Observation(90.0, 50, period=m) for m in MONTHS]
    k = status("first_response_minutes_median", 60, Observation(90.0, 300), slow)
    assert k.direction == "down" and k.status == "off_track"


def test_few_periods_pool_a_ratio_with_a_beta_interval() -> None:
    # Issue 13.6 changed this: a ratio's forecast is its pooled rate with a Jeffreys Beta interval, even over
    # two periods (before, two periods gave no interval and the 10 % margin rule decided "at risk").
    # 170/200: Beta(170.5, 30.5), 80 % interval ≈ 0.815–0.880; even its favourable end misses 0.9.
    near = [Observation(0.85, 100, 85, 100, period=m) for m in MONTHS[:2]]
    as_of = dt.date(2026, 2, 28)
    k = status("response_rate", 0.9, Observation(0.85, 200, 170, 200), near, as_of=as_of)
    post = stats.beta(170.5, 30.5)
    assert k.forecast_at_deadline == pytest.approx(0.85)
    assert k.forecast_low == pytest.approx(post.ppf(0.1)) and k.forecast_high == pytest.approx(post.ppf(0.9))
    assert k.status == "off_track"


def test_without_an_interval_the_margin_rule_decides() -> None:
    # One month of a mean score: no interval. 0.30 misses 0.32 by 0.02 < 10 % of it → at risk; 0.2 → off.
    near = [Observation(0.30, 50, period=MONTHS[0])]
    as_of = dt.date(2026, 1, 31)
    k = status("sentiment_inbound_mean", 0.32, Observation(0.30, 50), near, as_of=as_of)
    assert k.forecast_low is None and k.status == "at_risk"
    far = [Observation(0.2, 50, period=MONTHS[0])]
    k = status("sentiment_inbound_mean", 0.32, Observation(0.2, 50), far, as_of=as_of)
    assert k.status == "off_track"


def test_after_the_deadline() -> None:
    actual, series = ratios([0.95] * 6)
    assert status("response_rate", 0.9, actual, series, deadline=dt.date(2026, 5, 31)).status == "met"
    actual, series = ratios([0.8] * 6)
    assert status("response_rate", 0.9, actual, series, deadline=dt.date(2026, 5, 31)).status == "off_track"


def test_noisy_series_has_an_interval_around_the_point() -> None:
    actual, series = ratios([0.91, 0.95, 0.9, 0.96, 0.92, 0.94])
    k = status("response_rate", 0.9, actual, series)
    assert k.forecast_low is not None and k.forecast_high is not None
    assert k.forecast_low < (k.forecast_at_deadline or 0) < k.forecast_high
    assert len(k.forecast) == 6 and k.forecast[0].period == dt.date(2026, 7, 1)


def test_period_labels_and_segments() -> None:
    assert period_start("2026-03") == dt.date(2026, 3, 1)
    assert period_start("2026-W09") == dt.date(2026, 2, 23)  # ISO week 9 of 2026 starts Monday 23 Feb
    assert period_start("2026-03-01") == dt.date(2026, 3, 1)
    assert segments(dt.date(2026, 1, 30), dt.date(2026, 3, 2), "month") == [
        (dt.date(2026, 1, 30), dt.date(2026, 2, 1)), (dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 2))]


def test_rules_are_published_for_the_report() -> None:
    assert {s for s, _ in STATUS_RULES} == {"on_track", "at_risk", "off_track", "no_data", "not_enough_data",
                                            "not_judged", "met"}
    assert all(isinstance(f, str) and f for f in FOOTNOTES)


def test_audience_size_paces_from_its_first_value() -> None:
    # A level, not a sum: actual is the last snapshot; the pace runs from the first measured value (1000) to
    # 2000 over the year, so on 30 June it stands at 1000 + 1000·181/365 = 1495.89.
    series = [Observation(1000.0 + 100 * i, 1, period=m) for i, m in enumerate(MONTHS)]
    k = status("audience_size", 2000, Observation(1500.0, 6), series)
    assert k.paced and k.baseline == 1000 and k.actual == 1500
    assert k.expected_now == pytest.approx(1495.89, abs=0.01)
    # Ahead now, but +100 a month is followed only as far past the last snapshot (30 June, day 181) as the
    # first lies behind (31 January, day 31): to day 331 (27 November). Least squares through the month ends
    # t = 31, 59, 90, 120, 151, 181 (mean 632/6 = 105.33): Σ(t - t̄)(y - ȳ) = 50·(-5·31 - 3·59 - 90 + 120 + 3·151
    # + 5·181) = 52,800, Σ(t - t̄)² = 82,504 - 632²/6 = 15,933.33, slope 3.3138 a day; followed from the last
    # snapshot (1500 on day 181) to day 331: 1500 + 3.3138 × 150 = 1997.07, held there to 31 December: just short
    # of 2000, so at risk (a line followed on to December, as before, would reach about 2,100).
    assert "a clear trend across 6 months" in k.reason
    assert k.forecast_at_deadline == pytest.approx(1997.07, abs=0.01)
    assert k.status == "at_risk"


def test_weekly_periods() -> None:
    # 70 a week from Monday 5 January (ISO week 2) to Sunday 28 June: 25 weeks, 1750, target 3650 by 31 Dec.
    weeks = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(25)]
    series = [Observation(70.0, 1, period=w) for w in weeks]
    k = kpi_status(objective="o", metric="audience_gained", target=3650, baseline=None, horizon_start=START,
                   deadline=END, as_of=dt.date(2026, 6, 28), period="week", actual=Observation(1750.0, 25),
                   series=series)
    assert k.actual == 1750
    # January holds data, so its first days (Thursday 1 to Sunday 4, the week of 29 December without any) are
    # days of none, not missing: 1750 in the 4 + 175 = 179 days from 1 January to 28 June, carried over the 186
    # days from 29 June to 31 December: 1750 + 186 × 1750 / 179 = 1750 + 325,500 / 179 ≈ 1750 + 1818.44.
    assert k.forecast_at_deadline == pytest.approx(1750 + 186 * 1750 / 179)
    assert k.forecast_at_deadline == pytest.approx(3568.44, abs=0.01)
    assert k.forecast[0].period == dt.date(2026, 7, 5)  # the end of the week holding 29 June


def test_without_horizon_or_deadline() -> None:
    actual, series = ratios([0.95] * 6)
    k = kpi_status(objective="o", metric="response_rate", target=0.9, baseline=None, horizon_start=None,
                   deadline=None, as_of=JUNE_END, period="month", actual=actual, series=series)
    # Not "on track": with no deadline there is neither a forecast nor a horizon to hold the target over.
    assert k.status == "not_judged" and k.forecast_at_deadline is None
    actual, series = ratios([0.5] * 6)
    k = kpi_status(objective="o", metric="response_rate", target=0.9, baseline=None, horizon_start=None,
                   deadline=None, as_of=JUNE_END, period="month", actual=actual, series=series)
    assert k.status == "not_judged" and "no deadline" in k.reason


def test_a_kpi_without_a_deadline_is_not_judged_and_says_why() -> None:
    # QA: no horizon, no `by`: audience growth 33 against 100 read "on track" with nothing needed now and no
    # forecast. A sixth of one a day over January–June (181 days) is 181/6 ≈ 30.2 so far.
    growth = counts([1 / 6] * 6)
    k = kpi_status(objective="o", metric="audience_growth", target=100, baseline=0, horizon_start=None,
                   deadline=None, as_of=JUNE_END, period="month", actual=growth[0], series=growth[1])
    assert k.actual == pytest.approx(181 / 6)
    assert k.status == "not_judged" and k.expected_now is None and k.forecast_at_deadline is None
    assert k.reason.startswith("not judged: the KPI has no deadline (no `by`, and the plan has no horizon")
    assert "30.2 so far against the target 100" in k.reason
    # A ratio holding its target has no deadline to hold it to either: not "on track".
    rate = ratios([0.95] * 6)
    r = kpi_status(objective="o", metric="response_rate", target=0.9, baseline=None, horizon_start=None,
                   deadline=None, as_of=JUNE_END, period="month", actual=rate[0], series=rate[1])
    assert r.status == "not_judged" and "95.0% so far against the target 90.0%" in r.reason
    # A count past its target has got there, deadline or not: 1 a day for 181 days is 181 ≥ 100.
    done = counts([1.0] * 6)
    m = kpi_status(objective="o", metric="audience_growth", target=100, baseline=0, horizon_start=None,
                   deadline=None, as_of=JUNE_END, period="month", actual=done[0], series=done[1])
    assert m.status == "met"
