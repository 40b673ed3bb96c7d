"""The care team's declared schedule: enough people at every hour except the short hours built in on purpose.

People needed come from Erlang C (M/M/c) at the plan's service level and response-time target, on the
inbound volume per hour of week as measured in the simulated data (messages in that hour of the week divided
by how often it occurs in the data window). Written here independently of `strategyfirst.capacity`, so the
planner can be checked against it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from strategyfirst.simulate import org

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def service_level(people: int, per_hour: float, handling: float, target: float) -> float:
    """Share answered within `target` minutes: 1 - C(N, A)·exp(-(N - A)·t / AHT)."""
    load = per_hour * handling / 60.0
    if load <= 0:
        return 1.0
    if people <= load:
        return 0.0
    b = 1.0
    for n in range(1, people + 1):          # Erlang B by its stable recursion
        b = load * b / (n + load * b)
    wait = people * b / (people - load * (1.0 - b))
    return 1.0 - wait * math.exp(-(people - load) * target / handling)


def people_needed(per_hour: float, handling: float = org.HANDLING_MINUTES, target: float = org.TARGET_MINUTES,
                  level: float = org.SERVICE_LEVEL) -> int:
    """Fewest people meeting the service level (0 when no message is expected)."""
    if per_hour <= 0:
        return 0
    people = max(1, math.floor(per_hour * handling / 60.0) + 1)
    while service_level(people, per_hour, handling, target) < level:
        people += 1
    return people


def hour_occurrences() -> np.ndarray:
    """How many times each hour of week occurs in the data window."""
    starts = org.START_S + 3600 * np.arange((org.END_S - org.START_S) // 3600, dtype=np.int64)
    return np.bincount(org.hour_of_week(starts), minlength=168)


SHIFTS = ((0, 8), (8, 18), (18, 24))


def declared_schedule(per_hour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(people needed, people declared) per hour of week for measured arrivals `per_hour` (168 values).

    Each day has three shifts staffed for the busiest hour of the shift plus headroom, except the short
    hours, where half the people needed (rounded down) are on duty.
    """
    needed = np.array([people_needed(float(x)) for x in per_hour])
    roomy = np.array([people_needed(float(x) * org.STAFFING_HEADROOM) for x in per_hour])
    short = np.zeros(168, dtype=bool)
    short[list(org.SHORT_HOURS)] = True
    declared = np.zeros(168, dtype=np.int64)
    for day in range(7):
        for lo, hi in SHIFTS:
            hours = np.arange(day * 24 + lo, day * 24 + hi)
            staffed = hours[~short[hours]]
            if len(staffed):
                declared[staffed] = max(1, int(roomy[staffed].max()))
    declared[short] = needed[short] // 2
    return needed, declared


def staffing_blocks(declared: np.ndarray) -> list[dict[str, Any]]:
    """The schedule as `readiness.response.staffing` blocks (equal runs merged over days)."""
    runs: dict[tuple[int, int, int], list[str]] = {}
    for d, day in enumerate(DAY_KEYS):
        row = declared[d * 24:(d + 1) * 24]
        start = 0
        while start < 24:
            end = start + 1
            while end < 24 and row[end] == row[start]:
                end += 1
            if row[start] > 0:
                runs.setdefault((start, end, int(row[start])), []).append(day)
            start = end
    blocks = [{"days": days, "hours": f"{s:02d}-{e:02d}", "people": p} for (s, e, p), days in runs.items()]
    return sorted(blocks, key=lambda b: (DAY_KEYS.index(b["days"][0]), b["hours"]))
