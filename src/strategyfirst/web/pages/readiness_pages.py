"""Readiness & capacity: the readiness score per dimension with what to do, the questionnaire (the CLI's
questions, answered by editors and owners into strategy.yaml as a new plan version), and the hour-of-week
staffing shortfall (heat map, gaps in words, spikes ahead, the queue model's assumptions)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from strategyfirst.errors import StrategyFirstError
from strategyfirst.plan.readiness import WEEKDAY_NAMES, WEEKDAYS
from strategyfirst.web import charts, services
from strategyfirst.web.deps import PageEditor, PageViewer
from strategyfirst.web.downloads import chart_response, file_name
from strategyfirst.web.questionnaire import questionnaire, save_answers
from strategyfirst.web.templating import render

router = APIRouter()
DAY_NAME = dict(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))


def _readiness(m: Any) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return services.readiness_json(m.ws), None
    except StrategyFirstError as exc:  # a plan that does not parse
        return None, str(exc)


def _capacity(m: Any, service_level: float, target_minutes: float | None,
              ) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return services.capacity_json(m.ws, service_level, target_minutes), None
    except StrategyFirstError as exc:  # no handling time, no target, a bad query value
        return None, str(exc)


def heatmap_rows(capacity: dict[str, Any]) -> list[dict[str, Any]]:
    """The 168 hour rows of the JSON grouped per weekday, in the shape of `CapacityPlan.heatmap()`."""
    days: dict[str, dict[str, Any]] = {}
    for r in capacity["hours"]:
        row = days.setdefault(r["weekday"], {"weekday": r["weekday"], "name": DAY_NAME[r["weekday"]],
                                             "shortfall": [], "needed": [], "declared": [],
                                             "arrivals_per_hour": []})
        for key in ("shortfall", "needed", "declared", "arrivals_per_hour"):
            row[key].append(r[key])
    return list(days.values())


def shortfall_spec(capacity: dict[str, Any] | None) -> dict[str, Any] | None:
    """The heat map of the capacity JSON (None without measured messages: nothing to draw)."""
    if not capacity or not capacity["messages"]:
        return None
    return charts.shortfall_heatmap_spec(heatmap_rows(capacity), capacity.get("timezone"))


def capacity_view(m: Any, service_level: str, target_minutes: str) -> tuple[dict[str, Any] | None, str | None]:
    """The capacity JSON for the form's text values, or why it cannot be planned."""
    try:
        level, target = float(service_level), float(target_minutes) if target_minutes.strip() else None
        if not all(math.isfinite(v) for v in (level, target or 1.0)):
            raise ValueError("not a finite number")
    except ValueError:
        return None, (f"{service_level!r} / {target_minutes!r}: give the share as a number between 0 and 1 and "
                      "the target in minutes")
    # the form's own words (the planner's message names the CLI's --service-level)
    if not 0 < level < 1:
        return None, f"share answered in time {service_level.strip()}: give a number between 0 and 1 (e.g. 0.9)"
    if target is not None and target <= 0:
        return None, f"target minutes {target_minutes.strip()}: give a number of minutes above 0 (e.g. 60)"
    return _capacity(m, level, target)


@router.get("/w/{slug}/readiness")
def read_readiness_page(request: Request, m: PageViewer, service_level: str = "0.9",
                        target_minutes: str = "", saved: int | None = None) -> Response:
    """Readiness per dimension, the questionnaire with the current answers, and the dialogue capacity against
    the declared team (the form's empty target means the plan's KPI target)."""
    return _page(request, m, service_level, target_minutes, questionnaire(m, saved=saved))


@router.get("/w/{slug}/charts/capacity/shortfall.{fmt}")
def read_shortfall_chart(m: PageViewer, fmt: str, service_level: str = "0.9", target_minutes: str = "") -> Response:
    """The capacity heat map (people short per hour of the week), as the page draws it, as an SVG or PNG."""
    capacity, _problem = capacity_view(m, service_level, target_minutes)
    return chart_response(shortfall_spec(capacity), fmt, file_name(m.slug, "capacity-shortfall"))


@router.post("/w/{slug}/readiness")
async def update_readiness_page(request: Request, m: PageEditor) -> Response:
    """Save the questionnaire's answers into strategy.yaml (a new plan version, comments kept): 422 with a
    message at each wrong answer, or with each lint error of the plan (refused as a plan editor save), 409 when
    the answers changed since the form was opened; nothing is written in either case and the form keeps what
    was typed."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    outcome = await run_in_threadpool(save_answers, m, form)
    if outcome.version is not None:
        return RedirectResponse(f"/w/{m.slug}/readiness?saved={outcome.version}#questionnaire", status_code=303)
    return _page(request, m, "0.9", "", outcome.context, status=outcome.status)


def _page(request: Request, m: Any, service_level: str, target_minutes: str, form: dict[str, Any],
          status: int = 200) -> Response:
    readiness, readiness_problem = _readiness(m)
    capacity, capacity_problem = capacity_view(m, service_level, target_minutes)
    query = urlencode({k: v for k, v in (("service_level", service_level), ("target_minutes", target_minutes))
                       if v and (k, v) != ("service_level", "0.9")})
    return render(request, "readiness.html", {
        "m": m, "tab": "readiness", "readiness": readiness, "readiness_problem": readiness_problem,
        "capacity": capacity, "capacity_problem": capacity_problem, "spec": shortfall_spec(capacity),
        "service_level": service_level, "target_minutes": target_minutes, "q": form,
        "chart_query": f"?{query}" if query else ""}, status=status)
