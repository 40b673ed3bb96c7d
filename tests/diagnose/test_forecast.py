"""The trend and its prediction interval against the textbook OLS formulas (scipy.stats.linregress)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from strategyfirst.diagnose.forecast import fit_line, predict_at, predict_total

T = np.array([15.0, 45.0, 74.0, 105.0, 135.0, 166.0])
Y = np.array([0.91, 0.95, 0.90, 0.96, 0.92, 0.94])


def test_unweighted_prediction_interval_matches_the_textbook() -> None:
    fit = fit_line(T, Y)
    assert fit is not None
    ref = stats.linregress(T, Y)
    n, t0 = len(T), 350.0
    resid = Y - (ref.intercept + ref.slope * T)
    s = math.sqrt(float(np.sum(resid**2)) / (n - 2))
    sxx = float(np.sum((T - T.mean()) ** 2))
    half = stats.t.ppf(0.9, n - 2) * s * math.sqrt(1 + 1 / n + (t0 - T.mean()) ** 2 / sxx)
    p = predict_at(fit, t0)
    assert p.value == pytest.approx(ref.intercept + ref.slope * t0)
    assert p.low == pytest.approx(p.value - half)
    assert p.high == pytest.approx(p.value + half)


def test_weights_match_numpy_polyfit() -> None:
    w = np.array([31, 28, 31, 30, 31, 10], dtype=float)
    fit = fit_line(T, Y, w)
    assert fit is not None
    slope, intercept = np.polyfit(T, Y, 1, w=np.sqrt(w))  # polyfit weights multiply residuals, not squares
    assert fit.beta == pytest.approx([intercept, slope])


def test_total_of_one_unit_segment_equals_one_prediction() -> None:
    fit = fit_line(T, Y)
    assert fit is not None
    one = predict_at(fit, 200.0)
    total = predict_total(fit, np.array([1.0]), np.array([200.0]))
    assert total.value == pytest.approx(one.value)
    assert total.high == pytest.approx(one.high)


def test_total_of_a_constant_rate_is_rate_times_days() -> None:
    fit = fit_line(T, np.full(6, 4.0), np.ones(6) * 30)
    assert fit is not None
    total = predict_total(fit, np.array([31.0, 30.0]), np.array([200.0, 230.0]))
    assert total.value == pytest.approx(4.0 * 61)
    assert total.low == pytest.approx(total.value)


def test_too_few_points_give_no_fit() -> None:
    assert fit_line(T[:2], Y[:2]) is None
    assert fit_line(np.array([5.0, 5.0, 5.0]), np.array([1.0, 2.0, 3.0])) is None
