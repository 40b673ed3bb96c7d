"""The one number formatter: each unit as people read it (expected strings written by hand)."""

from __future__ import annotations

import pytest

from strategyfirst import formatting as f


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (4943.0, "count", "4,943"),
    (2975342.5, "count", "2,975,342"),   # round half to even: never a fraction in a count
    (2975343.5, "count", "2,975,344"),
    (3.25, "count", "3.2"),              # a small mean keeps one decimal
    (0.00708, "ratio", "0.71%"),
    (0.848, "ratio", "84.8%"),
    (-0.0001, "ratio", "-0.01%"),
    (-0.0, "ratio", "0.0%"),
    (9.63, "minutes", "9.6 min"),
    (45.2, "minutes", "45 min"),
    (150.0, "minutes", "2.5 h"),
    (4320.0, "minutes", "3.0 days"),
    (1250.0, "currency", "1,250"),
    (12.5, "currency", "12.50"),
    (0.1234, "score", "+0.12"),
    (-0.001, "score", "0.00"),
    (None, "ratio", "—"),
    (float("nan"), "count", "—"),
    (5000.0, None, "5,000"),
    (0.5, None, "0.5"),
    ("n/a", None, "n/a"),
])
def test_number_by_unit(value: float | None, unit: str | None, expected: str) -> None:
    assert f.number(value, unit) == expected


def test_money_carries_its_currency() -> None:
    assert f.money(1250, "EUR") == "1,250 EUR"
    assert f.number(12.5, "currency", currency="USD") == "12.50 USD"


@pytest.mark.parametrize(("p", "expected"), [
    (0.76, "76% likely to stay below target"),
    (0.004, "under 1% likely to stay below target"),
    (0.999, "over 99% likely to stay below target"),
    (None, "unknown how likely it is to stay below target"),
])
def test_likelihood_in_words(p: float | None, expected: str) -> None:
    assert f.likelihood(p, "to stay below target") == expected


@pytest.mark.parametrize(("metric", "expected"), [
    ("first_response_minutes_median", "Median first response"),  # "(min)" goes: the value says "30 min"
    ("first_response_minutes_p90", "First response, 90th pct"),
    ("response_rate", "Response rate"),
    ("no_such_metric", "no_such_metric"),
])
def test_metric_label_is_the_catalogue_label_without_its_unit_hint(metric: str, expected: str) -> None:
    assert f.metric_label(metric) == expected


@pytest.mark.parametrize(("kind", "p", "expected"), [
    ("tactic_failing", 0.9999, "over 99% likely to miss its target"),
    ("strategy_failing", 0.93, "93% likely to miss its target"),
    ("not_enough_data", 0.55, "55% likely to miss its target"),
    ("working", 0.97, "97% likely to hold its target"),
    ("working", None, ""),
    ("tactic_failing", 1.0, "over 99% likely to miss its target"),  # a bootstrap's 1 is no certainty
    ("working", 0.0, "under 1% likely to hold its target"),
])
def test_verdict_probability_in_words(kind: str, p: float | None, expected: str) -> None:
    assert f.verdict_likelihood(kind, p) == expected


def test_every_status_and_verdict_kind_has_words() -> None:
    from typing import get_args

    from strategyfirst.diagnose.diagnosis import Status, VerdictKind
    assert {s: f.status_label(s) for s in get_args(Status)} == {
        "on_track": "on track", "at_risk": "at risk", "off_track": "off track", "no_data": "no data",
        "not_enough_data": "not enough data", "not_judged": "not judged", "met": "met"}
    assert {k: f.verdict_label(k) for k in get_args(VerdictKind)} == {
        "tactic_failing": "tactic failing", "strategy_failing": "strategy failing",
        "tactic_dead_weight": "dead weight", "working": "working", "not_enough_data": "not enough data",
        "not_judged": "not judged"}
    assert f.status_label("someday_maybe") == "someday maybe" and f.status_label(None) == f.DASH


def test_step_rate_reads_as_a_percentage_below_one_and_a_multiple_from_one() -> None:
    from strategyfirst.formatting import DASH, step_rate

    assert step_rate(0.06) == "6.0%"
    assert step_rate(4.0) == "4.0×"          # 240 site visits after 60 new followers
    assert step_rate(10.0) == "10.0×"        # never '1,000.0%'
    assert step_rate(12345.6) == "12,346×"
    assert step_rate(None) == DASH


def test_whole_dates_keeps_each_day_and_month_on_one_line_and_escapes_the_rest() -> None:
    from strategyfirst.formatting import whole_dates

    assert str(whole_dates("2017-12-01 to 2017-12-30 against 2017-11")) == (
        '<span class="nowrap">2017-12-01</span> to <span class="nowrap">2017-12-30</span> against '
        '<span class="nowrap">2017-11</span>')
    assert str(whole_dates("<b>x-posts</b> 12-2017")) == "&lt;b&gt;x-posts&lt;/b&gt; 12-2017"  # not dates
    assert str(whole_dates(None)) == ""


def test_a_mean_keeps_one_decimal_even_when_whole() -> None:
    """QA: messages per conversation read "1" beside another account's "1.1"; a mean keeps one decimal."""
    assert f.number(1.0, "count", metric="conversation_depth_mean") == "1.0"
    assert f.number(1.06, "count", metric="conversation_depth_mean") == "1.1"
    assert f.number(2.5, "count", metric="conversation_depth_mean") == "2.5"
    assert f.number(1.0, "count", metric="posts") == "1"  # a count stays whole
