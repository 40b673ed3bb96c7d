"""The report scoped to one objective or one tactic (the web app's "this view as a report"): the whole
report's data, with the plan, KPIs, verdicts, budget moves and decisions kept to the scope. Workspace-wide
sections (dialogue, permission asset, data quality, capacity) stay: they are the context the scope lives in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from strategyfirst.report.gather import gather_report_data
from strategyfirst.report.model import ReportData
from strategyfirst.report.render import render_html

if TYPE_CHECKING:
    from strategyfirst.ports import MeasuringWorkspace


def scope_data(data: ReportData, objective: str | None = None, tactic: str | None = None) -> ReportData:
    """`data` kept to `objective` (and its tactics) or to `tactic` (and the objectives it serves)."""
    if objective is None and tactic is None:
        return data
    plan = data.plan
    if plan is not None and tactic is not None:
        tactics = [t for t in plan.tactics if t.id == tactic]
        objectives = {o for t in tactics for o in t.serves}
    else:
        objectives = {objective} if objective else set()
        tactics = [t for t in plan.tactics if objective in t.serves] if plan is not None else []
    names = {t.id for t in tactics} | ({tactic} if tactic else set())
    scoped_plan = None if plan is None else dataclasses.replace(
        plan, objectives=[o for o in plan.objectives if o.id in objectives], tactics=tactics)

    def in_scope(obj: str, tac: str) -> bool:
        return tac in names if tactic else (obj in objectives or tac in names)

    funnel = data.funnel
    if funnel is not None:  # the overall chain stays beside the scope's tactics' chains
        funnel = {**funnel, "funnels": [f for f in funnel.get("funnels") or []
                                        if f.get("scope") == "overall" or f.get("scope") in names]}
    return dataclasses.replace(
        data, plan=scoped_plan, funnel=funnel, kpis=[k for k in data.kpis if k.objective in objectives],
        verdicts=[v for v in data.verdicts if in_scope(v.objective, v.tactic)
                  or (tactic is not None and v.kind == "strategy_failing" and v.objective in objectives)],
        budget=[b for b in data.budget if b.source in names or b.target in names
                or (not tactic and b.objective in objectives)],
        decisions=[d for d in data.decisions if in_scope(d.objective, d.tactic)],
        scope=f"tactic {tactic}" if tactic else f"objective {objective}")


def scoped_report(ws: MeasuringWorkspace, objective: str | None = None, tactic: str | None = None,
                  as_of: dt.date | None = None) -> str:
    """The report of `ws` kept to one objective or tactic, as one HTML string."""
    return render_html(scope_data(gather_report_data(ws, as_of), objective, tactic))
