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
    # impressions; clicks 20 + 4 and shares 5 + 3 over all 1,700 impressions (metrics.md: plain Σ / Σ, not
    # only over the posts that give clicks or shares; 15 gives neither).
    assert (ref["posts"], ref["impressions"], ref["engagements"]) == (3, 1700, 99)
    assert ref["click_through_rate"] == pytest.approx(24 / 1700)
    assert ref["amplification_rate"] == pytest.approx(8 / 1700)
    for metric in REACH:
        assert result.value(metric) == pytest.approx(ref[metric]), metric


def test_ratio_rows_carry_numerator_and_denominator(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["engagement_rate_by_reach"])
    row = result.row("engagement_rate_by_reach")
    assert row is not None
    # Only 9 (50 / 800) and 15 (30 / 150) give both figures.
    assert (row["numerator"], row["denominator"], row["n"]) == (80, 950, 950)
    assert row["value"] == pytest.approx(80 / 950)


def test_click_and_share_rates_are_plain_sums_over_sums(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["click_through_rate", "amplification_rate"])
    # metrics.md: Σ clicks / Σ impressions and Σ shares / Σ impressions, each sum over the messages giving it:
    # 15's 200 impressions count though it gives no clicks and no shares.
    assert result.row("click_through_rate") == {
        "metric": "click_through_rate", "by": "none", "key": "all", "period": "all", "value": pytest.approx(24 / 1700),
        "n": 1700, "unit": "ratio", "version": 2, "numerator": 24, "denominator": 1700}
    # version 2: version 1 summed over the messages giving both, so a comparison with it is flagged (metrics.md)
    assert result.row("amplification_rate")["version"] == 2  # type: ignore[index]
    assert result.row("amplification_rate")["numerator"] == 8  # type: ignore[index]
    assert result.row("amplification_rate")["denominator"] == 1700  # type: ignore[index]
    assert result.value("amplification_rate") == pytest.approx(8 / 1700)


def test_rates_without_their_numerator_are_null(org: Org) -> None:
    result = measure(org.backend, org.plan, by="platform", metric_ids=["click_through_rate", "amplification_rate"])
    # Facebook's only post (15) gives 200 impressions and no clicks or shares: no input, so null with n = 0
    # (metrics.md), never 0.
    for metric in ("click_through_rate", "amplification_rate"):
        row = result.row(metric, "facebook")
        assert row is not None and (row["value"], row["n"]) == (None, 0), metric
    assert result.value("amplification_rate", "x") == pytest.approx(8 / 1500)


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
