"""The distribution functions diagnose needs, from `scipy.special`.

Importing `scipy.stats` costs ~0.7 s (it builds every distribution's docstrings at import) against ~0.25 s
for `scipy.special`, on every `diagnose`, `decide` and `report`. Each function here is the one scipy.stats
evaluates for the same call (beta and binomial through Boost's incomplete beta, gamma through the incomplete
gamma, Student's t and the normal quantile through their special functions); tests/diagnose/
test_distributions.py checks they give exactly scipy.stats's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class Beta:
    """Beta(a, b), as `scipy.stats.beta(a, b)`."""

    a: float
    b: float

    def cdf(self, x: float) -> float:
        return float(special.betainc(self.a, self.b, min(max(x, 0.0), 1.0)))

    def sf(self, x: float) -> float:
        return float(special.betaincc(self.a, self.b, min(max(x, 0.0), 1.0)))

    def ppf(self, q: float) -> float:
        return float(special.betaincinv(self.a, self.b, q))

    def mean(self) -> float:
        return self.a / (self.a + self.b)

    def std(self) -> float:
        a, b = self.a, self.b
        return float(np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))))


@dataclass(frozen=True)
class Gamma:
    """Gamma(shape, scale), as `scipy.stats.gamma(shape, scale=scale)`."""

    shape: float
    scale: float

    def cdf(self, x: float) -> float:
        return float(special.gammainc(self.shape, max(x, 0.0) / self.scale))

    def sf(self, x: float) -> float:
        return float(special.gammaincc(self.shape, max(x, 0.0) / self.scale))

    def ppf(self, q: float) -> float:
        return float(special.gammaincinv(self.shape, q) * self.scale)


def binom_sf(k: int, n: int, p: np.ndarray) -> np.ndarray:
    """P(X > k) for X ~ Binomial(n, p), elementwise over `p`, as `scipy.stats.binom.sf(k, n, p)`."""
    p = np.asarray(p, dtype=float)
    if k < 0:
        return np.ones_like(p)
    if k >= n:
        return np.zeros_like(p)
    return np.asarray(special.betainc(k + 1, n - k, p), dtype=float)


def t_ppf(q: float, dof: float) -> float:
    """Student's t quantile, as `scipy.stats.t.ppf(q, dof)`."""
    return float(special.stdtrit(dof, q))


def norm_ppf(q: float) -> float:
    """Standard normal quantile, as `scipy.stats.norm.ppf(q)`."""
    return float(special.ndtri(q))
