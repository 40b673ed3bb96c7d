"""Readiness & capacity: the readiness score per dimension with what to do, and the hour-of-week staffing
shortfall (heat map, gaps in words, spikes ahead, the queue model's assumptions)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from strategyfirst.errors import StrategyFirstError
from strategyfirst.plan.readiness import WEEKDAY_NAMES, WEEKDAYS
from strategyfirst.web import charts, services
from strategyfirst.web.deps import PageViewer
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


@router.get("/w/{slug}/readiness")
def read_readiness_page(request: Request, m: PageViewer, service_level: str = "0.9",
                        target_minutes: str = "") -> Response:
    """Readiness per dimension and the dialogue capacity against the declared team (the form's empty
    target means the plan's KPI target)."""
    readiness, readiness_problem = _readiness(m)
    capacity: dict[str, Any] | None
    capacity_problem: str | None
    try:
        level, target = float(service_level), float(target_minutes) if target_minutes.strip() else None
        if not all(math.isfinite(v) for v in (level, target or 1.0)):
            raise ValueError("not a finite number")
    except ValueError:
        capacity, capacity_problem = None, (f"{service_level!r} / {target_minutes!r}: give the share as a "
                                            "number between 0 and 1 and the target in minutes")
    else:
        capacity, capacity_problem = _capacity(m, level, target)
    spec = (charts.shortfall_heatmap_spec(heatmap_rows(capacity), capacity.get("timezone"))
            if capacity and capacity["messages"] else None)
    return render(request, "readiness.html", {
        "m": m, "tab": "readiness", "readiness": readiness, "readiness_problem": readiness_problem,
        "capacity": capacity, "capacity_problem": capacity_problem, "spec": spec,
        "service_level": service_level, "target_minutes": target_minutes})
