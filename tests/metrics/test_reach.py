"""Reach and engagement metrics on the hand-made organisation, against the plain-Python reference."""

from __future__ import annotations

import pytest

from strategyfirst.metrics import measure
from tests.metrics import reference
from tests.metrics.conftest import Org

REACH = ["posts", "impressions", "reach", "engagements", "engagement_rate", "engagement_rate_by_reach",
         "click_through_rate", "amplification_rate", "follows_from_posts"]


def test_reach_family_matches_reference(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=REACH)
    ref = reference.reach_metrics(org.msgs)
    # By hand: posts 9, 10, 15; engagements 50 + (10 + 2 + 3 + 4, no total given) + 30 = 99 over 1,700
    # impressions; clicks 20 + 4 and shares 5 + 3 over the 1,500 impressions of the posts that give them.
    assert (ref["posts"], ref["impressions"], ref["engagements"]) == (3, 1700, 99)
    assert ref["click_through_rate"] == pytest.approx(24 / 1500)
    for metric in REACH:
        assert result.value(metric) == pytest.approx(ref[metric]), metric


def test_ratio_rows_carry_numerator_and_denominator(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["engagement_rate_by_reach"])
    row = result.row("engagement_rate_by_reach")
    assert row is not None
    # Only 9 (50 / 800) and 15 (30 / 150) give both figures.
    assert (row["numerator"], row["denominator"], row["n"]) == (80, 950, 950)
    assert row["value"] == pytest.approx(80 / 950)


def test_sums_count_contributing_rows(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["impressions", "follows_from_posts"])
    assert result.row("impressions")["n"] == 3  # type: ignore[index]
    assert result.row("follows_from_posts") == {
        "metric": "follows_from_posts", "by": "none", "key": "all", "period": "all", "value": 3, "n": 1,
        "unit": "count", "version": 1, "numerator": None, "denominator": None}


def test_by_platform(org: Org) -> None:
    result = measure(org.backend, org.plan, by="platform", metric_ids=["impressions", "engagement_rate"])
    assert result.value("impressions", "x") == 1500
    assert result.value("impressions", "facebook") == 200
    assert result.value("engagement_rate", "facebook") == pytest.approx(30 / 200)
    assert result.value("engagement_rate", "x") == pytest.approx(69 / 1500)
