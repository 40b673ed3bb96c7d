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
    # the charts shade the days the cards compare (before: the whole horizon and the 365 days before it)
    html = viewer.get("/w/drill/dashboard", params={"range": "horizon", "as_of": "2026-04-30"}).text
    assert "shaded: this period 2026-01-01 to 2026-04-30, the period before 2025-07-04 to 2025-10-31" in html


def test_objective_page_ranks_tactics_on_the_kpis_days(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/objectives/awareness").text
    ranked = html.split('class="grid tactics-ranked stack"', 1)[1].split("</table>", 1)[0]
    ranked = re.sub(r' data-label="[^"]*"', "", ranked)  # the cells' labels of a phone's card layout
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


def _posts(html: str) -> list[str]:
    return re.findall(r'<tr data-message="([^"]+)"', html)


def _figure(html: str, metric: str) -> str:
    found = re.search(rf'title="{metric}">[^<]*</th><td class="num">([^<]*)</td>', html)
    assert found is not None, metric
    return found[1]


def test_tactic_page_measures_on_its_verdicts_days(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/tactics/launches").text
    # launches on all the data: x:6 + x:8 + x:1 + x:2 + x:7 = 2,000 + 600 + 1,000 + 3,000 + 4,000 = 10,600 in 5
    # posts; its verdict is judged in the horizon up to 2026-05-22: x:1 + x:2 = 4,000 in 2 posts, (50 + 70) / 4,000
    figures = html[html.index("Figures of launches"):html.index("Spend and cost per result")]
    assert (_figure(figures, "impressions"), _figure(figures, "posts"), _figure(figures, "engagements"),
            _figure(figures, "engagement_rate")) == ("4,000", "2", "120", "3.0%")
    assert "Over 2026-01-01 to 2026-05-22, the days its verdict is judged on." in html
    # top posts of the same days, by engagements: x:2 (70), x:1 (50); not x:7 (after the horizon), x:6, x:8
    assert _posts(html) == ["x:2", "x:1"]
    assert 'href="/w/drill/posts?tactic=launches&amp;since=2026-01-01&amp;until=2026-05-22"' in html
    listed = viewer.get("/w/drill/posts?tactic=launches&since=2026-01-01&until=2026-05-22&sort=engagements").text
    assert _posts(listed) == ["x:2", "x:1"]
    csv = dict(line.split(",")[:2] for line in viewer.get("/w/drill/tactics/launches/figures.csv").text.splitlines())
    assert csv["impressions"] == "4000"


def test_tactic_page_as_of_a_day(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/tactics/launches", params={"as_of": "2026-04-30"}).text
    # up to 30 April only x:1: 1,000 impressions, 50 engagements
    assert _figure(html, "impressions") == "1,000" and _figure(html, "engagements") == "50"
    assert _posts(html) == ["x:1"] and "Statuses and verdicts as of 2026-04-30." in html
    csv = viewer.get("/w/drill/tactics/launches/figures.csv", params={"as_of": "2026-04-30"}).text
    assert "impressions,1000," in csv
    # its links keep the day
    assert 'href="/w/drill/objectives/awareness?as_of=2026-04-30"' in html
    assert 'href="/w/drill/tactics/launches/figures.csv?as_of=2026-04-30"' in html


def test_objective_top_posts_on_the_kpis_days(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/objectives/awareness").text
    # awareness's posts by engagements on all the data: x:5 (1,200), x:2 (70), x:1 (50), x:7 (40), ...; in the
    # horizon up to 2026-05-22: x:2, x:1
    assert _posts(html) == ["x:2", "x:1"]
    assert "Posted 2026-01-01 to 2026-05-22, the days its KPIs are measured on." in html
    assert 'href="/w/drill/posts?objective=awareness&amp;since=2026-01-01&amp;until=2026-05-22"' in html


def test_objective_page_takes_an_as_of_day(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/objectives/awareness", params={"as_of": "2026-04-30"}).text
    flat = re.sub(r"\s+", " ", html)
    # up to 30 April: the KPI's actual is x:1's 1,000, the tactics ranked and top posts on those days
    kpis = re.sub(r' data-label="[^"]*"', "", flat.split('class="grid kpis stack"', 1)[1].split("</table>", 1)[0])
    assert '<td class="num">1,000</td>' in kpis
    assert "over 2026-01-01 to 2026-04-30, the days its KPIs are measured on" in flat
    assert _posts(html) == ["x:1"] and "Statuses and verdicts as of 2026-04-30." in flat
    for href in ("/w/drill/objectives/awareness/kpis.csv?as_of=2026-04-30",
                 "/w/drill/charts/kpi/awareness/impressions.svg?as_of=2026-04-30",
                 "/w/drill/tactics/launches?as_of=2026-04-30", "/w/drill?as_of=2026-04-30",
                 "/w/drill/dashboard?as_of=2026-04-30"):
        assert f'href="{href}"' in html, href
    csv = viewer.get("/w/drill/objectives/awareness/kpis.csv", params={"as_of": "2026-04-30"}).text
    assert csv.splitlines()[1].startswith("awareness,impressions,off_track,1000.0,")


@pytest.mark.parametrize(("value", "said"), [
    ("30/04/2026", "as_of=&#39;30/04/2026&#39; is not a date: give it as YYYY-MM-DD"),
    ("9999-12-31", "as_of=9999-12-31 is outside the dates this app works with (1970-01-01 to 2200-12-31)"),
])
def test_a_bad_as_of_day_is_the_error_page(viewer: TestClient, value: str, said: str) -> None:
    # every page that takes only an as-of day answers a bad one alike (the strategy map and verdicts once said it
    # beside a page of the latest data while the objective page was the error page)
    for path in ("/w/drill/objectives/awareness", "/w/drill/tactics/launches",
                 "/w/drill/objectives/awareness/tactics.csv", "/w/drill", "/w/drill/verdicts"):
        response = viewer.get(path, params={"as_of": value})
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("text/html") and "<!doctype html>" in response.text
        assert said in response.text, response.text[-600:]


# --- the posts page and the account page stop at the as-of day ------------------------------------------------

def test_posts_of_the_horizon_stop_at_the_as_of_day(viewer: TestClient) -> None:
    # the horizon's posts, newest first: x:4 (05-22), x:3 (05-21), x:2 (05-20), x:1 (04-10); as of 2026-05-20 the
    # day itself counts (x:2) and the day after does not (x:3), as the dashboard's figures stop there
    html = viewer.get("/w/drill/posts", params={"range": "horizon", "as_of": "2026-05-20"}).text
    assert _posts(html) == ["x:2", "x:1"]
    assert "posted up to the as-of day 2026-05-20" in html
    # a post's account links to the account's page of the same view
    assert 'href="/w/drill/accounts/x/brand?range=horizon&amp;as_of=2026-05-20"' in html
    csv = viewer.get("/w/drill/posts.csv", params={"range": "horizon", "as_of": "2026-05-20"}).text
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == ["x:2", "x:1"]
    # all the data as of 2026-05-20: the posts before the horizon too (x:8, x:6, x:5), nothing after the day
    html = viewer.get("/w/drill/posts", params={"range": "all", "as_of": "2026-05-20"}).text
    assert _posts(html) == ["x:2", "x:1", "x:8", "x:6", "x:5"]
    # dates that all lie after the as-of day: no post
    html = viewer.get("/w/drill/posts", params={"range": "custom", "since": "2026-05-21", "until": "2026-05-31",
                                                "as_of": "2026-05-20"}).text
    assert _posts(html) == []


def test_account_page_takes_the_view_for_its_figures_and_top_posts(viewer: TestClient) -> None:
    # @brand's posts in the horizon up to 2026-05-20: x:1 and x:2, 1,000 + 3,000 impressions, 50 + 70 engagements;
    # its top posts the same two by engagements, not x:5 (1,200, before the horizon), x:4 (500, after the day)
    query = {"range": "horizon", "as_of": "2026-05-20"}
    html = viewer.get("/w/drill/accounts/x/brand", params=query).text
    assert (_figure(html, "posts"), _figure(html, "impressions"), _figure(html, "engagements")) == ("2", "4,000",
                                                                                                  "120")
    assert _posts(html) == ["x:2", "x:1"]
    assert "Showing 2026-01-01 to 2026-06-30 (the plan&#39;s horizon), as of 2026-05-20" in html
    # its links keep the view: the account's posts, the CSVs
    assert ('href="/w/drill/posts?range=horizon&amp;as_of=2026-05-20&amp;platform=x&amp;account=brand"'
            in html)
    listed = viewer.get("/w/drill/posts", params={**query, "platform": "x", "account": "brand"}).text
    assert _posts(listed) == ["x:2", "x:1"]
    figures = viewer.get("/w/drill/accounts/x/brand/figures.csv", params=query).text
    assert "impressions,4000," in figures
    top = viewer.get("/w/drill/posts.csv", params={**query, "platform": "x", "account": "brand",
                                                   "sort": "engagements"}).text
    assert [line.split(",")[0] for line in top.splitlines()[1:]] == ["x:2", "x:1"]
    # all the data as of 2026-04-30: x:5, x:6, x:8 and x:1 (12,000 + 2,000 + 600 + 1,000 impressions), by
    # engagements 1,200, 50, 20, 6
    html = viewer.get("/w/drill/accounts/x/brand", params={"range": "all", "as_of": "2026-04-30"}).text
    assert (_figure(html, "posts"), _figure(html, "impressions")) == ("4", "15,600")
    assert _posts(html) == ["x:5", "x:1", "x:6", "x:8"]
    # without a range, all the data (as the accounts list shows it): its 8 posts, 12,000 + 2,000 + 600 + 1,000 +
    # 3,000 + 500 + 5,000 + 4,000 = 28,100 impressions; the top posts by engagements 1,200, 500, 70, 50, then x:3
    # and x:7 (40 each, by id), x:6 (20), x:8 (6)
    html = viewer.get("/w/drill/accounts/x/brand").text
    assert (_figure(html, "posts"), _figure(html, "impressions")) == ("8", "28,100")
    assert _posts(html) == ["x:5", "x:4", "x:2", "x:1", "x:3", "x:7", "x:6", "x:8"]
    assert 'href="/w/drill/posts?range=all&amp;platform=x&amp;account=brand"' in html  # the Posts page's is 30 days
    # the last 30 days up to 2026-05-22 (04-23 to 05-22), as the Posts page's default view links it: x:2, x:3,
    # x:4, by engagements 500, 70, 40
    posts = viewer.get("/w/drill/posts").text
    assert 'href="/w/drill/accounts/x/brand?range=30d"' in posts
    html = viewer.get("/w/drill/accounts/x/brand", params={"range": "30d"}).text
    assert (_figure(html, "posts"), _figure(html, "impressions")) == ("3", "8,500")
    assert _posts(html) == ["x:4", "x:2", "x:3"]
    assert 'href="/w/drill/accounts/x/brand/figures.csv?range=30d"' in html
    assert 'href="/w/drill/posts?platform=x&amp;account=brand"' in html
