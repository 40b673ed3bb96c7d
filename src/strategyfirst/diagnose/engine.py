"""`diagnose` and its pure steps (KPI statuses, verdicts, budget proposals); `strategyfirst.diagnose` offers them
without importing this module (numpy, scipy.special) until one is used."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from strategyfirst import catalog
from strategyfirst.dates import horizon_note
from strategyfirst.diagnose.budget import TacticCost, propose
from strategyfirst.diagnose.diagnosis import BudgetMove, Diagnosis, KpiStatus, Verdict
from strategyfirst.diagnose.inputs import DiagnoseInputs, gather, latest_data_date
from strategyfirst.diagnose.status import FOOTNOTES, kpi_status
from strategyfirst.diagnose.verdicts import VERDICT_NOTES, serving, verdicts

if TYPE_CHECKING:
    from strategyfirst.ports import MeasuringWorkspace


def kpi_statuses(inputs: DiagnoseInputs) -> list[KpiStatus]:
    """The status of every KPI of the plan, in plan order."""
    plan = inputs.plan
    out = []
    for objective in plan.objectives:
        for kpi in objective.kpis:
            key = (objective.id, kpi.metric)
            status = kpi_status(
                objective=objective.id, metric=kpi.metric, target=kpi.target, baseline=kpi.baseline,
                horizon_start=plan.horizon.start if plan.horizon else None, deadline=plan.kpi_deadline(kpi),
                as_of=inputs.as_of, period=inputs.period, actual=inputs.objective_actual.get(key),
                series=inputs.objective_series.get(key, []), gaps=inputs.objective_gaps.get(objective.id),
                audience_start=inputs.audience_start.get(objective.id),
                size_actual=inputs.audience_size_actual.get(objective.id),
                size_series=inputs.audience_size_series.get(objective.id),
                covered_to=inputs.objective_covered.get(key), covered_from=inputs.objective_began.get(key),
                sources=inputs.objective_sources.get(key))
            note = inputs.objective_notes.get(key)
            out.append(dataclasses.replace(status, reason=f"{status.reason}; {note}") if note else status)
    return out


FAILING = frozenset({"tactic_failing", "tactic_dead_weight", "strategy_failing"})


def budget_proposals(inputs: DiagnoseInputs, judged: list[Verdict] | None = None) -> list[BudgetMove]:
    """Thompson-sampling budget moves within each objective, results counted on its first countable KPI.

    With the verdicts (`judged`), objectives whose strategy fails are left out and failing tactics receive
    nothing.
    """
    plan = inputs.plan
    currency = plan.budget.currency if plan.budget else ""
    moves: list[BudgetMove] = []
    judged = judged or []
    for objective in plan.objectives:
        result = _result_metric([k.metric for k in objective.kpis])
        mine = [v for v in judged if v.objective == objective.id]
        if result is None or any(v.kind == "strategy_failing" for v in mine):
            continue
        failing = frozenset(t for v in mine if v.kind in FAILING for t in v.tactics)
        costs = []
        for tactic in serving(plan, objective.id):
            obs = inputs.tactic_actual.get((tactic.id, result))
            spend = inputs.tactic_spend.get(tactic.id)
            if obs is None or spend is None or tactic.budget is None:
                continue
            spec = catalog.get(result)
            count = obs.numerator if spec is not None and spec.unit == "ratio" else obs.value
            if count is None:
                continue
            costs.append(TacticCost(tactic.id, float(tactic.budget), float(spend), max(0.0, float(count))))
        name = RESULT_NAMES.get(result, result)
        moves.extend(propose(objective.id, costs, seed=inputs.seed, result_name=name, currency=currency,
                             no_more_for=failing))
    return moves


# What one unit of an objective's result is called in a budget proposal's "why".
RESULT_NAMES = {"response_rate": "answered message", "conversation_response_rate": "answered conversation",
                "dialogue_ratio": "reply to the audience", "engagement_rate": "engagement",
                "engagement_rate_by_reach": "engagement", "click_through_rate": "click",
                "amplification_rate": "share", "audience_growth": "net new audience member",
                "audience_gained": "new audience member", "follows_from_posts": "follow",
                "engagements": "engagement", "impressions": "impression", "reach": "person reached"}


def _result_metric(metrics: list[str]) -> str | None:
    """The KPI whose count is the objective's 'result': an accumulating up-count, else a ratio's numerator."""
    specs = [s for s in (catalog.get(m) for m in metrics) if s is not None]
    for spec in specs:
        if spec.accumulates and spec.direction == "up":
            return spec.id
    for spec in specs:
        if spec.unit == "ratio" and spec.direction == "up":
            return spec.id
    return None


def diagnose(source: MeasuringWorkspace | DiagnoseInputs, as_of: dt.date | None = None, *, seed: int = 0) -> Diagnosis:
    """KPI statuses, verdicts and budget proposals as of a date (default: the latest data, else today)."""
    if isinstance(source, DiagnoseInputs):
        inputs = source if as_of is None else dataclasses.replace(source, as_of=as_of)
    else:
        plan = source.plan_document().plan
        day = as_of or latest_data_date(source) or dt.date.today()
        inputs = gather(source, plan, day, seed=seed)
    statuses = kpi_statuses(inputs)
    judged = verdicts(inputs, statuses)
    horizon = inputs.plan.horizon
    return Diagnosis(as_of=inputs.as_of, kpis=statuses, verdicts=judged,
                     budget=budget_proposals(inputs, judged),
                     footnotes=[*FOOTNOTES, *VERDICT_NOTES],
                     note=horizon_note(inputs.as_of, horizon.start if horizon else None,
                                       horizon.end if horizon else None))
