"""A post's "Replies received" on the posts table (page, CSV, API) counts what the platform reports: an X
analytics export holds no reply messages, only each tweet's `replies` figure, and every post read 0 replies
(the rOpenSci export of a newcomer's QA pass: 928 replies in all, a column of zeros on every page)."""

from __future__ import annotations

from pathlib import Path

from tests.web.drill_env import PLAN, build_drill

# Three tweets of @drillco as analytics.twitter.com exports them; replies 16, 0 and 3 (by hand, below)
X_ANALYTICS = (
    '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","engagement rate","retweets",'
    '"replies","likes","url clicks","follows"\n'
    '"11","https://twitter.com/drillco/status/11","Welcome to the team","2026-01-05 10:00 +0000","1000.0",'
    '"50.0","0.05","4.0","16.0","20.0","3.0","0.0"\n'
    '"12","https://twitter.com/drillco/status/12","New release","2026-01-06 10:00 +0000","800.0","8.0","0.01",'
    '"1.0","0.0","5.0","1.0","0.0"\n'
    '"13","https://twitter.com/drillco/status/13","Seeking your input","2026-01-07 10:00 +0000","500.0",'
    '"20.0","0.04","2.0","3.0","9.0","2.0","0.0"\n')


def test_an_x_analytics_post_shows_the_replies_the_platform_counted(tmp_path: Path) -> None:
    env = build_drill(tmp_path, posts=X_ANALYTICS, spend=None, plan=PLAN)
    client = env.login()
    api = client.get("/api/v1/workspaces/drill/posts", params={"sort": "replies"})
    assert api.status_code == 200, api.text
    assert [(p["message_id"], p["replies"]) for p in api.json()["posts"]] == [("x:11", 16), ("x:13", 3),
                                                                             ("x:12", 0)]
    csv = client.get("/w/drill/posts.csv", params={"sort": "replies", "range": "all"}).text.splitlines()
    header = csv[0].split(",")
    assert [row.split(",")[header.index("replies")] for row in csv[1:]] == ["16", "3", "0"]
