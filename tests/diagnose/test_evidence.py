"""Per-tactic tests against independent references: the Beta–binomial identity, a resampling bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from strategyfirst.diagnose.evidence import (
    PRIOR_WEIGHT,
    bootstrap_quantile_interval,
    count_evidence,
    dispersion,
    more_needed,
    pearson,
    quantile_cdf,
    quantile_evidence,
    ratio_evidence,
    threshold,
)


def test_threshold_is_five_percent_worse() -> None:
    assert threshold(0.9, "up") == pytest.approx(0.855)
    assert threshold(60, "down") == pytest.approx(63)
    assert threshold(-0.2, "up") == pytest.approx(-0.21)


def test_ratio_probability_by_the_beta_binomial_identity() -> None:
    # Beta(a, b).cdf(x) = P(Binomial(a + b - 1, x) >= a) for integer a, b. Target 0.9 with the prior worth 10
    # observations gives a = 9 + k, b = 1 + n - k: for 140 of 200, a = 149, b = 61.
    e = ratio_evidence("t", "response_rate", 140, 200, 0.9, "up")
    assert PRIOR_WEIGHT == 10
    a, b = 149, 61
    assert e.p_miss == pytest.approx(stats.binom.sf(a - 1, a + b - 1, 0.855), rel=1e-9)
    assert e.state == "missing" and e.value == pytest.approx(0.7)
    assert e.low is not None and e.high is not None and e.low < 0.7 < e.high


def test_ratio_on_target_with_much_data_is_working() -> None:
    e = ratio_evidence("t", "response_rate", 1800, 2000, 0.9, "up")
    assert e.state == "working" and e.p_miss is not None and e.p_miss < 1e-6


def test_ratio_with_little_data_is_undecided_and_says_how_much_more() -> None:
    e = ratio_evidence("t", "response_rate", 7, 10, 0.9, "up")
    assert e.state == "undecided"
    assert e.more_needed is not None and e.more_needed >= 10  # at least up to the minimum sample of 20


def test_dispersion_widens_the_posterior() -> None:
    tight = ratio_evidence("t", "engagement_rate", 500, 10000, 0.05, "up")
    loose = ratio_evidence("t", "engagement_rate", 500, 10000, 0.05, "up", phi=50.0)
    assert (loose.high or 0) - (loose.low or 0) > 5 * ((tight.high or 0) - (tight.low or 0))


def test_pearson_dispersion_by_hand() -> None:
    # k = [10, 30] of n = [100, 100]: p = 0.2, var = 16 each, χ² = (100 + 100)/16 = 12.5 on 1 dof.
    assert pearson(np.array([10, 30]), np.array([100, 100]), "binomial") == (pytest.approx(12.5), 1)
    assert dispersion([(12.5, 1), (1.0, 1)]) == pytest.approx(6.75)
    assert dispersion([(0.5, 2)]) == 1.0
    assert dispersion([(3.0, 1)]) is None  # fewer than 3 periods


def test_more_needed_by_hand() -> None:
    # gap 0.03, se 0.05 at n = 100: n* = 100·(1.28155·0.05/0.03)² = 456.2 → 357 more.
    assert more_needed(100, 0.825, 0.05, 0.855, 20) == 357
    assert more_needed(100, 0.855, 0.05, 0.855, 20) is None


def _resampled_median_tail(x: np.ndarray, thr: float, draws: int = 4000) -> float:
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(x), size=(draws, len(x)))
    return float(np.mean(np.median(x[idx], axis=1) > thr))


@pytest.mark.parametrize("scale", [40.0, 60.0, 90.0])
def test_exact_bootstrap_matches_resampling(scale: float) -> None:
    x = np.sort(np.random.default_rng(7).exponential(scale, 201))  # odd n: the median is one order statistic
    exact = 1.0 - quantile_cdf(x, 0.5, np.array([47.25]))[0]
    assert exact == pytest.approx(_resampled_median_tail(x, 47.25), abs=0.03)


def test_the_prior_pulls_p_miss_towards_the_target() -> None:
    # 10 pseudo-replies at the target are added before the bootstrap: P(miss) is that of the augmented sample.
    x = np.random.default_rng(8).exponential(60, 41)
    e = quantile_evidence("t", "first_response_minutes_median", x, 0.5, 45.0, "down")
    augmented = np.sort(np.concatenate([x, np.full(10, 45.0)]))
    assert e.p_miss == pytest.approx(_resampled_median_tail(augmented, 47.25), abs=0.03)
    assert e.p_miss is not None and e.p_miss < 1.0 - quantile_cdf(np.sort(x), 0.5, np.array([47.25]))[0]


def test_bootstrap_interval_matches_resampling_percentiles() -> None:
    x = np.random.default_rng(3).lognormal(3.5, 1.0, 301)
    low, high = bootstrap_quantile_interval(x, 0.9)
    rng = np.random.default_rng(1)
    boots = np.quantile(x[rng.integers(0, len(x), size=(4000, len(x)))], 0.9, axis=1)
    ref_low, ref_high = np.quantile(boots, [0.05, 0.95])
    spread = ref_high - ref_low
    assert low == pytest.approx(ref_low, abs=0.15 * spread)
    assert high == pytest.approx(ref_high, abs=0.15 * spread)


def test_slow_replies_are_missing_fast_are_working() -> None:
    rng = np.random.default_rng(5)
    slow = quantile_evidence("t", "first_response_minutes_median", rng.lognormal(np.log(300), 1, 400), 0.5,
                             60, "down")
    fast = quantile_evidence("t", "first_response_minutes_median", rng.lognormal(np.log(20), 1, 400), 0.5,
                             60, "down")
    assert slow.state == "missing" and fast.state == "working"
    none = quantile_evidence("t", "first_response_minutes_median", np.array([]), 0.5, 60, "down")
    assert none.state == "no_data"


def test_count_gamma_by_hand() -> None:
    # 100 in 100 days with φ = 1: posterior Gamma(100.5, rate 100); P(rate < 0.95·2) is essentially 1.
    e = count_evidence("t", "audience_growth", 100, 100, 2.0, "up", 1.0)
    assert e.state == "missing"
    assert e.p_miss == pytest.approx(stats.gamma(100.5, scale=1 / 100).cdf(1.9))
    ok = count_evidence("t", "audience_growth", 300, 100, 2.0, "up", 1.0)
    assert ok.state == "working"
    unsure = count_evidence("t", "audience_growth", 100, 100, 2.0, "up", None)
    assert unsure.state == "undecided"
