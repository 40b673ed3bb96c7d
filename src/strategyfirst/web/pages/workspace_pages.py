"""The workspace list and each workspace's strategy map (strategy → objectives → tactics, with statuses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from strategyfirst.errors import StrategyFirstError
from strategyfirst.web import services
from strategyfirst.web.api.workspaces import visible_workspaces
from strategyfirst.web.deps import PageCaller, PageViewer, State
from strategyfirst.web.templating import render
from strategyfirst.web.view import as_of_from

router = APIRouter()
_WORST = ["off_track", "at_risk", "not_enough_data", "no_data", "on_track", "met"]


def diagnosis_or_none(m: Any, as_of: dt.date | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """The diagnosis (as of a day, else the latest data), or None and the reason it cannot be made yet (no
    data, a plan that does not parse)."""
    try:
        return services.diagnose_json(m.ws, as_of), None
    except StrategyFirstError as exc:
        return None, str(exc)


def strategy_map(plan: dict[str, Any], diagnosis: dict[str, Any] | None) -> dict[str, Any]:
    """Objectives with their KPIs' statuses (the worst one colours the objective) and tactics with verdicts."""
    from strategyfirst.web.drill import tactic_verdict

    kpis = (diagnosis or {}).get("kpis", [])
    objectives = []
    for o in plan.get("objectives") or []:
        mine = [k for k in kpis if k.get("objective") == o["id"]]
        states = [k["status"] for k in mine] or ["no_data"]
        worst = min(states, key=lambda s: _WORST.index(s) if s in _WORST else 2)
        tactics = [{**t, "verdict": tactic_verdict(diagnosis, t["id"])} for t in plan.get("tactics") or []
                   if o["id"] in (t.get("serves") or [])]
        objectives.append({**o, "status": worst, "kpi_status": mine, "tactics": tactics})
    experiments = [t for t in plan.get("tactics") or [] if not t.get("serves")]
    return {"objectives": objectives, "experiments": experiments}


@router.get("/workspaces")
def list_workspaces_page(request: Request, caller: PageCaller, state: State) -> Response:
    """The workspaces the user is a member of."""
    return render(request, "workspaces.html", {"workspaces": visible_workspaces(state, caller.user.id)})


@router.get("/w/{slug}")
def read_strategy_map(request: Request, m: PageViewer) -> Response:
    """The strategy map: strategy → objectives → tactics, coloured by KPI status and verdict."""
    _text, plan, problems = services.plan_state(m.ws)
    as_of, view_problems = as_of_from(request.query_params)
    diagnosis, why = diagnosis_or_none(m, as_of) if plan else (None, None)
    return render(request, "strategy.html", {"m": m, "tab": "strategy", "plan": plan, "problems": problems,
                                             "map": strategy_map(plan, diagnosis) if plan else None,
                                             "no_diagnosis": why, "diagnosis": diagnosis, "as_of": as_of,
                                             "view_problems": view_problems})
