"""The YouTube Studio trio of one channel: per-video figures (Table data), daily views per video (Chart data)
and daily channel views (Totals), every figure per month against `measure` and the daily tables. The files
name no channel: they are imported with --account."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.warehouse.ingest import IngestResult
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref
from tests.truth.support import BYS, check, params

ACCOUNT = "priyankapatel05"
FOLDER = "youtube-studio/priyankapatel05"
METRICS = ["posts", "video_views", "watch_minutes", "impressions", "follows_from_posts"]


def files(shared_data: Path) -> list[Path]:
    return [shared_data / FOLDER / n for n in ("Table data.csv", "Chart data.csv", "Totals.csv")]


@pytest.fixture(scope="module")
def videos(shared_data: Path) -> list[ref.Record]:
    table, chart = files(shared_data)[:2]
    found = ref.youtube_table(table, ACCOUNT)
    known = {r.message_id for r in found}
    # Chart data names the videos too (title, publish day): those not in Table data are videos without figures
    return found + [r for r in ref.youtube_chart_videos(chart, ACCOUNT) if r.message_id not in known]


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestResult]:
    ws = Workspace(tmp_path_factory.mktemp("youtube"))
    return ws, ws.ingest(files(shared_data), account=ACCOUNT)


@pytest.fixture(scope="module")
def ws(imported: tuple[Workspace, IngestResult]) -> Workspace:
    return imported[0]


def test_every_line_is_read_without_rejects(shared_data: Path, imported: tuple[Workspace, IngestResult]) -> None:
    table, chart, totals = imported[1].files
    lines = [len(ref.rows(p)) - 1 for p in files(shared_data)]
    assert table["rows_read"] == lines[0] - 1 == 442  # less the channel's `Total` line
    assert (chart["rows_read"], totals["rows_read"]) == (lines[1], lines[2]) == (1825, 365)
    assert table["rows_rejected"] + chart["rows_rejected"] + totals["rows_rejected"] == 0


@pytest.mark.parametrize("metric", params(METRICS))
def test_metric_matches_the_files(metric: str, ws: Workspace, videos: list[ref.Record]) -> None:
    check(metric, {bp: ref.owned_metric(videos, metric, *bp) for bp in BYS}, ws)


def test_no_engagement_figure_is_invented(ws: Workspace, videos: list[ref.Record]) -> None:
    """Table data has no likes, comments or shares: engagements stay null (n = 0), never 0."""
    check("engagements", {bp: ref.owned_metric(videos, "engagements", *bp) for bp in BYS}, ws, given=False)


def test_daily_views_per_video(shared_data: Path, ws: Workspace) -> None:
    """Chart data: every (video, day) view count, and their sum per video, as stored in video_daily."""
    want = ref.youtube_chart(files(shared_data)[1])
    t = ws.table("video_daily").to_pyarrow().to_pylist()
    got = {(r["message_id"], r["date"]): r["video_views"] for r in t}
    assert set(got) == set(want)
    assert all(math.isclose(got[k], v, abs_tol=1e-9) for k, v in want.items())


def test_daily_channel_views(shared_data: Path, ws: Workspace) -> None:
    """Totals.csv (DD-MM-YYYY): the channel's views per day, under the account given."""
    want = ref.youtube_totals(files(shared_data)[2])
    t = ws.table("account_daily").to_pyarrow().to_pylist()
    got = {r["date"]: r["video_views"] for r in t if r["platform"] == "youtube"}
    assert got == pytest.approx(want, abs=1e-9) and min(want) == dt.date(2025, 6, 13)
    assert {r["account"] for r in t} == {ACCOUNT}


def test_without_account_it_asks_for_one(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="--account"):
        Workspace(tmp_path).ingest(files(shared_data)[:1])
