"""Merging short hours into statements: nothing lost, nothing invented, adjacent hours and days joined."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from strategyfirst.capacity.staffing import HourRow, merge_gaps
from strategyfirst.plan.readiness import WEEKDAYS


def rows(short: list[int], declared: list[int]) -> list[HourRow]:
    return [HourRow(WEEKDAYS[i // 24], i % 24, 1.0, short[i] + declared[i], float(declared[i]),
                    float(short[i]), None) for i in range(168)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=168, max_size=168),
       st.lists(st.integers(0, 1), min_size=168, max_size=168))
def test_gaps_cover_exactly_the_short_hours(short: list[int], declared: list[int]) -> None:
    gaps = merge_gaps(rows(short, declared))
    covered: dict[int, float] = {}
    for g in gaps:
        for day in g.days:
            for hour in range(g.start, g.end):
                i = WEEKDAYS.index(day) * 24 + hour
                assert i not in covered  # no hour stated twice
                covered[i] = g.people_short
    assert covered == {i: float(s) for i, s in enumerate(short) if s > 0}


def test_statements() -> None:
    short = [0] * 168
    declared = [1] * 168
    for day in range(5):              # Mon-Fri 09-12: 2 short with someone on duty
        for hour in (9, 10, 11):
            short[day * 24 + hour] = 2
    for hour in (18, 19):             # Sunday evening: nobody on duty
        short[6 * 24 + hour], declared[6 * 24 + hour] = 1, 0
    short[2 * 24 + 14] = 1            # Wednesday 14-15: 1 short
    assert [g.statement for g in merge_gaps(rows(short, declared))] == [
        "Mondays to Fridays 09–12: 2 people short",
        "Wednesdays 14–15: 1 person short",
        "Sundays 18–20: nobody on duty, 1 person needed",
    ]
    short[1 * 24 + 10] = 3            # Tuesday 10 is worse: Tuesday splits, Monday and Wed-Fri stay apart
    statements = [g.statement for g in merge_gaps(rows(short, declared))]
    assert statements[:4] == ["Mondays 09–12: 2 people short", "Tuesdays 09–10: 2 people short",
                              "Tuesdays 10–11: 3 people short", "Tuesdays 11–12: 2 people short"]
    assert "Wednesdays to Fridays 09–12: 2 people short" in statements
