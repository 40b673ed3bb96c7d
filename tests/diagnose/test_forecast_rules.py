"""The forecast's stated rules: a trend only when clear (95 %) over four or more complete periods, projected no
further ahead than the data reach back; otherwise the level rule; and no forecast or bound a metric cannot take.

Expected values are worked out by hand in the comments (or in plain Python with scipy's t quantile), not by the
code under test. Days count from 1 January 2026 (day 0); January, March and May have 31 days, February 28.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from strategyfirst.diagnose.forecast import clear_trend
from strategyfirst.diagnose.inputs import Observation
from strategyfirst.diagnose.status import FOOTNOTES, kpi_status

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
JAN, FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in range(1, 6))


def count_status(per_month: list[tuple[dt.date, float]], as_of: dt.date, deadline: dt.date = END,
                 metric: str = "impressions", target: float = 100_000):
    series = [Observation(v, 1, period=m) for m, v in per_month]
    actual = Observation(sum(v for _, v in per_month), len(per_month))
    return kpi_status(objective="o", metric=metric, target=target, baseline=0, horizon_start=START,
                      deadline=deadline, as_of=as_of, period="month", actual=actual, series=series)


def test_three_months_of_a_falling_rate_use_the_level_rule() -> None:
    # 40, 30, 20 a day in January, February, March: 1240 + 840 + 620 = 2700 in 90 days, 30 a day. Three
    # periods are too few for a trend (the old code drew the falling line and took it 9 months on, to rates
    # far below zero). The level rule: 2700 + 30 × 275 days (1 April to 31 December) = 10,950.
    k = count_status([(JAN, 1240), (FEB, 840), (MAR, 620)], as_of=dt.date(2026, 3, 31))
    assert k.actual == 2700
    assert k.forecast_at_deadline == pytest.approx(10_950)
    assert "the 30 a day so far" in k.reason
    # Interval: the daily rates' spread around 30, weighted by days, s² = (31·10² + 28·0² + 31·10²)/2 = 3100;
    # a total over D = 275 days has variance s²·(D + D²/90) (the new days' noise plus the rate's own error).
    half = stats.t.ppf(0.9, 2) * math.sqrt(3100 * (275 + 275**2 / 90))
    assert k.forecast_low == pytest.approx(10_950 - half) and k.forecast_high == pytest.approx(10_950 + half)
    # By the end of April: 2700 + 30 × 30 = 3600.
    assert k.forecast[0].period == dt.date(2026, 4, 30) and k.forecast[0].value == pytest.approx(3600)


def test_a_partial_period_does_not_make_up_the_four() -> None:
    # The same months and 10 a day for 1-15 April: four periods, only three complete. Counted as four, the
    # fall would be a clear trend; as three, the level rule holds: 2850 in 105 days, over the 260 days
    # from 16 April to 31 December.
    t, days, rates = np.array([15.5, 45, 74.5, 97.5]), np.array([31.0, 28, 31, 15]), np.array([40.0, 30, 20, 10])
    assert clear_trend(t, rates, days, floor_s2=2850 / 105) is not None
    assert clear_trend(t, rates, days, floor_s2=2850 / 105, complete=np.array([1, 1, 1, 0], bool)) is None
    k = count_status([(JAN, 1240), (FEB, 840), (MAR, 620), (APR, 150)], as_of=dt.date(2026, 4, 15))
    assert k.actual == 2850
    assert k.forecast_at_deadline == pytest.approx(2850 + 2850 / 105 * 260)  # 9,907.14
    assert "a clear trend" not in k.reason


def test_a_clear_trend_is_held_beyond_the_datas_reach() -> None:
    # The daily rate is exactly 10 + 0.1·t at each month's midpoint t (January 15.5, February 45, March 74.5,
    # April 105): 11.55, 14.5, 17.45, 20.5 a day, i.e. 358.05 + 406 + 540.95 + 615 = 1920 by 30 April.
    # Clear over four complete months; the midpoints span 89.5 days, so the line is followed to day 105 + 89.5
    # = 194.5 and held there at 10 + 19.45 = 29.45 a day. May (mid 135.5): 31 × 23.55 = 730.05; June (mid
    # 166): 30 × 26.6 = 798; July to December, 184 days past the reach: 184 × 29.45 = 5418.8.
    rate = [11.55, 14.5, 17.45, 20.5]
    k = count_status([(JAN, 31 * rate[0]), (FEB, 28 * rate[1]), (MAR, 31 * rate[2]), (APR, 30 * rate[3])],
                     as_of=dt.date(2026, 4, 30))
    assert k.actual == pytest.approx(1920)
    assert "a clear trend across 4 months" in k.reason
    assert k.forecast[0].value == pytest.approx(1920 + 730.05)
    assert k.forecast[1].value == pytest.approx(1920 + 730.05 + 798)
    assert k.forecast_at_deadline == pytest.approx(1920 + 730.05 + 798 + 5418.8)  # 8,866.85
    # Followed on, the line would add 0.1 a day per day beyond day 194.5 (much more than 8,866.85).


def test_a_running_total_is_never_forecast_or_bounded_below_what_is_counted() -> None:
    # A clear fall, 40 - 0.3·t a day (35.35, 26.5, 17.65, 8.5 at the midpoints): the line reaches zero at day
    # 133 and goes negative before its reach (194.5). Impressions cannot be taken back: nothing of the
    # forecast, point or bound, falls below the 2563.8 already counted, and the total never falls.
    rate = [35.35, 26.5, 17.65, 8.5]
    k = count_status([(JAN, 31 * rate[0]), (FEB, 28 * rate[1]), (MAR, 31 * rate[2]), (APR, 30 * rate[3])],
                     as_of=dt.date(2026, 4, 30))
    counted = 31 * 35.35 + 28 * 26.5 + 31 * 17.65 + 30 * 8.5  # 2563.8
    assert k.actual == pytest.approx(counted)
    assert "a clear trend" in k.reason
    values = [p.value for p in k.forecast]
    assert all(p.low is not None and p.low >= counted for p in k.forecast)
    assert all(p.high is not None and p.high >= p.value for p in k.forecast)
    assert values == sorted(values) and values[0] >= counted
    assert k.forecast_low is not None and k.forecast_low >= counted


def test_a_clamped_bound_leaves_the_other_bound_alone() -> None:
    # 100, 0 and 5 a day in January-March (3100 + 0 + 155 = 3255 in 90 days), deadline 30 April: the level
    # rule adds 3255/90 × 30 = 1085. The spread is so wide that the low end would lie below the 3255 already
    # counted: it is clamped there, and the high end is the interval's own.
    k = count_status([(JAN, 3100), (FEB, 0), (MAR, 155)], as_of=dt.date(2026, 3, 31),
                     deadline=dt.date(2026, 4, 30))
    rate = 3255 / 90
    s2 = (31 * (100 - rate) ** 2 + 28 * (0 - rate) ** 2 + 31 * (5 - rate) ** 2) / 2
    half = stats.t.ppf(0.9, 2) * math.sqrt(s2 * (30 + 30**2 / 90))
    assert 3255 + 1085 - half < 3255  # the unclamped low end would undo counted impressions
    assert k.forecast_at_deadline == pytest.approx(3255 + 1085)
    assert k.forecast_low == pytest.approx(3255)
    assert k.forecast_high == pytest.approx(3255 + 1085 + half)


def test_net_audience_growth_may_fall() -> None:
    # Net follower change can be negative (the catalogue leaves it unbounded): no clamp at the actual.
    k = count_status([(JAN, 3100), (FEB, 0), (MAR, 155)], as_of=dt.date(2026, 3, 31),
                     deadline=dt.date(2026, 4, 30), metric="audience_growth", target=10_000)
    assert k.forecast_low is not None and k.forecast_low < 3255


def test_levels_stay_within_what_the_metric_can_take() -> None:
    months = [JAN, FEB, MAR]
    # Audience growth rate (growth / first snapshot) cannot fall below -1 (losing everyone). Values 0.9,
    # -0.95, -0.95 (one account each month) have the mean -1/3 and the interval ± t(0.9, 2)·√(s²/3), with
    # s² = ((0.9 + 1/3)² + 2·(0.95 - 1/3)²)/2: the low end, about -1.5, is held at -1; the high end stays.
    values = [0.9, -0.95, -0.95]
    mean = sum(values) / 3
    s2 = sum((v - mean) ** 2 for v in values) / 2
    half = stats.t.ppf(0.9, 2) * math.sqrt(s2 / 3)
    assert mean - half < -1
    k = kpi_status(objective="o", metric="audience_growth_rate", target=0.1, baseline=None, horizon_start=START,
                   deadline=END, as_of=dt.date(2026, 3, 31), period="month", actual=Observation(mean, 3),
                   series=[Observation(v, 1, period=m) for v, m in zip(values, months, strict=True)])
    assert k.forecast_low == -1.0
    assert k.forecast_high == pytest.approx(mean + half)
    # Engagements per person reached can exceed 1 (people engage more than once): 1.3 is not cut to 1.
    by_reach = [Observation(1.3, 100, 130, 100, period=m) for m in months]
    k = kpi_status(objective="o", metric="engagement_rate_by_reach", target=1.0, baseline=None,
                   horizon_start=START, deadline=END, as_of=dt.date(2026, 3, 31), period="month",
                   actual=Observation(1.3, 300, 390, 300), series=by_reach)
    assert k.forecast_at_deadline == pytest.approx(1.3)


def size_status(snapshots: list[tuple[dt.date, float]], as_of: dt.date, target: float = 1200):
    """Audience size from one snapshot per month (the last of each), paced from the first to `target`."""
    series = [Observation(v, 1, period=m) for m, v in snapshots]
    return kpi_status(objective="o", metric="audience_size", target=target, baseline=None, horizon_start=START,
                      deadline=END, as_of=as_of, period="month", actual=Observation(snapshots[-1][1], len(series)),
                      series=series)


# A month's audience size is its last snapshot, at the month's end: 31 January is day 31 (the end of day 30),
# 28 February day 59, 31 March day 90, 30 April day 120, 31 May day 151, 31 December day 365.


def test_three_snapshots_rising_weakly_hold_the_latest_level() -> None:
    # 1000, 1056, 1087 at the ends of January to March: 56 in 28 days (2 a day), then 31 in 31 days (1 a day).
    # Three periods are too few for a trend (the old code drew the line through them, about +1.47 a day, to
    # about 1,520 by December and called the KPI on track). The level rule holds 1087.
    k = size_status([(JAN, 1000), (FEB, 1056), (MAR, 1087)], as_of=dt.date(2026, 3, 31))
    assert k.actual == 1087 and k.baseline == 1000
    assert k.forecast_at_deadline == 1087
    assert "the latest level held" in k.reason
    # Its interval: per-day changes taken around no change, weighted by their days, s² = (28·2² + 31·1²)/2 =
    # 71.5 per day with 2 dof; over the 275 days left (day 90 to day 365) the level may move ± t(0.9, 2)·√(71.5
    # × 275) = ± 264.4, and by the end of April (30 days) ± t(0.9, 2)·√(71.5 × 30) = ± 87.3.
    half = stats.t.ppf(0.9, 2) * math.sqrt(71.5 * 275)
    assert k.forecast_low == pytest.approx(1087 - half) and k.forecast_high == pytest.approx(1087 + half)
    april = k.forecast[0]
    assert april.value == 1087 and april.high == pytest.approx(1087 + stats.t.ppf(0.9, 2) * math.sqrt(71.5 * 30))
    # Ahead of the pace now (1000 + 200 × 90/365 = 1049.3), but 1087 held misses 1200: at risk.
    assert k.expected_now == pytest.approx(1049.32, abs=0.01)
    assert k.status == "at_risk"


def test_a_partial_month_does_not_make_up_the_four_snapshots() -> None:
    # 1000 + 2 a day exactly, at days 31, 59, 90 and 105 (16 April, a partial April): four periods, three
    # complete, so no trend: 1210 held.
    k = size_status([(JAN, 1062), (FEB, 1118), (MAR, 1180), (APR, 1210)], as_of=dt.date(2026, 4, 15),
                    target=1500)
    assert k.forecast_at_deadline == 1210
    assert "the latest level held" in k.reason


def test_a_clear_trend_in_audience_size_is_held_beyond_the_datas_reach() -> None:
    # 1000 + 2 a day exactly at the ends of January to May (days 31 to 151): 1062, 1118, 1180, 1240, 1302.
    # Clear over five complete months; the snapshots span 120 days, so the line is followed to day 151 + 120 =
    # 271 and held there at 1000 + 2 × 271 = 1542. Followed on, it would reach 1000 + 2 × 365 = 1730.
    k = size_status([(JAN, 1062), (FEB, 1118), (MAR, 1180), (APR, 1240), (MAY, 1302)],
                    as_of=dt.date(2026, 5, 31), target=1700)
    assert "a clear trend across 5 months" in k.reason
    assert k.forecast_at_deadline == pytest.approx(1542)
    # June to August end before the reach (days 181, 212, 243): 1362, 1424, 1486; September to December end
    # beyond it (day 273 on): 1542 each.
    assert [p.period.month for p in k.forecast] == [6, 7, 8, 9, 10, 11, 12]
    assert [p.value for p in k.forecast] == pytest.approx([1362, 1424, 1486, 1542, 1542, 1542, 1542])
    # Paced from the first snapshot: 1062 + 638 × 151/365 = 1325.9 needed now, 1302 stands; a noise-free line
    # has no spread, so even the high end (1542) misses 1700: off track (the line followed on would not).
    assert k.expected_now == pytest.approx(1325.94, abs=0.01)
    assert k.forecast_high == pytest.approx(1542)
    assert k.status == "off_track"


def test_audience_size_is_never_forecast_or_bounded_below_zero() -> None:
    # Held: 100, 10, 100 at days 31, 59, 90 move -90 in 28 days and +90 in 31: s² = (90²/28 + 90²/31)/2 = 275.3
    # per day, so over 275 days ± t(0.9, 2)·√(275.3 × 275) = ± 519: the low end, about -419, is held at 0.
    k = size_status([(JAN, 100), (FEB, 10), (MAR, 100)], as_of=dt.date(2026, 3, 31), target=500)
    half = stats.t.ppf(0.9, 2) * math.sqrt((90**2 / 28 + 90**2 / 31) / 2 * 275)
    assert 100 - half < 0
    assert k.forecast_at_deadline == 100
    assert k.forecast_low == 0 and k.forecast_high == pytest.approx(100 + half)
    assert all(p.low is not None and p.low >= 0 for p in k.forecast)
    # A clear fall, 300 - 2 a day exactly at days 31, 59, 90, 120 (238, 182, 120, 60): the line reaches 0 at
    # day 150, inside its reach (day 209), and would stand at 300 - 2 × 209 = -118 there. It stops at 0.
    k = size_status([(JAN, 238), (FEB, 182), (MAR, 120), (APR, 60)], as_of=dt.date(2026, 4, 30), target=500)
    assert "a clear trend across 4 months" in k.reason
    assert k.forecast_at_deadline == 0
    assert all(p.value >= 0 and p.low is not None and p.low >= 0 for p in k.forecast)
    assert k.forecast[1].value == 0  # June ends on day 181, past the zero


def test_the_footnotes_state_the_rules() -> None:
    text = " ".join(FOOTNOTES)
    assert "daily rate so far" in text and "never forecast or bounded below what is already counted" in text
    assert "four or more complete periods" in text and "no further ahead than the data reach back" in text
    assert "Forecasts of audience size: the latest level held" in text
    assert "For counts, audience size and these alike, a trend replaces the level only where it is clear" in text
