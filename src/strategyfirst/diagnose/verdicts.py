"""Tactic-vs-strategy verdicts: is a tactic failing, or the strategy (the objective's premise) itself?

For each objective, every serving tactic is judged on each of the objective's KPIs that has a tactic-level
test (ratios, reply-time quantiles, accumulating counts; see `evidence`). A tactic *misses* when it misses any
KPI with P ≥ 0.9, *works* when it is clear of every tested KPI (P(miss) ≤ 0.1), and is *undecided* otherwise.

- `strategy_failing`: two or more tactics miss and they are most of the tactics with data, or carry most of
  their spend — review the objective's premise; another tactic will not save it.
- `tactic_dead_weight`: a tactic misses while spending, though the objective itself is on track (or met).
- `tactic_failing`: a tactic misses while others work (or it is the objective's only tactic).
- `not_enough_data`: undecided, with how many more observations would settle it; or no attributed data.
- `working`: the tactic clears every tested KPI.

`probability` is P(miss) for failing kinds (the smallest among the missing tactics for `strategy_failing`),
P(not materially missing) for `working`, and the current, undecided P(miss) for `not_enough_data`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from strategyfirst import catalog
from strategyfirst.diagnose.diagnosis import KpiStatus, TacticEvidence, Verdict
from strategyfirst.diagnose.evidence import (
    count_evidence,
    dispersion,
    no_data,
    pearson,
    quantile_evidence,
    ratio_evidence,
    threshold,
)
from strategyfirst.diagnose.inputs import DiagnoseInputs
from strategyfirst.diagnose.status import direction_of, period_end
from strategyfirst.plan.model import KPI, Plan, Tactic

QUANTILES = {"first_response_minutes_median": 0.5, "first_response_minutes_p90": 0.9}
# Per-message proportions: a plain binomial is a fair model even before there are periods to check it.
BINOMIAL_RATIOS = frozenset({"response_rate", "conversation_response_rate", "dialogue_ratio"})


def serving(plan: Plan, objective_id: str) -> list[Tactic]:
    return [t for t in plan.tactics if objective_id in t.serves]


def _window(plan: Plan, tactic: Tactic, start: dt.date, deadline: dt.date) -> tuple[dt.date, dt.date]:
    lo = max(start, tactic.period.start) if tactic.period and tactic.period.start else start
    hi = min(deadline, tactic.period.end) if tactic.period and tactic.period.end else deadline
    return lo, hi


def _series_days(obs_periods: list[dt.date], lo: dt.date, hi: dt.date, period: str) -> np.ndarray:
    return np.array([max(0, (min(period_end(p, period), hi + dt.timedelta(days=1)) - max(p, lo)).days)
                     for p in obs_periods], dtype=float)


def _share(tactic: Tactic, tactics: list[Tactic]) -> float:
    """The tactic's share of the objective's target: its budget share, or an equal split."""
    budgets = [t.budget for t in tactics]
    if all(budgets):
        return (tactic.budget or 0.0) / sum(b for b in budgets if b)
    return 1.0 / len(tactics)


def noise(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic) -> tuple[float, int]:
    """Pearson (χ², dof) of a tactic's per-period values of a ratio or count KPI ((0, 0): none)."""
    spec = catalog.get(kpi.metric)
    series = [o for o in inputs.tactic_series.get((tactic.id, kpi.metric), [])
              if o.period is not None and o.value is not None]
    if spec is None or not series:
        return 0.0, 0
    if spec.unit == "ratio":
        k = np.array([o.numerator or 0.0 for o in series])
        n = np.array([o.denominator or 0.0 for o in series])
        return pearson(k, n, "binomial")
    plan = inputs.plan
    start, deadline = (plan.horizon.start if plan.horizon else None), plan.kpi_deadline(kpi)
    if not spec.accumulates or start is None or deadline is None:
        return 0.0, 0
    lo, hi = _window(plan, tactic, start, deadline)
    days = _series_days([o.period for o in series if o.period], lo, min(inputs.as_of, hi), inputs.period)
    values = np.maximum(np.array([o.value for o in series], dtype=float), 0.0)
    keep = days >= 0.5 * np.max(days) if len(days) else days > 0  # stub periods say little about noise
    return pearson(values[keep], days[keep], "poisson")


def tactic_evidence(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic, tactics: list[Tactic],
                    pooled: float | None = None) -> TacticEvidence | None:
    """The tactic's test on one KPI (None: the metric has no tactic-level test).

    `pooled` is the dispersion of all the objective's tactics on this KPI, used when the tactic itself has too
    few periods to judge its noise.
    """
    plan, metric, target = inputs.plan, kpi.metric, kpi.target
    spec = catalog.get(metric)
    if spec is None or target is None:
        return None
    direction = direction_of(metric, target, kpi.baseline)
    if metric in QUANTILES:
        gaps = inputs.tactic_gaps.get(tactic.id, np.array([]))
        return quantile_evidence(tactic.id, metric, gaps, QUANTILES[metric], target, direction)
    obs = inputs.tactic_actual.get((tactic.id, metric))
    phi = dispersion([noise(inputs, kpi, tactic)])
    phi = phi if phi is not None else pooled
    if spec.unit == "ratio":
        if obs is None or obs.numerator is None or obs.denominator is None:
            return ratio_evidence(tactic.id, metric, 0.0, 0.0, target, direction)
        if phi is None and metric in BINOMIAL_RATIOS:
            phi = 1.0
        if phi is None:
            e = ratio_evidence(tactic.id, metric, obs.numerator, obs.denominator, target, direction)
            return TacticEvidence(e.tactic, metric, target, e.threshold, e.value, e.n, None, None, None,
                                  "undecided", None, "beta", "needs 3 review periods to judge the noise")
        return ratio_evidence(tactic.id, metric, obs.numerator, obs.denominator, target, direction, phi)
    if spec.accumulates:
        start = plan.horizon.start if plan.horizon else None
        deadline = plan.kpi_deadline(kpi)
        if start is None or deadline is None:
            return None
        lo, hi = _window(plan, tactic, start, deadline)
        needed = target - (kpi.baseline or 0.0)
        if hi < lo or needed == 0:
            return None
        required = abs(_share(tactic, tactics) * needed / ((hi - lo).days + 1))
        elapsed = max(0, (min(inputs.as_of, hi) - lo).days + 1)
        if obs is None or obs.value is None:
            return no_data(tactic.id, metric, required, threshold(required, direction), None, 0, "gamma",
                           "no attributed data")
        return count_evidence(tactic.id, metric, obs.value, elapsed, required, direction, phi)
    return None


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:,.0f}"


def describe(e: TacticEvidence) -> str:
    """One line of numbers for an evidence."""
    per = "/day" if e.method == "gamma" else ""
    band = f"; 90% {_fmt(e.low)}–{_fmt(e.high)}{per}" if e.low is not None else ""
    p = f": P(worse than {_fmt(e.threshold)}{per}) = {e.p_miss:.2f}" if e.p_miss is not None else ""
    return f"{e.tactic} {e.metric} {_fmt(e.value)}{per} ({e.note}{band}) vs target {_fmt(e.target)}{per}{p}"


def judge_tactic(evidence: list[TacticEvidence]) -> tuple[str, float | None, int | None]:
    """(state, probability, more_needed) of a tactic from its per-KPI evidence."""
    missing = [e for e in evidence if e.state == "missing"]
    if missing:
        return "missing", max(e.p_miss or 0.0 for e in missing), None
    tested = [e for e in evidence if e.state != "no_data"]
    if tested and all(e.state == "working" for e in tested):
        return "working", min(1 - (e.p_miss or 0.0) for e in tested), None
    if not tested:
        return "no_data", None, None
    undecided = [e for e in tested if e.state == "undecided"]
    probs = [e.p_miss for e in undecided if e.p_miss is not None]
    mores = [e.more_needed for e in undecided if e.more_needed is not None]
    return "undecided", max(probs) if probs else None, max(mores) if mores else None


def judge_objective(objective: str, evidence: dict[str, list[TacticEvidence]], spend: dict[str, float],
                    on_track: bool) -> list[Verdict]:
    """Verdicts for one objective from each serving tactic's evidence (pure; see the module rules)."""
    judged = {t: judge_tactic(ev) for t, ev in evidence.items()}
    with_data = [t for t, (state, _, _) in judged.items() if state != "no_data"]
    missing = [t for t in with_data if judged[t][0] == "missing"]
    spent = {t: max(spend.get(t, 0.0), 0.0) for t in with_data}
    total = sum(spent.values())
    most_tactics = len(missing) > len(with_data) / 2
    most_spend = total > 0 and sum(spent[t] for t in missing) > total / 2
    out: list[Verdict] = []
    strategy = len(missing) >= 2 and (most_tactics or most_spend)
    if strategy:
        details = tuple(e for t in missing for e in evidence[t] if e.state == "missing")
        lost = sum(spent[t] for t in missing)
        share = f"{lost / total:.0%} of their spend" if total > 0 else "no spend recorded"
        text = (f"{len(missing)} of {len(with_data)} tactics serving {objective!r} miss its KPIs ({share}): "
                + "; ".join(describe(e) for e in details)
                + ". Review the objective's premise: another tactic will not save it.")
        out.append(Verdict("strategy_failing", objective, None, text,
                           min(judged[t][1] or 0.0 for t in missing), tactics=tuple(missing), spend=lost,
                           details=details))
    for tactic, ev in evidence.items():
        state, prob, more = judged[tactic]
        lines = "; ".join(describe(e) for e in ev if e.state != "no_data")
        if state == "missing":
            if strategy:
                continue
            details = tuple(e for e in ev if e.state == "missing")
            text = "; ".join(describe(e) for e in details)
            if on_track and spent.get(tactic, 0.0) > 0:
                out.append(Verdict("tactic_dead_weight", objective, tactic,
                                   f"{text}. {objective!r} is on track without it, yet it spent "
                                   f"{spent[tactic]:,.0f}.", prob, (tactic,), spent[tactic], None, details))
            else:
                alone = len(with_data) == 1
                tail = (" It is the only tactic with data for this objective: the strategy is untested "
                        "until another tactic is tried." if alone else
                        " Other tactics of the objective do not miss: change or stop this one.")
                out.append(Verdict("tactic_failing", objective, tactic, text + "." + tail, prob, (tactic,),
                                   spent.get(tactic), None, details))
        elif state == "working":
            out.append(Verdict("working", objective, tactic, lines, prob, (tactic,), spent.get(tactic), None,
                               tuple(ev)))
        else:
            why = lines or "; ".join(f"{e.tactic} {e.metric}: {e.note}" for e in ev) or "no tactic-level test"
            if state == "undecided" and more:
                why = f"{why}. Needs about {more:,} more observations to decide"
            elif state == "undecided":
                why = f"{why}. The estimate sits on the line: only much more data would decide"
            elif state == "no_data" and not ev:
                why = (f"none of {objective!r}'s KPIs can be judged per tactic (ratios, reply times and "
                       "accumulating counts can)")
            elif state == "no_data":
                why = f"no attributed data for {tactic} ({why})"
            out.append(Verdict("not_enough_data", objective, tactic, why, prob, (tactic,), spent.get(tactic),
                               more, tuple(ev)))
    return out


def verdicts(inputs: DiagnoseInputs, statuses: list[KpiStatus]) -> list[Verdict]:
    """Verdicts for every objective that has serving tactics."""
    out: list[Verdict] = []
    for objective in inputs.plan.objectives:
        tactics = serving(inputs.plan, objective.id)
        if not tactics:
            continue
        pooled = {kpi.metric: dispersion([noise(inputs, kpi, t) for t in tactics]) for kpi in objective.kpis}
        evidence: dict[str, list[TacticEvidence]] = {}
        for tactic in tactics:
            found = [tactic_evidence(inputs, kpi, tactic, tactics, pooled[kpi.metric])
                     for kpi in objective.kpis]
            evidence[tactic.id] = [e for e in found if e is not None]
        mine = [s for s in statuses if s.objective == objective.id]
        on_track = bool(mine) and all(s.status in ("on_track", "met") for s in mine)
        out.extend(judge_objective(objective.id, evidence, inputs.tactic_spend, on_track))
    return out
