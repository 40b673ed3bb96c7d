"""Budget proposals: within an objective, move unspent budget towards tactics with a better cost per result.

Each tactic that has spent something and has a result count gets a Gamma(results + 1, spend) posterior of its
results per unit of currency. Thompson sampling (seeded, so the same data give the same proposal) draws from
every posterior many times; the share of draws a tactic wins is the share of the objective's pooled unspent
budget it should hold. Tactics holding more than that give the excess to those holding less — but only where
the receiver beats the giver with P ≥ `MIN_P_BETTER`, so noise does not churn budgets. A tactic never gives
more than it has unspent (budget − spend), and amounts are whole currency units. A tactic judged failing
never receives; an objective whose strategy is failing gets no proposal (another tactic will not save it).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from strategyfirst import formatting
from strategyfirst.diagnose.diagnosis import BudgetMove

DRAWS = 4000
MIN_P_BETTER = 0.8
MIN_AMOUNT = 1.0


@dataclass(frozen=True)
class TacticCost:
    """What one tactic has: its budget, its spend so far and the results it brought (for one objective)."""

    tactic: str
    budget: float
    spend: float
    results: float

    @property
    def unspent(self) -> float:
        return max(0.0, self.budget - self.spend)


def seed_for(objective: str, seed: int = 0) -> int:
    """A stable per-objective seed (hash() is salted per process; crc32 is not)."""
    return (zlib.crc32(objective.encode()) + seed) % 2**32


def propose(objective: str, tactics: list[TacticCost], *, seed: int = 0, result_name: str = "result",
            currency: str = "", no_more_for: frozenset[str] = frozenset()) -> list[BudgetMove]:
    """Budget moves between the tactics of one objective (pure, deterministic for a given seed).

    Tactics in `no_more_for` (judged failing) may give budget but never receive any.
    """
    # Below a cent of spend there is no cost per result to speak of.
    eligible = [t for t in tactics if t.spend >= 0.01 and t.results >= 0 and t.budget > 0]
    if len(eligible) < 2:
        return []
    rng = np.random.default_rng(seed_for(objective, seed))
    shape = np.array([t.results + 1.0 for t in eligible])
    spend = np.array([t.spend for t in eligible])
    draws = rng.gamma(shape[:, None], 1.0 / spend[:, None], size=(len(eligible), DRAWS))
    wins = np.bincount(np.argmax(draws, axis=0), minlength=len(eligible)) / DRAWS
    unspent = np.array([t.unspent for t in eligible])
    pool = float(unspent.sum())
    if pool <= 0:
        return []
    excess = unspent - pool * wins           # > 0: holds more than its Thompson share
    givers = [i for i in np.argsort(-excess) if excess[i] > 0]
    takers = [i for i in np.argsort(excess) if excess[i] < 0 and eligible[i].tactic not in no_more_for]
    room = {i: -float(excess[i]) for i in takers}
    left = {i: min(float(excess[i]), float(unspent[i])) for i in givers}
    moves: list[BudgetMove] = []
    for g in givers:
        for r in takers:
            amount = math.floor(min(left[g], room[r]))
            if amount < MIN_AMOUNT:
                continue
            p_better = float(np.mean(draws[r] > draws[g]))
            if p_better < MIN_P_BETTER:
                continue
            left[g] -= amount
            room[r] -= amount
            moves.append(BudgetMove(objective, eligible[g].tactic, eligible[r].tactic, float(amount),
                                    _why(eligible[g], eligible[r], draws[g], draws[r], p_better, result_name,
                                         currency), p_better, eligible[g].unspent))
    return moves


def _cost(t: TacticCost, currency: str) -> str:
    return formatting.money(t.spend / t.results, currency or None) if t.results > 0 else "∞ (no results yet)"


def _why(giver: TacticCost, taker: TacticCost, g: np.ndarray, r: np.ndarray, p: float, result: str,
         currency: str) -> str:
    money = lambda x: formatting.money(x, currency or None)  # noqa: E731
    lo, hi = np.quantile(1.0 / r, [0.05, 0.95])
    return (f"{taker.tactic} costs {_cost(taker, currency)} per {result} (90% interval {money(float(lo))} to "
            f"{money(float(hi))}) against {_cost(giver, currency)} for {giver.tactic}; "
            + formatting.likelihood(min(p, 1 - 1e-6), f"that {taker.tactic} is the cheaper of the two") + ". "
            f"{giver.tactic} has {money(giver.unspent)} unspent of {money(giver.budget)}.")
