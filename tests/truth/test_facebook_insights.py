"""Facebook Page Insights for "Visualization Studio VIC": both post-level exports and the page-level daily
export, every figure the spec maps, per account and per month against `measure`."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.warehouse.ingest import IngestResult
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref
from tests.truth.support import BYS, check, params

FOLDER = "facebook-insights/VIC"
POST_METRICS = ["posts", "reach", "impressions", "engagements", "likes", "comments", "shares", "video_views",
                "engagement_rate", "engagement_rate_by_reach", "click_through_rate", "amplification_rate"]
AUDIENCE_METRICS = ["audience_size", "audience_gained", "audience_lost", "audience_growth"]


def post_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / FOLDER).glob("*(Post Level)*.csv"))


def page_file(shared_data: Path) -> Path:
    [path] = [p for p in (shared_data / FOLDER).glob("*.csv") if "(Post Level)" not in p.name]
    return path


@pytest.fixture(scope="module")
def posts(shared_data: Path) -> list[ref.Record]:
    return ref.facebook_posts(post_files(shared_data))


@pytest.fixture(scope="module")
def snapshots(shared_data: Path) -> list[ref.Snapshot]:
    return ref.facebook_page(page_file(shared_data))


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestResult]:
    ws = Workspace(tmp_path_factory.mktemp("facebook"))
    return ws, ws.ingest([*post_files(shared_data), page_file(shared_data)])


@pytest.fixture(scope="module")
def ws(imported: tuple[Workspace, IngestResult]) -> Workspace:
    return imported[0]


def test_every_line_is_read_without_rejects(shared_data: Path, imported: tuple[Workspace, IngestResult],
                                            posts: list[ref.Record], snapshots: list[ref.Snapshot]) -> None:
    files = imported[1].files
    assert [f["source"] for f in files] == ["facebook-insights-posts"] * 2 + ["facebook-insights-page"]
    # csv records less the header and the row of metric descriptions
    lines = [len(ref.rows(p, "utf-8-sig")) - 2 for p in post_files(shared_data)]
    assert [f["rows_read"] for f in files[:2]] == lines == [20, 99]
    assert sum(f["rows_new"] for f in files[:2]) == len(posts)
    assert files[2]["rows_read"] == files[2]["rows_new"] == len(snapshots) == 58
    assert sum(f["rows_rejected"] for f in files) == 0


@pytest.mark.parametrize("metric", params(POST_METRICS))
def test_post_metric_matches_the_files(metric: str, ws: Workspace, posts: list[ref.Record]) -> None:
    check(metric, {bp: ref.owned_metric(posts, metric, *bp) for bp in BYS}, ws)


@pytest.mark.parametrize("metric", AUDIENCE_METRICS)
def test_page_likes_match_the_file(metric: str, ws: Workspace, snapshots: list[ref.Snapshot]) -> None:
    check(metric, {bp: ref.audience_metric(snapshots, metric, *bp) for bp in BYS}, ws, check_n=False)


def test_share_rate_counts_every_impression(ws: Workspace, posts: list[ref.Record]) -> None:
    # The export leaves a post's share cell blank where it has none (no cell reads 0): 30 of the 119 posts give
    # shares (1 + 66), 117 give impressions (2,658 + 74,266). Σ shares / Σ impressions (metrics.md) divides by
    # all of those, not by the 43,552 impressions of the posts with a share cell.
    row = ws.measure(metrics=["amplification_rate"]).row("amplification_rate")
    assert row is not None
    assert (row["numerator"], row["denominator"]) == (67, 76_924)
    assert row["value"] == pytest.approx(67 / 76_924)
    assert ref.owned_metric(posts, "amplification_rate", "none", "all")[("all", "all")].value == pytest.approx(
        67 / 76_924)
