"""A trend is drawn through the latest run of periods only: data that fall silent for four or more periods
start a new run, and a line across the silence is no trend (the tester's real exports: a 2014 page before a
2022 account, one outlying month five years before the rest).

Expected values are worked out by hand in the comments (or in plain Python with scipy's t and Beta quantiles),
not by the code under test.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from strategyfirst.diagnose.forecast import clear_trend, latest_run
from strategyfirst.diagnose.inputs import Observation
from strategyfirst.diagnose.status import FOOTNOTES, kpi_status, periods_between


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


def test_four_empty_periods_start_a_new_run() -> None:
    # Three empty months (February to April) keep January in the run; four (February to May) do not.
    assert periods_between(dt.date(2026, 1, 1), dt.date(2026, 5, 1), "month") == 3
    assert periods_between(dt.date(2026, 1, 1), dt.date(2026, 6, 1), "month") == 4
    assert periods_between(dt.date(2017, 10, 1), dt.date(2022, 11, 1), "month") == 60
    assert periods_between(dt.date(2026, 1, 5), dt.date(2026, 1, 12), "week") == 0
    assert periods_between(dt.date(2026, 1, 5), dt.date(2026, 2, 9), "week") == 4
    assert latest_run(np.array([0, 0, 3, 0])).tolist() == [True, True, True, True]
    assert latest_run(np.array([0, 4, 0, 0, 5, 0])).tolist() == [False, False, False, False, True, True]


def test_a_line_across_a_long_silence_is_no_trend() -> None:
    # Rates 40, 30 at days 15 and 45, then 20, 20, 20, 20 from day 500 on: a clear fall through all six, but the
    # latest run (the four after the gap) is flat, so there is no trend; without the gap's break, there is one.
    t, y, w = np.array([15.0, 45, 500, 530, 560, 590]), np.array([40.0, 30, 20, 20, 20, 20]), np.full(6, 30.0)
    assert clear_trend(t, y, w) is not None
    run = np.array([False, False, True, True, True, True])
    assert clear_trend(t, y, w, run=run) is None
    # A clear rise inside the run counts, over the run's four periods only.
    trend = clear_trend(t, np.array([40.0, 30, 20, 22, 24, 26]), w, run=run)
    assert trend is not None and trend.periods == 4 and trend.t_first == 500 and trend.reach == 590 + 90


def test_audience_growth_flat_after_early_growth_is_not_forecast_to_fall() -> None:
    # The tester's shape: big growth early in 2014, nine years without data, then a flat total for six months.
    # Growth 3100, 1400, 620, 300 in January to April 2014 (100, 50, 20, 10 a day), then +3, -3, +3, -3, +3,
    # -3 in June to November 2025: 5420 in all, flat since. Across all ten months the daily rate falls clearly
    # (from 100 a day to about 0), and the old line, followed to December 2025, went below 0 a day: a forecast
    # below the 5420 already reached. The latest run (June to November 2025) is flat: no trend, so the level
    # rule holds: 5420 in the 303 days with data (120 + 183), carried over December's 31 days.
    start, as_of, deadline = dt.date(2014, 1, 1), dt.date(2025, 11, 30), dt.date(2025, 12, 31)
    early, late = months(start, 4), months(dt.date(2025, 6, 1), 6)
    growth = [3100, 1400, 620, 300, 3, -3, 3, -3, 3, -3]
    series = [Observation(float(v), 1, period=m) for m, v in zip(early + late, growth, strict=True)]
    k = kpi_status(objective="o", metric="audience_growth", target=10_000, baseline=0, horizon_start=start,
                   deadline=deadline, as_of=as_of, period="month", actual=Observation(5420.0, 10), series=series)
    assert k.actual == 5420
    rate = 5420 / 303  # 17.89 a day
    assert k.forecast_at_deadline == pytest.approx(5420 + 31 * rate)  # 5,974.5
    assert k.forecast_at_deadline >= k.actual
    assert "a clear trend" not in k.reason and "17.9 a day so far" in k.reason
    # The interval: the ten daily rates' spread around 17.89, weighted by their days (9 dof); a total over 31
    # days has variance s²·(31 + 31²/303). Net growth may fall, so its low end is not held at 5420.
    days = [31, 28, 31, 30, 30, 31, 31, 30, 31, 30]
    s2 = sum(d * (v / d - rate) ** 2 for d, v in zip(days, growth, strict=True)) / 9
    half = stats.t.ppf(0.9, 9) * math.sqrt(s2 * (31 + 31**2 / 303))
    assert k.forecast_low == pytest.approx(5420 + 31 * rate - half)
    assert k.forecast_high == pytest.approx(5420 + 31 * rate + half)


def test_one_outlying_month_years_before_the_rest_does_not_make_a_trend() -> None:
    # The tester's dialogue ratio: one month in 2017-10 at 21 of 21, then 21 months (2022-11 to 2024-07) of 76
    # owned messages each, 8 and 12 replies in turn (10.5 % and 15.8 %, flat). The line through all 22 falls
    # from 100 % and is clamped at 0 by 2025-12; the latest run (the 21 months after five silent years) is flat,
    # so the forecast is the pooled ratio: (21 + 11·8 + 10·12) / (21 + 21·76) = 229 / 1617 = 14.2 %.
    start, as_of, deadline = dt.date(2017, 1, 1), dt.date(2024, 7, 31), dt.date(2025, 12, 31)
    ks, ns = [21] + [8 if i % 2 == 0 else 12 for i in range(21)], [21] + [76] * 21
    periods = [dt.date(2017, 10, 1), *months(dt.date(2022, 11, 1), 21)]
    series = [Observation(a / b, b, a, b, period=m) for a, b, m in zip(ks, ns, periods, strict=True)]
    actual = Observation(229 / 1617, 1617, 229, 1617)
    k = kpi_status(objective="o", metric="dialogue_ratio", target=0.2, baseline=None, horizon_start=start,
                   deadline=deadline, as_of=as_of, period="month", actual=actual, series=series)
    assert sum(ks) == 229 and sum(ns) == 1617
    assert k.forecast_at_deadline == pytest.approx(229 / 1617)
    assert "a clear trend" not in k.reason and "pooled over all 1,617 owned messages" in k.reason
    # Its interval: the Jeffreys Beta of 229 of 1617, its counts shrunk by the months' dispersion around the
    # pooled rate (Pearson χ² over 21 dof; the 2017 month alone adds 21·(1 − p)/p ≈ 127).
    p = 229 / 1617
    chi2 = sum((a - b * p) ** 2 / (b * p * (1 - p)) for a, b in zip(ks, ns, strict=True))
    phi = max(1.0, chi2 / 21)
    post = stats.beta(229 / phi + 0.5, (1617 - 229) / phi + 0.5)
    assert k.forecast_low == pytest.approx(post.ppf(0.1), rel=1e-6)
    assert k.forecast_high == pytest.approx(post.ppf(0.9), rel=1e-6)
    assert k.forecast_low < p < k.forecast_high


def test_a_trend_inside_the_latest_run_still_counts() -> None:
    # The same old month, then 200 messages a month for 8 months (2023-12 to 2024-07) with replies falling by 8
    # each month, 90, 82, ..., 34 (45 % down to 17 %, 4 points a month): clear within the run and drawn through
    # its 8 months only. Their midpoints span 7 months (213 days: 15.5 December to 15 July), so the line is
    # followed to 15 July + 213 days = 13 February 2025 and held there: 17 % − 4 points × 7 months ≈ −11 %,
    # clamped at 0 % (a rate below 0 cannot happen).
    start, as_of, deadline = dt.date(2017, 1, 1), dt.date(2024, 7, 31), dt.date(2025, 12, 31)
    ks, ns = [21] + [90 - 8 * i for i in range(8)], [21] + [200] * 8
    periods = [dt.date(2017, 10, 1), *months(dt.date(2023, 12, 1), 8)]
    series = [Observation(a / b, b, a, b, period=m) for a, b, m in zip(ks, ns, periods, strict=True)]
    actual = Observation(sum(ks) / sum(ns), sum(ns), sum(ks), sum(ns))
    k = kpi_status(objective="o", metric="dialogue_ratio", target=0.2, baseline=None, horizon_start=start,
                   deadline=deadline, as_of=as_of, period="month", actual=actual, series=series)
    assert "a clear trend across 8 months" in k.reason
    assert k.forecast_at_deadline == 0.0
    # August 2024 (mid 15.5 August, a month past July's mid): 17 % − 4 points = 13 %, about.
    assert k.forecast[0].value == pytest.approx(34 / 200 - 8 / 200, abs=0.005)


def test_the_footnotes_state_the_run_rule() -> None:
    assert "A trend is drawn through the latest run of periods only: data silent for 4 periods or more start a " \
           "new run." in " ".join(FOOTNOTES)
