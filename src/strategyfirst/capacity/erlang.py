"""Erlang C (the M/M/c queue): probability of waiting, service level, average speed of answer, staff needed.

Assumptions, stated wherever the figures are shown: arrivals are Poisson at a constant rate within the
interval, handling times are exponential with the declared mean, nobody abandons (every message waits until
answered), the queue is in steady state within each interval, and everyone on duty works on replies only.

`pyworkforce.ErlangC` implements the same formulas, but its staff search starts at round(load + 1), which
can skip the smallest stable team (load 2.6 -> it tries 4 first although 3 people may meet a long target),
and it refuses intervals without traffic; so the search is done here, and pyworkforce is a cross-check in
the tests.
"""

from __future__ import annotations

import math

from strategyfirst.errors import UsageError


def offered_load(arrivals_per_hour: float, handling_minutes: float) -> float:
    """Traffic intensity A in Erlangs: arrivals per minute × minutes per reply."""
    return arrivals_per_hour / 60.0 * handling_minutes


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability B(N, A) by the stable recursion B(n) = A·B(n-1) / (n + A·B(n-1))."""
    b = 1.0
    for n in range(1, servers + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits, C(N, A); 1.0 when the team cannot keep up (N <= A)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1.0 - b))


def service_level(servers: int, arrivals_per_hour: float, handling_minutes: float,
                  target_minutes: float) -> float:
    """Share of messages answered within `target_minutes`: 1 - C(N, A)·exp(-(N - A)·t / AHT)."""
    load = offered_load(arrivals_per_hour, handling_minutes)
    if load <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    wait = erlang_c(servers, load)
    return max(0.0, 1.0 - wait * math.exp(-(servers - load) * target_minutes / handling_minutes))


def average_wait_minutes(servers: int, arrivals_per_hour: float, handling_minutes: float) -> float:
    """Average speed of answer (minutes in the queue): C(N, A)·AHT / (N - A); infinite when N <= A."""
    load = offered_load(arrivals_per_hour, handling_minutes)
    if load <= 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * handling_minutes / (servers - load)


def required_servers(arrivals_per_hour: float, handling_minutes: float, target_minutes: float,
                     target_service_level: float) -> int:
    """The fewest people whose service level reaches the target (0 when no message is expected)."""
    if not 0 < target_service_level < 1:
        raise UsageError(f"service level {target_service_level!r} must lie between 0 and 1 (e.g. 0.9)")
    if handling_minutes <= 0 or target_minutes < 0:
        raise UsageError("handling minutes must be positive and the target minutes not negative")
    if arrivals_per_hour <= 0:
        return 0
    load = offered_load(arrivals_per_hour, handling_minutes)
    servers = max(1, math.floor(load) + 1)  # the smallest team that keeps up at all
    while service_level(servers, arrivals_per_hour, handling_minutes, target_minutes) < target_service_level:
        servers += 1
    return servers
