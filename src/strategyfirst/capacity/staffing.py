"""People needed per hour of the week against people declared, and the gaps said in plain words."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from strategyfirst.capacity.erlang import required_servers, service_level
from strategyfirst.plan.readiness import WEEKDAY_NAMES, WEEKDAYS


@dataclass(frozen=True)
class HourRow:
    """One hour of the week: expected arrivals, people needed (Erlang C), people declared, the difference."""

    weekday: str                 # mon .. sun
    hour: int                    # 0-23, the team's local time
    arrivals_per_hour: float
    needed: int
    declared: float
    shortfall: float             # needed - declared where positive, else 0
    # expected share answered in time by the declared team; None where no message is expected
    service_level_declared: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Gap:
    """Consecutive hours on one or more consecutive days with the same shortfall."""

    days: tuple[str, ...]
    start: int
    end: int                     # exclusive: 09-12 is 09:00 to 12:00
    people_short: float
    needed: int                  # most people needed in any of these hours
    declared: float              # fewest people declared in any of these hours

    @property
    def statement(self) -> str:
        if self.declared == 0:
            who = f"nobody on duty, {_people(self.needed)} needed"
        else:
            who = f"{_people(self.people_short)} short"
        return f"{_days_label(self.days)} {self.start:02d}–{self.end:02d}: {who}"

    def to_dict(self) -> dict[str, Any]:
        return {"days": list(self.days), "start": self.start, "end": self.end,
                "people_short": self.people_short, "needed": self.needed, "declared": self.declared,
                "statement": self.statement}


def _people(n: float) -> str:
    text = f"{n:g}"
    return f"{text} person" if n == 1 else f"{text} people"


def _days_label(days: tuple[str, ...]) -> str:
    names = [WEEKDAY_NAMES[WEEKDAYS.index(d)] + "s" for d in days]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} to {names[-1]}"


def staff_hours(arrivals: list[list[float]], declared: list[list[float]], handling_minutes: float,
                target_minutes: float, target_service_level: float) -> list[HourRow]:
    """The 168 rows (Monday 00:00 first) comparing Erlang C staffing with the declared schedule."""
    rows = []
    for d, day in enumerate(WEEKDAYS):
        for h in range(24):
            lam, have = arrivals[d][h], declared[d][h]
            need = required_servers(lam, handling_minutes, target_minutes, target_service_level)
            sl = service_level(int(have), lam, handling_minutes, target_minutes) if lam > 0 else None
            rows.append(HourRow(day, h, lam, need, have, max(0.0, need - have), sl))
    return rows


def merge_gaps(rows: list[HourRow]) -> list[Gap]:
    """Runs of adjacent short hours with equal shortfall per day, then identical runs on consecutive days."""
    runs: list[Gap] = []
    for day in WEEKDAYS:
        day_rows = [r for r in rows if r.weekday == day]
        start = 0
        while start < len(day_rows):
            short = day_rows[start].shortfall
            end = start + 1
            while end < len(day_rows) and day_rows[end].shortfall == short:
                end += 1
            if short > 0:
                chunk = day_rows[start:end]
                runs.append(Gap((day,), chunk[0].hour, chunk[-1].hour + 1, short,
                                max(r.needed for r in chunk), min(r.declared for r in chunk)))
            start = end
    merged: list[Gap] = []
    for gap in runs:
        i = next((i for i, prev in enumerate(merged) if _continues(prev, gap)), None)
        if i is None:
            merged.append(gap)
        else:
            prev = merged[i]
            merged[i] = Gap(prev.days + gap.days, gap.start, gap.end, gap.people_short,
                            max(prev.needed, gap.needed), min(prev.declared, gap.declared))
    return _by_day_then_hour(merged)


def _continues(prev: Gap, gap: Gap) -> bool:
    """`gap` repeats `prev` on the next day (same hours, same shortfall, same 'nobody on duty')."""
    return ((prev.start, prev.end, prev.people_short) == (gap.start, gap.end, gap.people_short)
            and WEEKDAYS.index(gap.days[0]) == WEEKDAYS.index(prev.days[-1]) + 1
            and (prev.declared == 0) == (gap.declared == 0))


def _by_day_then_hour(gaps: list[Gap]) -> list[Gap]:
    return sorted(gaps, key=lambda g: (WEEKDAYS.index(g.days[0]), g.start))


def expected_service_level(rows: list[HourRow]) -> float | None:
    """Share of the week's messages answered in time with the declared team (arrival-weighted)."""
    total = sum(r.arrivals_per_hour for r in rows)
    if total <= 0:
        return None
    return sum(r.arrivals_per_hour * (r.service_level_declared or 0.0) for r in rows) / total
