"""The dashboard's KPI cards and the objective page measure what the KPIs measure (metrics.md, "KPIs are measured
inside the plan's horizon"): each objective's own data, inside the horizon and up to the as-of day, on a small
workspace where the whole workspace's figures differ from each objective's and data lie outside the horizon.

Posts of @brand on x (horizon 2026-01-01 to 2026-06-30), impressions / engagements:
  x:5  2025-06-01 archive (awareness)    12,000 / 1,200   before the horizon and before the previous period
  x:6  2025-08-15 launch  (awareness)     2,000 /    20   before the horizon
  x:8  2025-12-01 launch  (awareness)       600 /     6   before the horizon
  x:1  2026-04-10 launch  (awareness)     1,000 /    50
  x:2  2026-05-20 launch  (awareness)     3,000 /    70
  x:3  2026-05-21 meetup  (community)       500 /    40
  x:4  2026-05-22 no tactic               5,000 /   500
  x:7  2026-08-01 launch  (awareness)     4,000 /    40   after the horizon
The default as-of day is the last one with data inside the horizon: 2026-05-22.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import HEADER, build_drill

PLAN = """\
version: 1
organisation: Scope Co
owner: Pat
horizon: {start: 2026-01-01, end: 2026-06-30}
budget: {total: 1000, currency: EUR}
accounts:
  x: ["@brand"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [makers]
objectives:
  - id: awareness
    statement: People see what we make
    kpis:
      - {metric: impressions, baseline: 0, target: 20000}
      - {metric: engagement_rate, target: 0.02}
  - id: community
    statement: People meet us
    kpis:
      - {metric: impressions, baseline: 0, target: 5000}
tactics:
  - id: launches
    channel: x
    serves: [awareness]
    owner: Pat
    budget: 300
    match: {campaign: launch}
  - id: archive
    channel: x
    serves: [awareness]
    owner: Sam
    budget: 300
    match: {campaign: archive}
  - id: meetups
    channel: x
    serves: [community]
    owner: Ana
    budget: 300
    match: {campaign: meetup}
"""


def _post(n: int, day: str, campaign: str, impressions: int, engagements: int) -> str:
    return (f"x:{n},x,brand,true,{day} 10:00:00,post,Post {n},,https://x.com/brand/status/{n},{campaign},"
            f"{impressions},{impressions},{engagements}\n")


POSTS = HEADER + "".join([
    _post(5, "2025-06-01", "archive", 12000, 1200), _post(6, "2025-08-15", "launch", 2000, 20),
    _post(8, "2025-12-01", "launch", 600, 6), _post(1, "2026-04-10", "launch", 1000, 50),
    _post(2, "2026-05-20", "launch", 3000, 70), _post(3, "2026-05-21", "meetup", 500, 40),
    _post(4, "2026-05-22", "", 5000, 500), _post(7, "2026-08-01", "launch", 4000, 40)])


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("scope")
    env = build_drill(root, POSTS, None, PLAN)
    yield env.login()
    dispose(env.state.db.url)


def _cards(html: str) -> dict[tuple[str, str], str]:
    """Each KPI card's text by (objective, metric label)."""
    found = {}
    for card in re.findall(r'<section class="card.*?</section>', html, flags=re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", card, flags=re.S)))
        title = re.match(r"\s*(\S+) · (.+?) (?:on track|off track|at risk|met|not enough data|no data)", text)
        assert title is not None, text
        found[(title[1], title[2])] = text
    return found


def test_cards_of_the_horizon_show_their_own_objective(viewer: TestClient) -> None:
    cards = _cards(viewer.get("/w/drill/dashboard", params={"range": "horizon"}).text)
    # awareness in the horizon: x:1 + x:2 = 1,000 + 3,000 = 4,000, the KPI's actual too (baseline 0); the whole
    # workspace has 4,000 + 500 + 5,000 = 9,500. The period before (181 days, 2025-07-04 to 2025-12-31): x:6 + x:8
    # = 2,000 + 600 = 2,600
    impressions = cards[("awareness", "Impressions")]
    assert "Actual 4,000" in impressions
    assert "2026-01-01 to 2026-06-30: 4,000 · previous 2025-07-04 to 2025-12-31: 2,600" in impressions
    # engagement rate: (50 + 70) / 4,000 = 3.0%, the period before (20 + 6) / 2,600 = 1.0% (the whole
    # workspace: 660 / 9,500 = 6.9%)
    rate = cards[("awareness", "Engagement rate")]
    assert "Actual 3.0%" in rate and "2026-01-01 to 2026-06-30: 3.0% · previous 2025-07-04 to 2025-12-31: 1.0%" in rate
    # community shares the metric and has its own figure: x:3 = 500, nothing before
    community = cards[("community", "Impressions")]
    assert "Actual 500" in community
    assert "2026-01-01 to 2026-06-30: 500 · previous 2025-07-04 to 2025-12-31: —" in community


def test_cards_of_the_default_view_show_their_own_objective(viewer: TestClient) -> None:
    cards = _cards(viewer.get("/w/drill/dashboard").text)
    # the last 30 days up to 2026-05-22 start on 2026-04-23 (8 days of April, 22 of May); the 30 before run from
    # 2026-03-24 to 2026-04-22. awareness: x:2 = 3,000 (the whole workspace: 8,500), before it x:1 = 1,000
    assert "2026-04-23 to 2026-05-22: 3,000 · previous 2026-03-24 to 2026-04-22: 1,000" \
        in cards[("awareness", "Impressions")]
    # 70 / 3,000 = 2.3%, before it 50 / 1,000 = 5.0%
    assert "2026-04-23 to 2026-05-22: 2.3% · previous 2026-03-24 to 2026-04-22: 5.0%" \
        in cards[("awareness", "Engagement rate")]
    assert "2026-04-23 to 2026-05-22: 500 · previous" in cards[("community", "Impressions")]


def test_cards_stop_at_the_as_of_day(viewer: TestClient) -> None:
    cards = _cards(viewer.get("/w/drill/dashboard", params={"range": "horizon", "as_of": "2026-04-30"}).text)
    # up to 30 April only x:1 counts: 1,000, as the KPI's actual; the period before is cut to as many days
    # (2026-01-01 to 04-30: 31 + 28 + 31 + 30 = 120 days), 2025-07-04 to 2025-10-31: x:6 = 2,000
    impressions = cards[("awareness", "Impressions")]
    assert "Actual 1,000" in impressions
    assert "2026-01-01 to 2026-04-30: 1,000 · previous 2025-07-04 to 2025-10-31: 2,000" in impressions
    # community's only post (21 May) is after the as-of day
    assert "2026-01-01 to 2026-04-30: — · previous" in cards[("community", "Impressions")]


def test_objective_page_ranks_tactics_on_the_kpis_days(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/objectives/awareness").text
    ranked = html.split('class="grid tactics-ranked"', 1)[1].split("</table>", 1)[0]
    # on all the data archive (12,000) would lead launches (600 + 2,000 + 1,000 + 3,000 + 4,000 = 10,600); in the
    # horizon up to 2026-05-22 launches has 1,000 + 3,000 = 4,000 at (50 + 70) / 4,000 = 3.0% and archive nothing
    assert ranked.index("/w/drill/tactics/launches") < ranked.index("/w/drill/tactics/archive")
    launches = ranked.split("/w/drill/tactics/launches", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">4,000</td><td class="num">3.0%</td>' in launches
    archive = ranked.split("/w/drill/tactics/archive", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">12,000</td>' not in archive and '<td class="num">—</td>' in archive
    assert ("Ranked by Impressions, highest first (tactics without data last), over 2026-01-01 to 2026-05-22, "
            "the days its KPIs are measured on.") in re.sub(r"\s+", " ", html)
    csv = viewer.get("/w/drill/objectives/awareness/tactics.csv").text.splitlines()
    assert [[*line.split(",")[:2], line.split(",")[5]] for line in csv[1:]] == [
        ["1", "launches", "4000"], ["2", "archive", ""]]
