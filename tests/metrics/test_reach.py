"""Reach and engagement metrics on the hand-made organisation, against the plain-Python reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.metrics import measure
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics import reference
from tests.metrics.conftest import Org
from tests.metrics.helpers import msg, warehouse

REACH = ["posts", "impressions", "reach", "engagements", "engagement_rate", "engagement_rate_by_reach",
         "click_through_rate", "amplification_rate", "follows_from_posts"]


def test_reach_family_matches_reference(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=REACH)
    ref = reference.reach_metrics(org.msgs)
    # By hand: posts 9, 10, 15; engagements 50 + (10 + 2 + 3 + 4, no total given) + 30 = 99 over 1,700
    # impressions; clicks 20 + 4 and shares 5 + 3 over the 1,500 impressions of the posts that give them (15, on
    # Facebook, gives 200 impressions and neither figure: metrics.md's rates are over messages carrying both).
    assert (ref["posts"], ref["impressions"], ref["engagements"]) == (3, 1700, 99)
    assert ref["click_through_rate"] == pytest.approx(24 / 1500)
    assert ref["amplification_rate"] == pytest.approx(8 / 1500)
    for metric in REACH:
        assert result.value(metric) == pytest.approx(ref[metric]), metric


def test_ratio_rows_carry_numerator_and_denominator(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["engagement_rate_by_reach"])
    row = result.row("engagement_rate_by_reach")
    assert row is not None
    # Only 9 (50 / 800) and 15 (30 / 150) give both figures.
    assert (row["numerator"], row["denominator"], row["n"]) == (80, 950, 950)
    assert row["value"] == pytest.approx(80 / 950)


def test_click_and_share_rates_leave_out_impressions_without_the_figure(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["click_through_rate", "amplification_rate"])
    # 15's 200 impressions are not in the denominator: it gives no clicks and no shares.
    assert result.row("click_through_rate") == {
        "metric": "click_through_rate", "by": "none", "key": "all", "period": "all", "value": pytest.approx(24 / 1500),
        "n": 1500, "unit": "ratio", "version": 3, "numerator": 24, "denominator": 1500, "platform": None}
    # version 3: version 2 summed each figure over the messages giving it, so a comparison with it is flagged
    row = result.row("amplification_rate")
    assert row is not None
    assert (row["version"], row["numerator"], row["denominator"]) == (3, 8, 1500)
    assert row["value"] == pytest.approx(8 / 1500)


def test_rates_without_their_numerator_are_null(org: Org) -> None:
    result = measure(org.backend, org.plan, by="platform", metric_ids=["click_through_rate", "amplification_rate"])
    # Facebook's only post (15) gives 200 impressions and no clicks or shares: no input, so null with n = 0
    # (metrics.md), never 0.
    for metric in ("click_through_rate", "amplification_rate"):
        row = result.row(metric, "facebook")
        assert row is not None and (row["value"], row["n"]) == (None, 0), metric
    assert result.value("amplification_rate", "x") == pytest.approx(8 / 1500)


def mixed_platforms() -> list[dict[str, Any]]:
    """Posts of four platforms: YouTube Studio gives impressions but no clicks or shares (as its exports do); a
    Facebook post gives 0 of both (its export's blank breakdown cells); a LinkedIn top post gives clicks but no
    impressions."""
    return [
        msg("x1", "@acme", True, "2026-01-05 10:00", impressions=1000, clicks=30, shares=4),
        msg("x2", "@acme", True, "2026-01-06 10:00", impressions=2000, clicks=10, shares=2),
        msg("y1", "Acme TV", True, "2026-01-07 10:00", platform="youtube", kind="video", impressions=40000,
            video_views=900),
        msg("f1", "Acme Page", True, "2026-01-08 10:00", platform="facebook", impressions=300, clicks=0, shares=0),
        msg("l1", "Acme", True, "2026-01-09 10:00", platform="linkedin", clicks=7, shares=1),
    ]


@pytest.fixture
def mixed(tmp_path: Path) -> Iterator[Any]:
    con = warehouse(tmp_path, mixed_platforms())
    derive.refresh(con, None)
    yield ibis_backend(con)
    con.close()


def test_click_and_share_rates_over_mixed_platforms(mixed: Any) -> None:
    result = measure(mixed, None, metric_ids=["click_through_rate", "amplification_rate", "impressions"])
    # By hand: clicks 30 + 10 + 0 over 1,000 + 2,000 + 300 impressions; YouTube's 40,000 impressions carry no
    # clicks and LinkedIn's 7 clicks no impressions, so neither counts. Summing each figure over the posts that
    # give it would read (30 + 10 + 0 + 7) / 43,300.
    assert result.value("impressions") == 43_300
    ctr = result.row("click_through_rate")
    assert ctr is not None and (ctr["numerator"], ctr["denominator"], ctr["n"]) == (40, 3300, 3300)
    assert ctr["value"] == pytest.approx(40 / 3300)
    share = result.row("amplification_rate")
    assert share is not None and (share["numerator"], share["denominator"]) == (6, 3300)
    ref = reference.reach_metrics(mixed_platforms())
    assert ref["click_through_rate"] == pytest.approx(40 / 3300)
    assert ref["amplification_rate"] == pytest.approx(6 / 3300)


def test_a_zero_counts_and_a_missing_figure_does_not(mixed: Any) -> None:
    result = measure(mixed, None, by="platform", metric_ids=["click_through_rate", "amplification_rate"])
    for metric in ("click_through_rate", "amplification_rate"):
        assert result.value(metric, "facebook") == 0, metric  # 0 / 300: given, and none
        youtube = result.row(metric, "youtube")
        assert youtube is not None and (youtube["value"], youtube["n"]) == (None, 0), metric  # not given
        linkedin = result.row(metric, "linkedin")
        assert linkedin is not None and linkedin["value"] is None, metric  # no impressions to divide by
    assert result.value("click_through_rate", "x") == pytest.approx(40 / 3000)


def test_sums_count_contributing_rows(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["impressions", "follows_from_posts"])
    assert result.row("impressions")["n"] == 3  # type: ignore[index]
    assert result.row("follows_from_posts") == {
        "metric": "follows_from_posts", "by": "none", "key": "all", "period": "all", "value": 3, "n": 1,
        "unit": "count", "version": 1, "numerator": None, "denominator": None, "platform": None}


def test_by_platform(org: Org) -> None:
    result = measure(org.backend, org.plan, by="platform", metric_ids=["impressions", "engagement_rate"])
    assert result.value("impressions", "x") == 1500
    assert result.value("impressions", "facebook") == 200
    assert result.value("engagement_rate", "facebook") == pytest.approx(30 / 200)
    assert result.value("engagement_rate", "x") == pytest.approx(69 / 1500)
