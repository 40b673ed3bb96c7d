"""The Erlang C staffing against a discrete-event simulation of the same queue (ciw, M/M/c, seeded)."""

from __future__ import annotations

import ciw
import pytest

from strategyfirst.capacity import offered_load, required_servers, service_level


def simulated_service_level(arrivals_per_hour: float, handling_minutes: float, servers: int,
                            target_minutes: float, customers: int = 8000, seed: int = 7) -> float:
    """Share of simulated messages waiting at most `target_minutes` (after a warm-up of 200 replies' time)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(arrivals_per_hour / 60)],
        service_distributions=[ciw.dists.Exponential(1 / handling_minutes)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(customers * 60 / arrivals_per_hour)
    waits = [r.waiting_time for r in sim.get_all_records() if r.arrival_date > 200 * handling_minutes]
    return sum(w <= target_minutes + 1e-9 for w in waits) / len(waits)


# (arrivals per hour, minutes per reply, target minutes, share to answer in time): from a quiet inbox to a
# busy desk, short and long targets.
PATTERNS = [
    (20, 5, 10, 0.8),
    (40, 5, 5, 0.8),
    (90, 3, 5, 0.8),
    (20, 8, 15, 0.8),
    (30, 6, 30, 0.9),    # one person fewer cannot keep up at all (3 people for 3 Erlangs)
    (4, 6, 15, 0.9),     # a night trickle: one person is enough
]


@pytest.mark.parametrize(("lam", "aht", "target", "level"), PATTERNS)
def test_recommended_staffing_meets_target_and_one_fewer_misses(lam: float, aht: float, target: float,
                                                                 level: float) -> None:
    n = required_servers(lam, aht, target, level)
    assert n > offered_load(lam, aht)
    at_n = simulated_service_level(lam, aht, n, target)
    assert at_n >= level
    assert at_n == pytest.approx(service_level(n, lam, aht, target), abs=0.04)
    if n > 1:
        fewer = simulated_service_level(lam, aht, n - 1, target)
        assert fewer < level


def test_a_day_staffed_hour_by_hour_meets_the_target() -> None:
    """The planner's working assumption, checked: one day of hourly rates, each hour staffed with Erlang C's
    number as if it stood alone, simulated as one queue whose team changes on the hour (queues carry over)."""
    rates = [1, 1, 1, 1, 1, 2, 4, 10, 20, 40, 40, 40, 25, 25, 20, 20, 15, 12, 10, 8, 6, 4, 2, 1]
    aht, target, level, days = 6.0, 15.0, 0.8, 30
    staff = [required_servers(r, aht, target, level) for r in rates]
    ends = [60.0 * (h + 1) for h in range(24)]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.PoissonIntervals([r / 60 for r in rates], ends,
                                                          max_sample_date=days * 1440)],
        service_distributions=[ciw.dists.Exponential(1 / aht)],
        number_of_servers=[ciw.Schedule(numbers_of_servers=staff, shift_end_dates=ends)],
    )
    ciw.seed(3)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(days * 1440)
    records = [r for r in sim.get_all_records() if r.arrival_date > 1440]  # first day: warm-up
    assert len(records) == pytest.approx(sum(rates) * (days - 1), rel=0.05)
    in_time = [r.waiting_time <= target + 1e-9 for r in records]
    assert sum(in_time) / len(in_time) >= level
    for hour, rate in enumerate(rates):
        if rate >= 10:  # enough messages per hour for a stable share
            mine = [ok for r, ok in zip(records, in_time, strict=True)
                    if int(r.arrival_date % 1440 // 60) == hour]
            assert sum(mine) / len(mine) >= level, hour
