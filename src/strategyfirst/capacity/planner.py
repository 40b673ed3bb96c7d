"""`plan_capacity(ws)`: is the declared team big enough, hour by hour, to keep the plan's dialogue KPIs?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strategyfirst.capacity.forecast import SpikeForecast, forecast_spikes
from strategyfirst.capacity.staffing import Gap, HourRow, expected_service_level, merge_gaps, staff_hours
from strategyfirst.capacity.volume import HourOfWeekVolume, Window, measure_volume
from strategyfirst.errors import PlanIncompleteError, UsageError
from strategyfirst.plan.model import Plan
from strategyfirst.plan.readiness import WEEKDAY_NAMES, WEEKDAYS

if TYPE_CHECKING:
    from strategyfirst.plan.document import PlanDocument
    from strategyfirst.ports import WorkspaceFiles

ASSUMPTIONS: tuple[str, ...] = (
    "messages arrive at random (Poisson) at a steady rate within each hour",
    "handling times are exponential around the declared mean (`readiness.response.handling_minutes`)",
    "nobody gives up: every message waits in the queue until it is answered",
    "each hour of the week is a separate 60-minute interval in steady state; queues do not carry over",
    "volume per hour = messages in that hour of the week averaged over the window stated in the notes "
    "(the latest stretch of data without a gap of more than a week)",
    "everyone declared on duty works on replies only (no shrinkage for meetings, breaks or posting)",
)

# KPIs whose target is a first-response time; p90 first because a 90% service level is its direct reading.
TARGET_KPIS = ("first_response_minutes_p90", "first_response_minutes_median")
HANDLING = ("readiness", "response", "handling_minutes")  # the key capacity needs, by its path in the plan


@dataclass
class CapacityPlan:
    """People needed vs declared for each of the 168 hours of the week, and the gaps in plain words."""

    service_level: float
    target_minutes: float
    handling_minutes: float
    timezone: str
    hours: list[HourRow]
    gap_details: list[Gap]
    forecasts: list[SpikeForecast] = field(default_factory=list)
    volume_source: str = "none"
    weeks_of_data: float = 0.0
    messages: int = 0
    notes: list[str] = field(default_factory=list)
    window: Window | None = None
    assumptions: tuple[str, ...] = ASSUMPTIONS

    @property
    def gaps(self) -> list[str]:
        """Merged statements such as 'Mondays 09–12: 2 people short'."""
        return [g.statement for g in self.gap_details]

    @property
    def expected_service_level(self) -> float | None:
        """Share of the week's messages answered within the target by the declared team."""
        return expected_service_level(self.hours)

    def heatmap(self) -> list[dict[str, Any]]:
        """7 rows (Monday first): {'weekday', 'name', 'shortfall': [24], 'needed': [24], 'declared': [24]}."""
        out = []
        for day, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
            rows = [r for r in self.hours if r.weekday == day]
            out.append({"weekday": day, "name": name, "shortfall": [r.shortfall for r in rows],
                        "needed": [r.needed for r in rows], "declared": [r.declared for r in rows],
                        "arrivals_per_hour": [r.arrivals_per_hour for r in rows]})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"service_level": self.service_level, "target_minutes": self.target_minutes,
                "handling_minutes": self.handling_minutes, "timezone": self.timezone,
                "volume_source": self.volume_source, "weeks_of_data": round(self.weeks_of_data, 3),
                "messages": self.messages, "window": _window_dict(self.window),
                "expected_service_level": self.expected_service_level,
                "gaps": [g.to_dict() for g in self.gap_details],
                "forecasts": [f.to_dict() for f in self.forecasts],
                "hours": [r.to_dict() for r in self.hours],
                "assumptions": list(self.assumptions), "notes": list(self.notes)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def _window_dict(window: Window | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"start": window.start.isoformat(), "end": window.end.isoformat(),
            "days_with_data": window.days_with_data, "days": window.days, "length": window.length,
            "messages_left_out": window.left_out, "why": window.statement}


def default_target_minutes(plan: Plan) -> float | None:
    """The target of the plan's first-response-time KPI, if it has one."""
    for metric in TARGET_KPIS:
        for objective in plan.objectives:
            for kpi in objective.kpis:
                if kpi.metric == metric and kpi.target is not None:
                    return kpi.target
    return None


def plan_capacity(ws: WorkspaceFiles, service_level: float = 0.9,
                  target_minutes: float | None = None) -> CapacityPlan:
    """Erlang C staffing for every hour of the week from measured volume, against the declared schedule."""
    from strategyfirst.metrics.cached import plan_facts
    from strategyfirst.warehouse.derive import refresh_file

    document = ws.plan_document()
    plan = document.plan
    phash = plan_facts(ws.plan_path, ws.state_dir).plan_hash  # kept per plan text: no Ibis to know it
    refresh_file(ws.warehouse_path, ws.state_dir, plan, phash)  # inbound follows the plan's owned accounts
    volume = measure_volume(ws.warehouse_path, _timezone(plan))
    return capacity_for(plan, volume, service_level=service_level, target_minutes=target_minutes,
                        document=document)


def _lacking(document: PlanDocument | None, path: tuple[str, ...], message: str) -> UsageError:
    """The error for a key `path` the plan lacks: in the plan's file at the deepest of its parents there (the
    file alone when none is), else (no file given) the message alone."""
    if document is None:
        return UsageError(message)
    node: Any = document.tree
    present = 0
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            break
        node, present = node[part], present + 1
    if not present:
        return PlanIncompleteError(document.file, message)
    line, column = document.locate(path[:present])
    return PlanIncompleteError(document.file, message, line, column)


def _timezone(plan: Plan) -> str:
    response = plan.readiness.response if plan.readiness else None
    return response.timezone if response else "UTC"


def capacity_for(plan: Plan, volume: HourOfWeekVolume, *, service_level: float = 0.9,
                 target_minutes: float | None = None, document: PlanDocument | None = None) -> CapacityPlan:
    """The capacity plan for a given plan and measured volume (the pure part of `plan_capacity`); `document`,
    the plan's file, locates what the plan lacks."""
    if not 0 < service_level < 1:
        raise UsageError(f"--service-level {service_level!r}: give the share to answer in time, "
                         "between 0 and 1 (e.g. 0.9)")
    response = plan.readiness.response if plan.readiness else None
    if response is None or response.handling_minutes is None:
        raise _lacking(document, HANDLING, "the plan declares no handling time per reply: add "
                       "`readiness.response.handling_minutes` (answer the readiness questionnaire: "
                       "`strategyfirst readiness`, or the Readiness page in the web)")
    target = target_minutes if target_minutes is not None else default_target_minutes(plan)
    if target is None:
        raise UsageError("no response-time target: pass --target-minutes, or give the plan a "
                         "first_response_minutes_p90 (or _median) KPI with a target")
    if target <= 0:
        raise UsageError(f"--target-minutes {target!r} must be positive")
    notes = list(volume.notes)
    if not response.staffing:
        notes.append("no staffing declared (`readiness.response.staffing`): "
                     "every hour with messages is short")
    declared = response.declared()
    rows = staff_hours(volume.arrivals, declared, response.handling_minutes, target, service_level)
    forecasts = forecast_spikes(plan, volume.arrivals, declared, rows, response.handling_minutes, target,
                                service_level)
    return CapacityPlan(service_level=service_level, target_minutes=target,
                        handling_minutes=response.handling_minutes, timezone=response.timezone, hours=rows,
                        gap_details=merge_gaps(rows), forecasts=forecasts, volume_source=volume.source,
                        weeks_of_data=volume.weeks, messages=volume.messages, notes=notes,
                        window=volume.window)
