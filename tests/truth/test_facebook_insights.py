"""Facebook Page Insights for "Visualization Studio VIC": both post-level exports and the page-level daily
export, every figure the spec maps, per account and per month against `measure`."""

from __future__ import annotations

import csv
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
COMMENT = "Lifetime Post Stories by action type - comment"


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


TOTALS = ("Lifetime Post Total Reach", "Lifetime Post Total Impressions", "Lifetime Engaged Users",
          "Lifetime Post Consumptions")


def _by_hand(paths: list[Path]) -> dict[str, float]:
    """Σ shares and Σ impressions over the posts giving both, Σ likes, shares and comments and the posts giving
    them, read with the csv module: a blank like, share or comment cell is none (Facebook writes no 0 in these
    columns) where the post gives any total, and not given on a post whose totals are all blank (no figures);
    a blank total impressions cell is not given."""
    out = dict.fromkeys(("shares", "impressions", "with_shares", "comments", "with_comments", "likes",
                         "with_likes", "no_figures"), 0.0)
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
        header = table[0]
        like = header.index("Lifetime Post Stories by action type - like")
        share = header.index("Lifetime Post Stories by action type - share")
        total = header.index("Lifetime Post Total Impressions")
        comment = header.index(COMMENT) if COMMENT in header else None
        for cells in table[2:]:
            if not any(cells[header.index(t)].strip() for t in TOTALS):
                out["no_figures"] += 1
                assert not (cells[like] or cells[share] or (comment is not None and cells[comment])), cells[0]
                continue
            out["with_shares"] += 1
            out["with_likes"] += 1
            out["likes"] += float(cells[like] or 0)
            out["shares"] += float(cells[share] or 0)
            if cells[total].strip():
                out["impressions"] += float(cells[total])
            if comment is not None:
                out["with_comments"] += 1
                out["comments"] += float(cells[comment] or 0)
    return out


def test_share_rate_over_posts_with_both(shared_data: Path, ws: Workspace, posts: list[ref.Record]) -> None:
    # The exports leave a post's share cell blank where it has none (no cell of the column reads 0): every one of
    # the 117 posts with figures carries shares (67 in all, 1 + 66), and the same 117 have a total impressions
    # cell (2,658 + 74,266; the two "was mentioned in a post" rows leave every figure blank): the posts with both.
    hand = _by_hand(post_files(shared_data))
    assert (hand["shares"], hand["impressions"], hand["with_shares"]) == (67, 76_924, 117)
    row = ws.measure(metrics=["amplification_rate"]).row("amplification_rate")
    assert row is not None
    assert (row["numerator"], row["denominator"], row["version"]) == (67, 76_924, 3)
    assert row["value"] == pytest.approx(67 / 76_924)
    assert ref.owned_metric(posts, "amplification_rate", "none", "all")[("all", "all")].value == pytest.approx(
        67 / 76_924)


def test_blank_breakdown_cells_are_zero_and_a_missing_column_is_not_given(shared_data: Path, ws: Workspace) -> None:
    # likes and shares: every post with figures, 20 + 97 (both exports have the columns; of the 2015 export's 99
    # posts, 518995791497187_986825011380927 and _986349811428447 leave every figure blank: no figures, so no 0
    # either); comments: only the 97 such posts of the 2015 export (the 2014 export has no comment column, so its
    # 20 posts give none). Before: likes n = 119, comments n = 99 (the two blank posts read as 0).
    hand = _by_hand(post_files(shared_data))
    assert (hand["with_likes"], hand["with_comments"], hand["no_figures"]) == (117, 97, 2)
    result = ws.measure(metrics=["likes", "shares", "comments"])
    assert (result.value("likes"), result.row("likes")["n"]) == (hand["likes"], 117)  # type: ignore[index]
    assert (result.value("shares"), result.row("shares")["n"]) == (67, 117)  # type: ignore[index]
    assert (result.value("comments"), result.row("comments")["n"]) == (hand["comments"], 97)  # type: ignore[index]
