"""One tactic's value on one KPI, with honest uncertainty: P(the tactic materially misses the target).

Pure functions of numbers and arrays. "Materially misses" means worse than the target by more than
`TOLERANCE` (5 %) of it, so that a tactic sitting on its target is not flagged by noise. Each test gives
P(miss); at or above `DECIDE` (0.9) the tactic is *missing*, at or below 1 − DECIDE it is *working*, in
between it is *undecided* and we say how many more observations would settle it if the current estimate held
(normal approximation: the standard error shrinks as 1/√n).

P(miss) and the 90 % interval shown beside it always come from one and the same distribution, so that the
probability can be read off the interval (a line outside the interval is over 95 % likely on one side).

- Ratios (counts known): the Jeffreys posterior Beta(k/φ + ½, (n − k)/φ + ½), φ ≥ 1 the quasi-binomial
  dispersion across review periods (1 for a plain binomial), so that rates summed over posts are not
  over-confident.
- Medians and p90 of reply minutes: the exact bootstrap distribution of the sample quantile (its resampled
  order statistics are binomial), so no resampling noise and no cost in n.
- Accumulating counts: Gamma(c/φ + ½, days/φ) posterior of the tactic's daily rate (quasi-Poisson), against
  its share of the pace the objective's target needs (share = its budget share, or an equal split).

Exact counts. A Beta or a bootstrap of a handful of messages alone raises no alarm: below `MIN_RATIO_N`
messages a ratio is decided only where an exact, distribution-free count at the line agrees (were the rate
exactly on the line, a count of unanswered messages as extreme as the one seen comes up at most 1 − DECIDE of
the time, binomial). A bootstrap of a quantile is only approximate at any n, so a reply time is decided only
where the line also lies outside the exact 90 % interval of the quantile (the count of replies beyond the line
comes up at most `EXACT_QUANTILE`, 5 %, of the time were the quantile on it): a few slow replies on a desk
whose median sits on its target tip no verdict, yet 13 replies that are all slower than the line
(0.5¹³ = 1/8192) decide it. Otherwise the evidence says why it is undecided (`caveat`).
"""

from __future__ import annotations

import math

import numpy as np

from strategyfirst.diagnose.diagnosis import TacticEvidence, TacticState
from strategyfirst.diagnose.distributions import Beta, Gamma, binom_sf, norm_ppf

TOLERANCE = 0.05
DECIDE = 0.9
Z_DECIDE = norm_ppf(DECIDE)
MIN_RATIO_N = 20
MIN_GAPS = 30
MIN_PERIODS = 3
# A reply-time quantile is decided only where the line also lies outside the exact (order-statistic) 90 %
# interval: the count of replies beyond it this unlikely were the quantile on the line (one tail of 90 %).
EXACT_QUANTILE = (1 - DECIDE) / 2


def threshold(target: float, direction: str, tolerance: float = TOLERANCE) -> float:
    """The value beyond which a tactic materially misses: target worsened by `tolerance` of its size."""
    slack = tolerance * abs(target)
    return target - slack if direction == "up" else target + slack


def classify(p_miss: float, n: int, minimum: int, exact: tuple[float, float] | None = None, *,
             exact_level: float = 1 - DECIDE, always: bool = False) -> TacticState:
    """The state P(miss) gives, where the exact count at the line agrees (see the module's "Exact counts").

    `exact` is (chance of a count as far on the missing side as the one seen, chance of one as far on the
    clearing side), both with the value sitting exactly on the line; where it is asked for (below `minimum`
    observations, or `always`) a decision needs the one on its side to be at most `exact_level`. Without it
    (counts of days), a sample under `minimum` is undecided.
    """
    state: TacticState = "missing" if p_miss >= DECIDE else "working" if p_miss <= 1 - DECIDE else "undecided"
    if state == "undecided":
        return state
    if exact is None:
        return state if n >= minimum else "undecided"
    if n >= minimum and not always:
        return state
    return state if exact[0 if state == "missing" else 1] <= exact_level else "undecided"


def exact_tails(beyond: int, n: int, share: float) -> tuple[float, float]:
    """(P(X ≥ beyond), P(X ≤ beyond)) for X ~ Binomial(n, share): how surprising `beyond` of `n` observations
    on the missing side of the line are if the value sat exactly on it (`share`: their chance there)."""
    share = min(max(share, 0.0), 1.0)
    at_least = float(binom_sf(beyond - 1, n, np.array([share]))[0])
    at_most = 1.0 - float(binom_sf(beyond, n, np.array([share]))[0])
    return at_least, at_most


def exact_caveat(state: TacticState, p_miss: float, exact: tuple[float, float], seen: str) -> str:
    """Why a decisive-looking P(miss) left the evidence undecided ('' when it did not): how often a count such
    as the one `seen` would come up were the value on the line."""
    if state != "undecided" or 1 - DECIDE < p_miss < DECIDE:
        return ""
    chance = exact[0] if p_miss >= DECIDE else exact[1]
    return f"but {seen} would come up {chance:.0%} of the time were it on the line: too few to decide"


def more_needed(n: int, estimate: float, se: float, thr: float, minimum: int) -> int | None:
    """Extra observations until the estimate is Z_DECIDE standard errors from `thr` (None: it sits on it)."""
    floor = max(minimum - n, 0)
    gap = abs(estimate - thr)
    if n <= 0 or se <= 0:
        return max(floor, minimum) or None
    if gap == 0:
        return None
    needed = n * (Z_DECIDE * se / gap) ** 2
    return max(math.ceil(needed - n), floor, 1)


def pearson(k: np.ndarray, n: np.ndarray, model: str) -> tuple[float, int]:
    """(Pearson χ², dof) of per-period counts: `binomial` (k of n) or `poisson` (k in n days)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    keep = n > 0
    k, n = k[keep], n[keep]
    if len(k) < 2 or n.sum() <= 0:
        return 0.0, 0
    rate = k.sum() / n.sum()
    var = n * rate * (1 - rate) if model == "binomial" else n * rate
    if np.any(var <= 0):
        return 0.0, len(k) - 1
    return float(np.sum((k - n * rate) ** 2 / var)), len(k) - 1


def dispersion(parts: list[tuple[float, int]], min_dof: int = MIN_PERIODS - 1) -> float | None:
    """Quasi-likelihood dispersion φ ≥ 1 from one or more (χ², dof) parts; None with too few periods."""
    chi2, dof = sum(c for c, _ in parts), sum(d for _, d in parts)
    if dof < min_dof:
        return None
    return max(1.0, chi2 / dof)


# Above this dispersion the evidence says in words that periods vary more than chance explains.
NOTABLE_DISPERSION = 1.2


def ratio_evidence(tactic: str, metric: str, numerator: float, denominator: float, target: float,
                   direction: str, phi: float = 1.0, periods: str = "periods") -> TacticEvidence:
    """Beta posterior of a ratio of counts against the target."""
    thr = threshold(target, direction)
    k, n = max(numerator, 0.0), max(denominator, 0.0)
    if k > n or n == 0:
        note = "numerator exceeds denominator: not a proportion" if k > n else "no attributed data"
        return no_data(tactic, metric, target, thr, k / n if n else None, int(n), "beta", note)
    # The Jeffreys posterior of the rate: its 90 % interval is shown and P(miss) is read off it.
    post = Beta(k / phi + 0.5, (n - k) / phi + 0.5)
    p_miss = float(post.cdf(thr) if direction == "up" else post.sf(thr))
    n_eff = round(n / phi)
    k_eff = round(k / phi)
    # Messages on the missing side of the line: the unanswered ones when the rate must be high.
    beyond = n_eff - k_eff if direction == "up" else k_eff
    exact = exact_tails(beyond, n_eff, 1 - thr if direction == "up" else thr)
    state = classify(p_miss, n_eff, MIN_RATIO_N, exact)
    more = None
    if state == "undecided":
        extra = more_needed(n_eff, float(post.mean()), float(post.std()), thr, MIN_RATIO_N)
        more = None if extra is None else math.ceil(extra * phi)
    # Brown, Cai & DasGupta: at 0 of n (n of n) the interval starts at 0 (ends at 1), so it holds the rate.
    low = 0.0 if k <= 0 else post.ppf(0.05)
    high = 1.0 if k >= n else post.ppf(0.95)
    return TacticEvidence(tactic, metric, target, thr, k / n, int(n), low, high, p_miss, state, more, "beta",
                          f"{k:,.0f} of {n:,.0f}" + (f"; {periods} vary more than chance explains, so the "
                                                     "interval is widened to match" if phi > NOTABLE_DISPERSION
                                                     else ""),
                          caveat=exact_caveat(state, p_miss, exact, f"{k_eff:,} of {n_eff:,}"))


def quantile_cdf(x_sorted: np.ndarray, q: float, values: np.ndarray, strict: bool = False) -> np.ndarray:
    """P*(bootstrap q-quantile ≤ v) for each v (strict: < v), interpolating the two order statistics used."""
    n = len(x_sorted)
    h = q * (n - 1)
    lo = math.floor(h)
    frac = h - lo
    share = np.searchsorted(x_sorted, values, side="left" if strict else "right") / n
    p_lo = binom_sf(lo, n, share)  # the (lo+1)-th order statistic of a resample is ≤ v
    p_hi = binom_sf(lo + 1, n, share) if frac > 0 else p_lo
    return np.asarray((1 - frac) * p_lo + frac * p_hi, dtype=float)


def bootstrap_quantile_interval(gaps: np.ndarray, q: float, level: float = 0.9,
                                grid_size: int = 2000) -> tuple[float, float]:
    """Percentile interval of the bootstrap distribution of the q-quantile (exact, from binomials)."""
    x = np.sort(np.asarray(gaps, dtype=float))
    grid = np.unique(x)
    if len(grid) > grid_size:  # the interval is a display; a thinned grid of order statistics is enough
        grid = np.unique(grid[np.linspace(0, len(grid) - 1, grid_size).astype(int)])
    cdf = quantile_cdf(x, q, grid)
    tail = (1 - level) / 2
    low = grid[min(int(np.searchsorted(cdf, tail, side="left")), len(grid) - 1)]
    high = grid[min(int(np.searchsorted(cdf, 1 - tail, side="left")), len(grid) - 1)]
    return float(low), float(high)


def quantile_evidence(tactic: str, metric: str, gaps: np.ndarray, q: float, target: float,
                      direction: str) -> TacticEvidence:
    """Bootstrap (exact) of a reply-time quantile against the target."""
    thr = threshold(target, direction)
    x = np.sort(np.asarray(gaps, dtype=float))
    n = len(x)
    if n == 0:
        return no_data(tactic, metric, target, thr, None, 0, "bootstrap", "no answered inbound messages")
    # The exact bootstrap of the data's quantile: its 90 % interval is shown and P(miss) is read off it.
    below = quantile_cdf(x, q, np.array([thr]), strict=direction == "up")[0]
    p_miss = float(min(max(1.0 - below if direction == "down" else below, 0.0), 1.0))
    value = float(np.quantile(x, q))
    low, high = bootstrap_quantile_interval(x, q)
    # Replies on the missing side of the line (slower, for a time that must be short); were the quantile on
    # the line, each would be there with chance 1 − q (q for a quantile that must be high).
    beyond = int(np.sum(x > thr)) if direction == "down" else int(np.sum(x < thr))
    exact = exact_tails(beyond, n, 1 - q if direction == "down" else q)
    state = classify(p_miss, n, MIN_GAPS, exact, exact_level=EXACT_QUANTILE, always=True)
    more = None
    if state == "undecided":
        more = more_needed(n, value, max((high - low) / (2 * 1.645), 1e-9), thr, MIN_GAPS)
    return TacticEvidence(tactic, metric, target, thr, value, n, low, high, p_miss, state, more,
                          "bootstrap", f"{n:,} answered messages",
                          caveat=exact_caveat(state, p_miss, exact, f"{beyond:,} of {n:,} replies "
                                              f"{'slower' if direction == 'down' else 'faster'} than that"))


def count_evidence(tactic: str, metric: str, count: float, elapsed_days: float, required_per_day: float,
                   direction: str, phi: float | None, periods: str = "periods") -> TacticEvidence:
    """Gamma posterior of a tactic's daily rate of a count against its share of the objective's pace."""
    thr = threshold(required_per_day, direction)
    if elapsed_days <= 0:
        return no_data(tactic, metric, required_per_day, thr, None, 0, "gamma", "the tactic has not run yet")
    rate = count / elapsed_days
    if phi is None:
        return TacticEvidence(tactic, metric, required_per_day, thr, rate, 0, None, None, None, "undecided",
                              None, "gamma", f"needs {MIN_PERIODS} review periods of data to judge the noise")
    post = Gamma(max(count, 0.0) / phi + 0.5, phi / elapsed_days)
    p_miss = float(post.cdf(thr) if direction == "up" else post.sf(thr))
    state = classify(p_miss, MIN_PERIODS, MIN_PERIODS)
    return TacticEvidence(tactic, metric, required_per_day, thr, rate, round(max(count, 0)),
                          float(post.ppf(0.05)), float(post.ppf(0.95)), p_miss, state, None, "gamma",
                          f"{count:,.0f} in {elapsed_days:.0f} days"
                          + (f"; {periods} vary more than chance explains, so the interval is widened to match"
                             if phi > NOTABLE_DISPERSION else ""))


def no_data(tactic: str, metric: str, target: float, thr: float, value: float | None, n: int, method: str,
            note: str) -> TacticEvidence:
    """Evidence that cannot be weighed (no data, or not a proportion), with why."""
    return TacticEvidence(tactic, metric, target, thr, value, n, None, None, None, "no_data", None, method,
                          note)
