"""meta-video (issue 14): video views and watch minutes of the Facebook videos of a Meta Business Suite video
export, matched to the post export's messages without moving their publish time; without a post export each
video is an owned message of kind video (id = Video asset ID). Figures worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar, snapshot
from tests.sources.test_meta_posts import FB_HEADER, FB_ROWS, write

pytestmark = pytest.mark.usefixtures("no_derive")

VIDEO_HEADER = ("Video asset ID,Universal video ID,Page ID,Page name,Title,Description,Duration (sec),"
                "Publish time,Permalink,Custom labels,Date,Reach,3-second video views,1-minute video views,"
                "Seconds viewed,Average Seconds viewed")
VIDEO_ROWS = [
    # the video of post 222 (its permalink /videos/5550/); a publish time a minute off the post's
    "5550,U1,900,Velo Page,Ride video,,95,03/19/2025 09:31,https://www.facebook.com/velo/videos/5550/,,Lifetime,"
    "1600,900,120,5400,6",
    # a video no post export names
    "7770,U2,900,Velo Page,Workshop,,300,03/25/2025 17:00,https://www.facebook.com/reel/7770,Workshops,Lifetime,"
    "300,250,40,1500,6",
]


def video_file(tmp_path: Path) -> Path:
    return write(tmp_path / "Mar-01-2025_Mar-31-2025_videos.csv", [VIDEO_HEADER, *VIDEO_ROWS])


def test_video_export_fills_the_post_exports_video_without_moving_its_time(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [write(tmp_path / "posts.csv", [FB_HEADER, FB_ROWS[1]])])
    f = one(ingest(ws, [video_file(tmp_path)]))
    assert f["source"] == "meta-video"
    assert (f["rows_new"], f["rows_updated"], f["rows_rejected"]) == (1, 1, 0)
    rows = query(ws, "SELECT message_id, kind, created_at, text, campaign, reach, impressions, video_views, "
                     "watch_minutes FROM messages ORDER BY message_id")
    assert rows == [
        # 5400 seconds viewed = 90 minutes; the post's time (09:30), text and reach (1500) stay
        ("facebook:222", "video", dt.datetime(2025, 3, 19, 9, 30), "Watch it", None, 1500.0, 2000.0, 900.0, 90.0),
        # no post export: an owned video message, 1500 s = 25 minutes
        ("facebook:7770", "video", dt.datetime(2025, 3, 25, 17, 0), "Workshop", "Workshops", 300.0, None, 250.0,
         25.0),
    ]
    result = ws.measure(metrics=["video_views", "watch_minutes"])
    assert result.value("video_views") == 900 + 250
    assert result.value("watch_minutes") == pytest.approx(90 + 25)


def test_post_export_after_the_video_export_updates_the_video_message(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [video_file(tmp_path)])
    assert scalar(ws, "SELECT created_at FROM messages WHERE message_id = 'facebook:5550'") == \
        dt.datetime(2025, 3, 19, 9, 31)
    f = one(ingest(ws, [write(tmp_path / "posts.csv", [FB_HEADER, FB_ROWS[1]])]))
    assert (f["rows_new"], f["rows_updated"]) == (0, 1)
    # one message, the video's publish time kept, the post's figures added
    assert query(ws, "SELECT message_id, created_at, impressions, likes, video_views, watch_minutes "
                     "FROM messages WHERE platform = 'facebook' ORDER BY 1") == [
        ("facebook:5550", dt.datetime(2025, 3, 19, 9, 31), 2000.0, 20.0, 900.0, 90.0),
        ("facebook:7770", dt.datetime(2025, 3, 25, 17, 0), None, None, 250.0, 25.0)]


def test_video_reimport_changes_nothing_and_short_row_has_null_figures(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    short = "8880,U3,900,Velo Page,Short,,10,03/26/2025 10:00,,,Lifetime,40,30"
    path = write(tmp_path / "v.csv", [VIDEO_HEADER, *VIDEO_ROWS, short])
    assert one(ingest(ws, [path]))["rows_new"] == 3
    before = snapshot(ws)
    assert one(ingest(ws, [path]))["status"] == "already imported"
    assert snapshot(ws) == before
    assert query(ws, "SELECT reach, video_views, watch_minutes FROM messages WHERE message_id = 'facebook:8880'"
                 ) == [(40.0, 30.0, None)]
