"""Forecasts on review-period series (pure NumPy/SciPy): linear trends, pooled ratios, weighted levels.

A weighted least-squares line y = a + b·t (t in days since the series' start; weights = days each period
covers, so a partial current period counts for less), or a weighted level y = a (`fit_level`: the same
predictions without a slope). Two predictions:

- `predict_at(t0)`: one future period's value, for metrics that must hold their target in every period;
- `predict_total(segments)`: the sum of future per-day rates times days, for accumulating counts (and, with a
  known level of no change, how far a held level can move over the days left).

Intervals are the classical prediction intervals of the regression (Student t with n − 2 degrees of freedom,
n − 1 for a level), at `LEVEL` (80 %) by default; fewer than 3 periods give a point without an interval.

For values that must hold a target (ratios, means), `pooled_ratio`, `clear_trend` and `weighted_level` below
weight periods by their observations instead of letting a one-message week pull a line (issue 13.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strategyfirst.diagnose.distributions import Beta, t_ppf
from strategyfirst.diagnose.rules import LONG_GAP_PERIODS

LEVEL = 0.8


@dataclass(frozen=True)
class Fit:
    """A weighted straight-line fit: coefficients, (X'WX)^-1, residual variance per unit weight, dof."""

    beta: np.ndarray
    xtwx_inv: np.ndarray
    s2: float
    dof: int

    def t_quantile(self, level: float = LEVEL) -> float:
        return t_ppf(0.5 + level / 2, self.dof)


@dataclass(frozen=True)
class Prediction:
    value: float
    low: float | None = None
    high: float | None = None
    how: str = ""  # in words, for the status's reason: "pooled over 531 inbound messages"


def fit_line(t: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> Fit | None:
    """WLS line through (t, y); None when fewer than 3 points or all t equal (no trend to speak of)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    w = np.ones_like(t) if w is None else np.asarray(w, dtype=float)
    if len(t) < 3 or np.ptp(t) == 0:
        return None
    x = np.column_stack([np.ones_like(t), t])
    xtwx = x.T @ (x * w[:, None])
    xtwx_inv = np.linalg.inv(xtwx)
    beta = xtwx_inv @ (x.T @ (w * y))
    resid = y - x @ beta
    dof = len(t) - 2
    s2 = float(np.sum(w * resid**2) / dof)
    return Fit(beta=beta, xtwx_inv=xtwx_inv, s2=s2, dof=dof)


def fit_level(y: np.ndarray, w: np.ndarray, known: float | None = None) -> Fit | None:
    """WLS level through y as a `Fit` without a slope: the weighted mean, or `known` when the level is given
    rather than estimated (no error of its own, every point a degree of freedom); None below 2 dof."""
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    keep = w > 0
    y, w = y[keep], w[keep]
    dof = len(y) - (1 if known is None else 0)
    if dof < 2:
        return None
    mean = float(np.sum(w * y) / np.sum(w)) if known is None else known
    s2 = float(np.sum(w * (y - mean) ** 2) / dof)
    xtwx_inv = 1.0 / float(np.sum(w)) if known is None else 0.0
    return Fit(beta=np.array([mean]), xtwx_inv=np.array([[xtwx_inv]]), s2=s2, dof=dof)


def predict_at(fit: Fit, t0: float, w0: float = 1.0, level: float = LEVEL) -> Prediction:
    """One new observation at t0 with weight w0 (its variance is s²/w0), with its prediction interval."""
    x0 = np.array([1.0, t0])[: len(fit.beta)]
    value = float(x0 @ fit.beta)
    se = float(np.sqrt(fit.s2 * (1.0 / w0 + x0 @ fit.xtwx_inv @ x0)))
    half = fit.t_quantile(level) * se
    return Prediction(value, value - half, value + half)


def predict_total(fit: Fit, days: np.ndarray, mid: np.ndarray, level: float = LEVEL) -> Prediction:
    """Σ days_j · rate(mid_j) over future segments; each segment's count has variance s²·days_j."""
    days, mid = np.asarray(days, dtype=float), np.asarray(mid, dtype=float)
    if len(days) == 0:
        return Prediction(0.0, 0.0, 0.0)
    v = np.array([days.sum(), float(days @ mid)])[: len(fit.beta)]
    value = float(v @ fit.beta)
    se = float(np.sqrt(fit.s2 * (days.sum() + v @ fit.xtwx_inv @ v)))
    half = fit.t_quantile(level) * se
    return Prediction(value, value - half, value + half)


# --- Levels: what a ratio, a reply time or a mean is heading for (issue 13.6) -------------------------------
# Periods are weighted by how many observations they hold, or pooled outright: a week of one message says as
# little about the rate as one message does. Intervals are for the level itself (the rate, the median), at
# `LEVEL`, never for one future period's noisy draw.

# A trend is used only when its slope is clear of zero at this two-sided level, from this many complete periods
# on, and it is projected no further ahead than the data reach back (beyond, it is held at the value it has
# reached there: a line through a few months says nothing about the months after). It is drawn through the
# latest run of periods only: data that fall silent for LONG_GAP_PERIODS periods or more (as long as a trend
# needs to show itself) start a new run, and a line across the silence would join two stretches it never saw
# connected (a 2014 page and a 2022 account, one outlying month years before the rest). A KPI whose data have
# been silent that long by the day it is judged is not forecast at all (status.py).
TREND_LEVEL = 0.95
MIN_TREND_PERIODS = 4


def quasi_dispersion(k: np.ndarray, n: np.ndarray, fitted: np.ndarray, dof: int) -> float:
    """Quasi-binomial dispersion φ ≥ 1 of per-period counts k of n around fitted rates (1 without dof)."""
    k, n, fitted = (np.asarray(a, dtype=float) for a in (k, n, fitted))
    var = n * fitted * (1 - fitted)
    keep = var > 0
    if dof <= 0 or not keep.any():
        return 1.0
    chi2 = float(np.sum((k[keep] - n[keep] * fitted[keep]) ** 2 / var[keep]))
    return max(1.0, chi2 / dof)


def pooled_ratio(k: float, n: float, phi: float = 1.0, level: float = LEVEL) -> Prediction:
    """Σk/Σn with the equal-tailed Jeffreys Beta interval, its counts shrunk by the dispersion φ (at 0 or n
    of n the interval is one-sided)."""
    if n <= 0:
        return Prediction(float("nan"))
    k = min(max(k, 0.0), n)
    post = Beta(k / phi + 0.5, (n - k) / phi + 0.5)
    tail = (1 - level) / 2
    # Brown, Cai & DasGupta's modification: at 0 of n (n of n) the interval starts at 0 (ends at 1), so it
    # always holds the observed rate.
    low = 0.0 if k <= 0 else float(post.ppf(tail))
    high = 1.0 if k >= n else float(post.ppf(1 - tail))
    return Prediction(k / n, low, high)


@dataclass(frozen=True)
class Trend:
    """A weighted line through period values whose slope is clear of zero, with a floor on its noise."""

    fit: Fit
    t_first: float
    t_last: float
    periods: int  # how many periods the line is drawn through (the latest run's)

    @property
    def reach(self) -> float:
        """The furthest t the line is projected to: as far ahead of the last period as the first lies behind."""
        return self.t_last + (self.t_last - self.t_first)

    def at(self, t0: float, level: float = LEVEL) -> Prediction:
        """The line at t0 (held at its value at `reach` beyond it), with its 80 % band."""
        t0 = min(t0, self.reach)
        x0 = np.array([1.0, t0])
        value = float(x0 @ self.fit.beta)
        half = self.fit.t_quantile(level) * float(np.sqrt(self.fit.s2 * (x0 @ self.fit.xtwx_inv @ x0)))
        return Prediction(value, value - half, value + half)


def clear_trend(t: np.ndarray, y: np.ndarray, w: np.ndarray, floor_s2: float = 0.0,
                complete: np.ndarray | None = None, run: np.ndarray | None = None) -> Trend | None:
    """The weighted line through (t, y) if its slope is clear of zero (TREND_LEVEL), else None.

    `floor_s2` is the least noise per unit weight to assume (for a ratio, p(1 − p): a week cannot vary less
    than chance makes it). `complete` marks the periods the data cover whole (default: all); at least
    MIN_TREND_PERIODS of them are needed, so a partial current period cannot make up the number. `run` marks
    the latest run of periods (default: all; `latest_run`): the line is drawn through those only.
    """
    t, y, w = (np.asarray(a, dtype=float) for a in (t, y, w))
    whole = np.ones(len(t), dtype=bool) if complete is None else np.asarray(complete, dtype=bool)
    keep = w > 0
    if run is not None:
        keep &= np.asarray(run, dtype=bool)
    t, y, w, whole = t[keep], y[keep], w[keep], whole[keep]
    if int(whole.sum()) < MIN_TREND_PERIODS:
        return None
    fit = fit_line(t, y, w)
    if fit is None:
        return None
    fit = Fit(fit.beta, fit.xtwx_inv, max(fit.s2, floor_s2), fit.dof)
    slope = abs(float(fit.beta[1]))
    # A slope that moves the line by a rounding error over the data's span is no trend, however small its se.
    if slope * float(np.ptp(t)) <= 1e-9 * max(float(np.max(np.abs(y))), 1e-300):
        return None
    se = float(np.sqrt(fit.s2 * fit.xtwx_inv[1, 1]))
    if se > 0 and slope / se < t_ppf(0.5 + TREND_LEVEL / 2, fit.dof):
        return None
    return Trend(fit, float(t.min()), float(t.max()), len(t))


def latest_run(empty_before: np.ndarray) -> np.ndarray:
    """Which periods belong to the latest run, given how many periods without data precede each (in order):
    those from the last one that follows LONG_GAP_PERIODS or more empty periods on."""
    empty_before = np.asarray(empty_before, dtype=float)
    run = np.ones(len(empty_before), dtype=bool)
    breaks = np.flatnonzero(empty_before >= LONG_GAP_PERIODS)
    if len(breaks):
        run[: int(breaks[-1])] = False
    return run


def weighted_level(y: np.ndarray, w: np.ndarray, level: float = LEVEL) -> Prediction:
    """The weighted mean of period values with the interval of that mean (Student t, m − 1 dof)."""
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    keep = w > 0
    y, w = y[keep], w[keep]
    if len(y) == 0:
        return Prediction(float("nan"))
    mean = float(np.sum(w * y) / np.sum(w))
    if len(y) < 2:
        return Prediction(mean)
    s2 = float(np.sum(w * (y - mean) ** 2) / (len(y) - 1))
    half = t_ppf(0.5 + level / 2, len(y) - 1) * float(np.sqrt(s2 / np.sum(w)))
    return Prediction(mean, mean - half, mean + half)
