"""Grouping by tactic, objective and period; a message in two tactics counts once in each, once overall."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from strategyfirst.errors import MeasureError
from strategyfirst.metrics import measure
from tests.metrics import dataset
from tests.metrics.conftest import Org


def _owned_posts(org: Org) -> set[str]:
    return {m["message_id"] for m in org.msgs if m["owned"] and not m["in_reply_to"]}


def test_posts_by_tactic_count_a_message_once_in_each_tactic(org: Org) -> None:
    result = measure(org.backend, org.plan, by="tactic", metric_ids=["posts"])
    posts = _owned_posts(org)
    expected = Counter(t for mid, tactics in dataset.ATTRIBUTION.items() if mid in posts for t in tactics)
    # Post 9 is both brand's (account) and summit's (hashtag in May): it counts in each.
    assert expected == {"brand": 2, "summit": 1, "spring": 1, "fb": 1}
    for tactic in ("brand", "summit", "spring", "fb"):
        assert result.value("posts", tactic) == expected[tactic]
    assert result.value("posts", "care-desk") == 0  # its owned messages are all replies
    assert measure(org.backend, org.plan, metric_ids=["posts"]).value("posts") == 3  # once overall


def test_posts_by_objective_count_a_message_once_per_objective(org: Org) -> None:
    result = measure(org.backend, org.plan, by="objective", metric_ids=["posts", "inbound_messages"])
    # awareness: brand, summit, spring, fb -> posts 9, 10, 15 (9 is in two of its tactics, counted once).
    assert result.value("posts", "awareness") == 3
    assert result.value("posts", "dialogue") == 2  # brand's 9 and 10
    # Inbound pairs of the dialogue tactics' accounts: AcmeHelp 3 + Acme 4.
    assert result.value("inbound_messages", "dialogue") == 7


def test_inbound_by_tactic_follows_the_addressed_account(org: Org) -> None:
    result = measure(org.backend, org.plan, by="tactic", metric_ids=["inbound_messages", "response_rate"])
    assert result.value("inbound_messages", "care-desk") == 3
    assert result.value("response_rate", "care-desk") == pytest.approx(1 / 3)
    # Acme's pairs 5, 7, 11, 14: message 5 counts under brand for Acme and under care-desk for AcmeHelp.
    assert result.value("inbound_messages", "brand") == 4
    assert result.value("response_rate", "brand") == pytest.approx(2 / 4)
    assert result.value("inbound_messages", "summit") == 1  # 11: #acmesummit in May, inbound to Acme


def test_every_plan_tactic_gets_rows_even_without_data(org: Org) -> None:
    result = measure(org.backend, org.plan, by="tactic", metric_ids=["spend"])
    assert {r["key"] for r in result.rows} == {"care-desk", "brand", "summit", "spring", "fb"}


def test_week_and_day_buckets(org: Org) -> None:
    weekly = measure(org.backend, org.plan, period="week", metric_ids=["inbound_messages"])
    # 2026-01-05 is a Monday (ISO week 2): messages 1, 4, 5 x2 (two accounts), 7 -> 5 pairs.
    assert weekly.value("inbound_messages", period="2026-W02") == 5
    assert weekly.value("inbound_messages", period="2026-W19") == 1
    daily = measure(org.backend, org.plan, period="day", metric_ids=["posts"])
    assert daily.value("posts", period="2026-05-10") == 1
    assert daily.value("posts", period="2026-02-01") == 1


def test_since_until_bound_the_window_inclusively(org: Org) -> None:
    result = measure(org.backend, org.plan, since="2026-01-06", until=dt.date(2026, 1, 7),
                     metric_ids=["inbound_messages"])
    assert result.value("inbound_messages") == 3  # 5 (two accounts) and 7
    with pytest.raises(MeasureError, match=r"--since 6 Jan is not a date \(YYYY-MM-DD\)"):
        measure(org.backend, org.plan, since="6 Jan", metric_ids=["posts"])
    # the library checks the range of days as the CLI and the API do (a year 9999 overflowed in the window)
    with pytest.raises(MeasureError, match=r"--until 9999-12-31 is outside the dates this app works with"):
        measure(org.backend, org.plan, until=dt.date(9999, 12, 31), metric_ids=["posts"])


def test_unknown_metric_names_close_ids(org: Org) -> None:
    with pytest.raises(MeasureError, match="did you mean response_rate"):
        measure(org.backend, org.plan, metric_ids=["respons_rate"])


def test_bad_by_and_period_are_measure_errors(org: Org) -> None:
    with pytest.raises(MeasureError, match="--by"):
        measure(org.backend, org.plan, by="campaign")
    with pytest.raises(MeasureError, match="--period"):
        measure(org.backend, org.plan, period="year")


def test_by_tactic_without_plan_is_refused(org: Org) -> None:
    with pytest.raises(MeasureError, match="needs a plan"):
        measure(org.backend, None, by="tactic")
