"""A post's time on the posts tables shows as much as its export gives: the UCI Facebook metrics file dates its
posts by month only, and every one read '2014-03-01 00:00' (a QA pass: a midnight on the 1st that no post had)."""

from __future__ import annotations

from pathlib import Path

from strategyfirst.web.posts import shown_time
from tests.web.drill_env import HEADER, PLAN, build_drill, flat

# Two posts of @drillco: one dated to the second, one to the day only (its export gives no time).
POSTS = HEADER + (
    "x:1,x,drillco,true,2026-01-05 10:07:00,post,Timed post,,https://x.com/drillco/status/1,,1000,800,300\n"
    "x:2,x,drillco,true,2026-01-12,post,Dated post,,https://x.com/drillco/status/2,,2000,1500,200\n")


def test_a_post_shows_the_time_its_export_gives(tmp_path: Path) -> None:
    env = build_drill(tmp_path, posts=POSTS, spend=None, plan=PLAN)
    client = env.login()
    page = flat(client.get("/w/drill/posts", params={"range": "all", "sort": "date"}).text)
    assert '<td data-label="Date (UTC)">2026-01-05 10:07</td>' in page
    assert '<td data-label="Date (UTC)">2026-01-12</td>' in page
    assert "2026-01-12 00:00" not in page


def test_the_shown_time_of_each_precision() -> None:
    assert shown_time("2014-03-01T00:00:00", "month") == "2014-03"
    assert shown_time("2026-01-12T00:00:00", "day") == "2026-01-12"
    assert shown_time("2017-10-11T06:55:44", "second") == "2017-10-11 06:55"
    assert shown_time("2017-10-11T06:55:00", "minute") == "2017-10-11 06:55"
    assert shown_time(None, None) == ""
