"""Volume spikes the plan itself announces: tactics' `expected_inbound_per_week` while they run.

The timeline is cut where a tactic with expected inbound starts or ends; in each piece the extra weekly volume
is spread over the hours of the week like the measured volume (evenly when nothing is measured yet), and the
staffing is recomputed, so the team can hire or rota before the contest or launch brings the crowd.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from strategyfirst.capacity.staffing import Gap, HourRow, merge_gaps, staff_hours
from strategyfirst.plan.model import Plan, Tactic


@dataclass(frozen=True)
class SpikeForecast:
    """Staffing while a set of tactics brings extra inbound volume, from `start` to `end` (inclusive)."""

    start: dt.date | None
    end: dt.date | None
    tactics: tuple[str, ...]
    extra_per_week: float
    extra_people_hours_per_week: float      # Σ over the week of (people needed with the spike - without)
    gap_details: list[Gap] = field(default_factory=list)
    hours: list[HourRow] = field(default_factory=list, repr=False)

    @property
    def gaps(self) -> list[str]:
        return [g.statement for g in self.gap_details]

    @property
    def statement(self) -> str:
        when = f"{_d(self.start)} to {_d(self.end)}"
        what = ", ".join(self.tactics)
        head = f"{when} ({what}): +{self.extra_per_week:g} inbound messages a week"
        if not self.gap_details:
            return f"{head}; the declared team covers it"
        return f"{head}; staff up by {self.extra_people_hours_per_week:g} people-hours a week"

    def to_dict(self) -> dict[str, Any]:
        return {"start": _iso(self.start), "end": _iso(self.end), "tactics": list(self.tactics),
                "extra_per_week": self.extra_per_week,
                "extra_people_hours_per_week": self.extra_people_hours_per_week,
                "statement": self.statement, "gaps": [g.to_dict() for g in self.gap_details]}


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "open-ended"


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _window(tactic: Tactic, plan: Plan) -> tuple[dt.date, dt.date]:
    """A tactic runs during its `period`, else the plan's horizon, else always."""
    start = (tactic.period.start if tactic.period else None) or (plan.horizon.start if plan.horizon else None)
    end = (tactic.period.end if tactic.period else None) or (plan.horizon.end if plan.horizon else None)
    return start or dt.date.min, end or dt.date.max


def forecast_spikes(plan: Plan, arrivals: list[list[float]], declared: list[list[float]],
                    baseline: list[HourRow], handling_minutes: float, target_minutes: float,
                    target_service_level: float) -> list[SpikeForecast]:
    """One forecast per stretch of time with a constant set of tactics bringing expected inbound volume."""
    windows = {t.id: (t, *_window(t, plan)) for t in plan.tactics if t.expected_inbound_per_week}
    if not windows:
        return []
    cuts = sorted({s for _, s, _ in windows.values()}
                  | {e + dt.timedelta(days=1) for _, _, e in windows.values() if e < dt.date.max})
    total = sum(sum(row) for row in arrivals)
    shape = ([[v / total for v in row] for row in arrivals] if total > 0
             else [[1 / 168] * 24 for _ in range(7)])
    out = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] - dt.timedelta(days=1) if i + 1 < len(cuts) else dt.date.max
        active = [(t.id, t.expected_inbound_per_week or 0.0)
                  for t, s, e in windows.values() if s <= start <= e]
        if not active:
            continue
        extra = sum(v for _, v in active)
        spiked = [[arrivals[d][h] + extra * shape[d][h] for h in range(24)] for d in range(7)]
        rows = staff_hours(spiked, declared, handling_minutes, target_minutes, target_service_level)
        more = sum(r.needed - b.needed for r, b in zip(rows, baseline, strict=True))
        out.append(SpikeForecast(None if start == dt.date.min else start,
                                 None if end == dt.date.max else end,
                                 tuple(sorted(t for t, _ in active)), extra, float(more),
                                 merge_gaps(rows), rows))
    return out
