"""diagnose/distributions.py gives exactly scipy.stats's numbers (it exists only to spare the import of
scipy.stats): the reference here is scipy.stats itself, on grids and random draws over the ranges diagnose
uses, edges included (x outside [0, 1], k outside 0..n-1, p of 0 and 1)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from strategyfirst.diagnose.distributions import Beta, Gamma, binom_sf, norm_ppf, t_ppf

RNG = np.random.default_rng(19)
QS = (0.05, 0.1, 0.5, 0.9, 0.95)


def test_beta_is_scipy_stats_beta() -> None:
    for _ in range(300):
        a, b = float(RNG.uniform(0.1, 500)), float(RNG.uniform(0.1, 5000))
        mine, ref = Beta(a, b), stats.beta(a, b)
        for x in (-0.5, 0.0, *RNG.uniform(0, 1, 5), 1.0, 1.5):
            assert mine.cdf(float(x)) == float(ref.cdf(x))
            assert mine.sf(float(x)) == float(ref.sf(x))
        for q in QS:
            assert mine.ppf(q) == float(ref.ppf(q))
        assert mine.mean() == float(ref.mean()) and mine.std() == float(ref.std())


def test_gamma_is_scipy_stats_gamma() -> None:
    for _ in range(300):
        shape, scale = float(RNG.uniform(0.5, 1000)), float(RNG.uniform(0.001, 10))
        mine, ref = Gamma(shape, scale), stats.gamma(shape, scale=scale)
        for x in (-1.0, 0.0, *RNG.uniform(0, 2 * shape * scale, 5)):
            assert mine.cdf(float(x)) == float(ref.cdf(x))
            assert mine.sf(float(x)) == float(ref.sf(x))
        for q in QS:
            assert mine.ppf(q) == float(ref.ppf(q))


def test_binomial_survival_is_scipy_stats_binom_sf() -> None:
    for _ in range(2000):
        n = int(RNG.integers(1, 20000))
        k = int(RNG.integers(-1, n + 2))
        p = np.concatenate([RNG.uniform(0, 1, 4), [0.0, 1.0]])
        assert np.array_equal(binom_sf(k, n, p), stats.binom.sf(k, n, p))


def test_t_and_normal_quantiles_are_scipy_stats() -> None:
    for dof in (1, 2, 3, 5, 10, 29, 100, 1000):
        for level in (0.8, 0.9, 0.95):
            assert t_ppf(0.5 + level / 2, dof) == float(stats.t.ppf(0.5 + level / 2, dof))
    for q in (0.5, 0.8, 0.9, 0.95, 0.975):
        assert norm_ppf(q) == float(stats.norm.ppf(q))


def test_diagnose_does_not_import_scipy_stats() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src"
    probe = "import sys, strategyfirst.diagnose\nprint('scipy.stats' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(src)},
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
