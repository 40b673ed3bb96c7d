"""The workspace list and each workspace's strategy map (strategy → objectives → tactics, with statuses)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.errors import StrategyFirstError
from strategyfirst.web import services
from strategyfirst.web.api.workspaces import visible_workspaces
from strategyfirst.web.auth import Principal
from strategyfirst.web.deps import AsOf, PageCaller, PageViewer, State
from strategyfirst.web.downloads import csv_response
from strategyfirst.web.state import AppState
from strategyfirst.web.templating import render
from strategyfirst.web.view import as_of_query

router = APIRouter()
CREATION_OFF = ("creating workspaces from the web is off on this server: start `strategyfirst serve` with "
                "--new-workspaces DIR (or create one with `strategyfirst init DIR` and serve it)")


def diagnosis_or_none(m: Any, as_of: dt.date | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """The diagnosis (as of a day, else the latest data), or None and the reason it cannot be made yet (no
    data, a plan that does not parse)."""
    try:
        return services.diagnose_json(m.ws, as_of), None
    except StrategyFirstError as exc:
        return None, str(exc)


def strategy_map(plan: dict[str, Any], diagnosis: dict[str, Any] | None) -> dict[str, Any]:
    """Objectives with their KPIs' statuses (the worst one colours the objective) and tactics with verdicts."""
    from strategyfirst.web.drill import tactic_verdict, worst

    kpis = (diagnosis or {}).get("kpis", [])
    objectives = []
    for o in plan.get("objectives") or []:
        mine = [k for k in kpis if k.get("objective") == o["id"]]
        tactics = [{**t, "verdict": tactic_verdict(diagnosis, t["id"], objective=o["id"])}
                   for t in plan.get("tactics") or [] if o["id"] in (t.get("serves") or [])]
        objectives.append({**o, "status": worst([k["status"] for k in mine]), "kpi_status": mine, "tactics": tactics})
    experiments = [t for t in plan.get("tactics") or [] if not t.get("serves")]
    return {"objectives": objectives, "experiments": experiments}


def _workspaces_page(request: Request, caller: Principal, state: AppState, status: int = 200,
                     **extra: Any) -> Response:
    return render(request, "workspaces.html", {"workspaces": visible_workspaces(state, caller.user.id),
                                               "admin": caller.user.is_admin, "name": "",
                                               "creation_on": state.settings.new_workspaces is not None, **extra},
                  status=status)


@router.get("/workspaces")
def list_workspaces_page(request: Request, caller: PageCaller, state: State, created: str | None = None,
                         ) -> Response:
    """The workspaces the user is a member of (and, for an admin, the form to create one)."""
    return _workspaces_page(request, caller, state, created=created)


@router.post("/workspaces")
def create_workspace(request: Request, caller: PageCaller, state: State,
                     name: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Create a workspace as `strategyfirst init` does (the starter plan), its creator its owner: admins only."""
    from strategyfirst.workspace import new_workspace

    if not caller.user.is_admin or caller.by_token:
        raise HTTPException(403, "only an admin creates workspaces (`strategyfirst users admin EMAIL` on the "
                                 "server makes one), from a browser session")
    if state.settings.new_workspaces is None:
        return _workspaces_page(request, caller, state, 422, name=name, error=CREATION_OFF)
    try:
        ws = new_workspace(state.settings.new_workspaces, name, state.db, caller.user.email)
    except StrategyFirstError as exc:
        return _workspaces_page(request, caller, state, 422, name=name, error=str(exc))
    state.workspace(ws.slug)  # served from now on (another process of `serve --workers` finds it the same way)
    return RedirectResponse(f"/workspaces?created={quote(ws.slug)}", status_code=303)


@router.get("/workspaces.csv")
def read_workspaces_csv(caller: PageCaller, state: State) -> Response:
    """The workspaces table as CSV: slug, organisation and your role in each."""
    cols = ("slug", "organisation", "role")
    return csv_response("workspaces", cols, ([w[c] for c in cols] for w in visible_workspaces(state, caller.user.id)))


@router.get("/w/{slug}")
def read_strategy_map(request: Request, m: PageViewer, as_of: AsOf) -> Response:
    """The strategy map: strategy → objectives → tactics, coloured by KPI status and verdict."""
    _text, plan, problems = services.plan_state(m.ws)
    diagnosis, why = diagnosis_or_none(m, as_of) if plan else (None, None)
    return render(request, "strategy.html", {"m": m, "tab": "strategy", "plan": plan, "problems": problems,
                                             "map": strategy_map(plan, diagnosis) if plan else None,
                                             "no_diagnosis": why, "diagnosis": diagnosis, "as_of": as_of,
                                             "as_of_query": as_of_query(as_of)})
