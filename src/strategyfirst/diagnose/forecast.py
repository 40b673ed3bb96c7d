"""Linear trends with prediction intervals, on review-period series (pure NumPy/SciPy).

A weighted least-squares line y = a + b·t (t in days since the series' start; weights = days each period
covers, so a partial current period counts for less). Two predictions:

- `predict_at(t0)`: one future period's value, for metrics that must hold their target in every period;
- `predict_total(segments)`: the sum of future per-day rates times days, for accumulating counts.

Intervals are the classical prediction intervals of the regression (Student t with n − 2 degrees of freedom),
at `LEVEL` (80 %) by default; fewer than 3 periods give a point without an interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.8


@dataclass(frozen=True)
class Fit:
    """A weighted straight-line fit: coefficients, (X'WX)^-1, residual variance per unit weight, dof."""

    beta: np.ndarray
    xtwx_inv: np.ndarray
    s2: float
    dof: int

    def t_quantile(self, level: float = LEVEL) -> float:
        return float(stats.t.ppf(0.5 + level / 2, self.dof))


@dataclass(frozen=True)
class Prediction:
    value: float
    low: float | None = None
    high: float | None = None


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


def predict_at(fit: Fit, t0: float, w0: float = 1.0, level: float = LEVEL) -> Prediction:
    """One new observation at t0 with weight w0 (its variance is s²/w0), with its prediction interval."""
    x0 = np.array([1.0, t0])
    value = float(x0 @ fit.beta)
    se = float(np.sqrt(fit.s2 * (1.0 / w0 + x0 @ fit.xtwx_inv @ x0)))
    half = fit.t_quantile(level) * se
    return Prediction(value, value - half, value + half)


def predict_total(fit: Fit, days: np.ndarray, mid: np.ndarray, level: float = LEVEL) -> Prediction:
    """Σ days_j · rate(mid_j) over future segments; each segment's count has variance s²·days_j."""
    days, mid = np.asarray(days, dtype=float), np.asarray(mid, dtype=float)
    if len(days) == 0:
        return Prediction(0.0, 0.0, 0.0)
    v = np.array([days.sum(), float(days @ mid)])
    value = float(v @ fit.beta)
    se = float(np.sqrt(fit.s2 * (days.sum() + v @ fit.xtwx_inv @ v)))
    half = fit.t_quantile(level) * se
    return Prediction(value, value - half, value + half)
