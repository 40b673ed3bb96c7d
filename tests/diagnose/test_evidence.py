"""Per-tactic tests against independent references: the Beta–binomial identity, a resampling bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from strategyfirst.diagnose.evidence import (
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


def _beta_cdf(a: float, b: float, x: float) -> float:
    """Beta(a, b).cdf(x) by integrating its density on a fine grid (numpy only, no scipy.special)."""
    grid = np.linspace(0.0, 1.0, 400_001)
    density = grid ** (a - 1) * (1 - grid) ** (b - 1)
    mass = np.cumsum(density)
    return float(np.interp(x, grid, mass / mass[-1]))


def test_ratio_probability_is_the_jeffreys_posterior() -> None:
    # 140 of 200: Jeffreys Beta(140.5, 60.5), integrated by hand, below the 85.5% line.
    e = ratio_evidence("t", "response_rate", 140, 200, 0.9, "up")
    assert e.p_miss == pytest.approx(_beta_cdf(140.5, 60.5, 0.855), abs=1e-6)
    assert e.p_miss == pytest.approx(stats.beta(140.5, 60.5).cdf(0.855), rel=1e-9)
    assert e.state == "missing" and e.value == pytest.approx(0.7)
    assert e.low is not None and e.high is not None and e.low < 0.7 < e.high


def test_ratio_probability_and_interval_come_from_one_distribution() -> None:
    # QA: "13 of 17; 90% interval 57.1% to 89.6% ... 68% likely to stay below 85.5%". The interval is the
    # Jeffreys Beta(13.5, 4.5); by numerical integration of its density (no scipy), P(p < 0.855) ≈ 0.855.
    e = ratio_evidence("t", "response_rate", 13, 17, 0.9, "up")
    grid = np.linspace(0.0, 1.0, 400_001)
    mass = np.cumsum(grid ** 12.5 * (1 - grid) ** 3.5)
    mass /= mass[-1]
    assert e.p_miss == pytest.approx(_beta_cdf(13.5, 4.5, 0.855), abs=1e-4)
    assert e.p_miss == pytest.approx(0.8552, abs=1e-3)
    assert e.low == pytest.approx(float(np.interp(0.05, mass, grid)), abs=1e-4)  # 57.1%
    assert e.high == pytest.approx(float(np.interp(0.95, mass, grid)), abs=1e-4)  # 89.6%
    assert e.low == pytest.approx(0.5714, abs=1e-3) and e.high == pytest.approx(0.8963, abs=1e-3)
    # 86% is undecided whatever the count; no caveat is needed.
    assert e.state == "undecided" and e.caveat == ""


def test_a_decisive_beta_on_few_messages_waits_for_the_exact_count() -> None:
    # 3 of 5: Beta(3.5, 2.5) puts 93% below 85.5%, yet 2 or more unanswered of 5 happen
    # 1 − 0.855⁵ − 5·0.145·0.855⁴ = 15.6% of the time at 85.5%: undecided, and the evidence says why.
    e = ratio_evidence("t", "response_rate", 3, 5, 0.9, "up")
    assert e.p_miss == pytest.approx(_beta_cdf(3.5, 2.5, 0.855), abs=1e-4)
    assert e.p_miss == pytest.approx(0.9337, abs=1e-3)
    assert pytest.approx(0.1557, abs=1e-3) == 1 - 0.855**5 - 5 * 0.145 * 0.855**4
    assert e.state == "undecided"
    assert e.caveat == "but 3 of 5 would come up 16% of the time were it on the line: too few to decide"
    # 3 of 6: Beta 98%, and 3 or more unanswered of 6 at 14.5% each happen 4.3% ≤ 10% of the time: missing.
    p3 = 1 - sum(math.comb(6, j) * 0.145**j * 0.855 ** (6 - j) for j in range(3))
    assert p3 == pytest.approx(0.0433, abs=1e-3)
    assert ratio_evidence("t", "response_rate", 3, 6, 0.9, "up").state == "missing"


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


def test_quantile_probability_is_the_bootstrap_its_interval_is_from() -> None:
    # P(miss) is the resampled medians' share above the line, as the interval is their 5–95% percentiles.
    x = np.random.default_rng(8).exponential(60, 41)
    e = quantile_evidence("t", "first_response_minutes_median", x, 0.5, 45.0, "down")
    assert e.p_miss == pytest.approx(_resampled_median_tail(x, 47.25), abs=0.03)


def test_thirteen_replies_all_slower_than_the_line_decide_it() -> None:
    # As in QA's workspace: 13 reply gaps, every one over 63 min; the tool said "74% likely", undecided.
    # Every resampled median is one of the gaps, so all lie above 63: P(miss) = 1 ("over 99%"); were the
    # median 63, 13 of 13 above it would happen 0.5¹³ = 1/8192 of the time: decided on 13 replies.
    gaps = np.array([66.6, 120.0, 240.5, 303.3, 310.0, 350.2, 377.7, 380.0, 384.4, 386.2, 390.0, 402.0, 455.0])
    e = quantile_evidence("t", "first_response_minutes_median", gaps, 0.5, 60.0, "down")
    assert e.p_miss == 1.0 and e.state == "missing" and e.caveat == ""
    assert e.value == pytest.approx(377.7)
    # The 90% interval: percentiles of resampled medians (numpy only), and P(miss) agrees with it.
    rng = np.random.default_rng(4)
    boots = np.median(gaps[rng.integers(0, 13, size=(20000, 13))], axis=1)
    ref_low, ref_high = np.quantile(boots, [0.05, 0.95])
    assert e.low is not None and e.high is not None
    assert abs(e.low - ref_low) <= 40 and abs(e.high - ref_high) <= 10
    assert float(np.mean(boots > 63)) == 1.0


def test_a_few_fast_replies_alone_raise_no_verdict() -> None:
    # 5 replies, 3 over the 63-min line: the bootstrap says 68% (P(≥3 of 5 draws above) with 3/5 above),
    # and the exact count cannot decide anything on 5: undecided.
    gaps = np.array([10.0, 20.0, 70.0, 80.0, 90.0])
    e = quantile_evidence("t", "first_response_minutes_median", gaps, 0.5, 60.0, "down")
    p_ref = sum(math.comb(5, j) * 0.6**j * 0.4 ** (5 - j) for j in range(3, 6))
    assert e.p_miss == pytest.approx(p_ref, abs=1e-9) and e.state == "undecided"
    # 5 replies all over the line: bootstrap 1, exact 1/32 ≈ 3% ≤ 5% (one tail of the 90% interval): missing.
    slow = quantile_evidence("t", "first_response_minutes_median", gaps + 100, 0.5, 60.0, "down")
    assert slow.state == "missing"
    # 3 replies all fast: bootstrap 0, but 0 of 3 above the line happens 1/8 = 12.5% of the time at the line.
    fast = quantile_evidence("t", "first_response_minutes_median", np.array([5.0, 6.0, 7.0]), 0.5, 60.0, "down")
    assert fast.p_miss == 0.0 and fast.state == "undecided"
    assert fast.caveat == ("but 0 of 3 replies slower than that would come up 12% of the time were it on the "
                           "line: too few to decide")


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
