"""Erlang C figures against published worked examples and an exact rational reference."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from pyworkforce.queuing import ErlangC

from strategyfirst.capacity import (
    average_wait_minutes,
    erlang_b,
    erlang_c,
    offered_load,
    required_servers,
    service_level,
)
from strategyfirst.errors import UsageError


def exact_erlang_c(load: Fraction, servers: int) -> Fraction:
    """Textbook closed form, in exact fractions: (A^N/N!·N/(N-A)) / (Σ_{k<N} A^k/k! + A^N/N!·N/(N-A))."""
    top = load**servers / math.factorial(servers) * Fraction(servers) / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def test_textbook_example_one_call_a_minute_three_minutes_five_agents() -> None:
    # One call a minute, 3 minutes each, 5 agents: A = 3 Erlangs.
    # By hand: Σ_{k=0..4} 3^k/k! = 1 + 3 + 4.5 + 4.5 + 3.375 = 16.375;
    # 3^5/5! · 5/(5-3) = 2.025 · 2.5 = 5.0625;
    # C = 5.0625 / 21.4375 = 81/343 = 0.236152 -> 76.38 % of callers do not wait.
    assert offered_load(60, 3) == pytest.approx(3.0)
    assert erlang_c(5, 3.0) == pytest.approx(81 / 343, abs=1e-12)
    assert 1 - erlang_c(5, 3.0) == pytest.approx(0.763848, abs=1e-6)
    # ASA = C·AHT/(N-A) = (81/343)·3/2 = 243/686 min; P(wait > ASA) = C·exp(-(N-A)·ASA/AHT).
    asa = average_wait_minutes(5, 60, 3)
    assert asa == pytest.approx(243 / 686, abs=1e-12)
    expected = 81 / 343 * math.exp(-2 * (243 / 686) / 3)
    assert 1 - service_level(5, 60, 3, asa) == pytest.approx(expected, abs=1e-12)


def test_call_centre_helper_example_100_calls_per_half_hour() -> None:
    # Call Centre Helper's "Erlang C formula made simple": 100 calls in 30 minutes, AHT 180 s, 80 % in 20 s.
    # Published: A = 10 Erlangs; with 11 agents P(wait) = 68.21 %, service level 39.0 %, ASA 122.8 s;
    # 14 agents are the first to reach 80 % (88.8 %).
    arrivals_per_hour, aht, target = 200.0, 3.0, 20 / 60
    assert offered_load(arrivals_per_hour, aht) == pytest.approx(10.0)
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(11, arrivals_per_hour, aht, target) == pytest.approx(0.390, abs=5e-4)
    assert average_wait_minutes(11, arrivals_per_hour, aht) * 60 == pytest.approx(122.8, abs=0.05)
    assert service_level(13, arrivals_per_hour, aht, target) < 0.8
    assert service_level(14, arrivals_per_hour, aht, target) == pytest.approx(0.888, abs=5e-4)
    assert required_servers(arrivals_per_hour, aht, target, 0.8) == 14


def test_westbay_example_360_calls_per_half_hour_55_agents() -> None:
    # 360 calls per half hour, 4 minutes each, 55 agents, 15-second target: A = 48 Erlangs, occupancy 87.3 %.
    assert offered_load(720, 4) == pytest.approx(48.0)
    c = float(exact_erlang_c(Fraction(48), 55))
    assert erlang_c(55, 48.0) == pytest.approx(c, rel=1e-12)
    assert c == pytest.approx(0.2387, abs=5e-5)
    assert service_level(55, 720, 4, 0.25) == pytest.approx(1 - c * math.exp(-7 * 15 / 240), rel=1e-12)
    assert average_wait_minutes(55, 720, 4) * 60 == pytest.approx(c * 240 / 7, rel=1e-12)  # about 8.2 s


@pytest.mark.parametrize(("load", "servers"), [(0.5, 1), (2.6, 3), (7.25, 9), (30.0, 31), (95.5, 110)])
def test_erlang_c_matches_exact_fractions(load: float, servers: int) -> None:
    assert erlang_c(servers, load) == pytest.approx(float(exact_erlang_c(Fraction(load), servers)), rel=1e-10)


def test_erlang_b_small_case_by_hand() -> None:
    # B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_agrees_with_pyworkforce_where_its_search_is_sound() -> None:
    for transactions, aht, asa in [(100, 3, 20 / 60), (50, 4, 1.0), (300, 2.5, 0.5)]:
        ref = ErlangC(transactions=transactions, aht=aht, asa=asa, interval=30)
        for n in range(int(ref.intensity) + 2, int(ref.intensity) + 8):
            ours = service_level(n, transactions * 2, aht, asa)
            assert ours == pytest.approx(ref.service_level(n), rel=1e-9)
        assert required_servers(transactions * 2, aht, asa, 0.8) == ref.required_positions(0.8)["positions"]


def test_smallest_stable_team_is_tried_first() -> None:
    # Load 2.6 Erlangs, 6-minute replies, 60-minute target. By hand: Σ_{k<3} 2.6^k/k! = 6.98,
    # 2.6^3/3!·3/0.4 = 21.97, C = 21.97/28.95 = 0.7589, SL = 1 - 0.7589·e^(-0.4·60/6) = 0.9861: 3 people are
    # enough (pyworkforce starts its search at round(2.6 + 1) = 4).
    lam = 26.0  # per hour, × 6 min = 2.6 Erlangs
    assert service_level(3, lam, 6, 60) == pytest.approx(1 - 21.97 / 28.95 * math.exp(-4), abs=1e-9)
    assert required_servers(lam, 6, 60, 0.9) == 3


def test_edges() -> None:
    assert required_servers(0, 5, 60, 0.9) == 0
    assert service_level(0, 0, 5, 60) == 1.0
    assert service_level(2, 60, 3, 10) == 0.0            # 3 Erlangs on 2 people: the queue never clears
    assert average_wait_minutes(3, 60, 3) == math.inf
    assert required_servers(0.1, 5, 60, 0.9) == 1         # a message every 10 hours still needs someone
    with pytest.raises(UsageError):
        required_servers(10, 5, 60, 1.0)
