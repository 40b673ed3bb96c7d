"""The UCI "Facebook metrics" data set (500 posts of one page, dated to the month, year 2014): every figure
per month against `measure`. The file names no account: it is imported with --account."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.warehouse.ingest import IngestResult
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref
from tests.truth.support import BYS, check, params

ACCOUNT = "CosmeticsBrand"
METRICS = ["posts", "reach", "impressions", "engagements", "likes", "comments", "shares", "engagement_rate",
           "engagement_rate_by_reach", "click_through_rate", "amplification_rate"]


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / "uci-facebook-metrics/dataset_Facebook.csv"


@pytest.fixture(scope="module")
def reference(path: Path) -> tuple[list[ref.Record], list[ref.Snapshot]]:
    return ref.uci(path, ACCOUNT)


@pytest.fixture(scope="module")
def imported(path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestResult]:
    ws = Workspace(tmp_path_factory.mktemp("uci"))
    return ws, ws.ingest([path], account=ACCOUNT)


@pytest.fixture(scope="module")
def ws(imported: tuple[Workspace, IngestResult]) -> Workspace:
    return imported[0]


def test_every_line_is_a_post(imported: tuple[Workspace, IngestResult],
                              reference: tuple[list[ref.Record], list[ref.Snapshot]]) -> None:
    f = imported[1].files[0]
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (len(reference[0]), 500, 0)


@pytest.mark.parametrize("metric", params(METRICS))
def test_metric_matches_the_file(metric: str, ws: Workspace,
                                 reference: tuple[list[ref.Record], list[ref.Snapshot]]) -> None:
    check(metric, {bp: ref.owned_metric(reference[0], metric, *bp) for bp in BYS}, ws)


@pytest.mark.parametrize("metric", ["audience_size", "audience_growth", "audience_growth_rate"])
def test_page_likes_per_month(metric: str, ws: Workspace,
                              reference: tuple[list[ref.Record], list[ref.Snapshot]]) -> None:
    check(metric, {bp: ref.audience_metric(reference[1], metric, *bp) for bp in BYS}, ws, check_n=False)


def test_page_likes_grow_from_the_first_post_to_the_last(path: Path, ws: Workspace) -> None:
    """The year's growth runs from the lowest Page total likes (January's first post) to the highest; each
    month's from the last count before it (the previous month's last post) to its own last post's, January's
    from its first post's: the months add up to the year, none of the growth between two months is lost
    (January ends at 86,909, February's first post already sees 91,009)."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    likes: dict[int, list[float]] = {}
    for r in rows:
        likes.setdefault(int(r["Post Month"]), []).append(float(r["Page total likes"]))
    year = ws.measure(metrics=["audience_growth"]).rows
    assert [r["value"] for r in year] == [max(likes[12]) - min(likes[1])] == [139441 - 81370]
    months = {r["period"]: r["value"] for r in ws.measure(metrics=["audience_growth"], period="month").rows}
    assert months == {f"2014-{m:02d}": max(v) - (max(likes[m - 1]) if m > 1 else min(v)) for m, v in likes.items()}
    assert months["2014-01"] == 86909 - 81370
    assert months["2014-02"] == 93684 - 86909
    assert sum(months.values()) == 139441 - 81370 == year[0]["value"]
    # The rate divides by the size at the month's start: February's by January's last count.
    feb = ws.measure(metrics=["audience_growth_rate"], period="month").row("audience_growth_rate",
                                                                           period="2014-02")
    assert feb is not None and (feb["numerator"], feb["denominator"]) == (93684 - 86909, 86909)


def test_without_account_it_asks_for_one(path: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="--account"):
        Workspace(tmp_path).ingest([path])


def test_another_account_updates_the_same_posts(path: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.ingest([path], account="first")
    f = ws.ingest([path], account=ACCOUNT).files[0]
    assert (f["rows_new"], f["rows_updated"]) == (0, 500)
    got = ws.measure(by="account", metrics=["posts"]).rows
    assert [(r["key"], r["value"]) for r in got if r["value"]] == [(ACCOUNT, 500)]
