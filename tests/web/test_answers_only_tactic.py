"""A tactic that only answers (a care desk: replies in conversations, no posts of its own) shows its conversation
figures and its latest replies on its page, not "Posts 0" and an empty table of posts; a tactic that posts keeps
its top posts. Every figure below is worked out by hand from the messages of MESSAGES."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import HEADER, DrillEnv, build_drill, flat

PLAN = """\
version: 1
organisation: Shop Co
owner: Pat
horizon: {start: 2026-01-01, end: 2026-06-30}
budget: {total: 1000, currency: EUR}
accounts:
  x: ["@shop", "@shophelp"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [makers]
objectives:
  - id: dialogue
    statement: Answer the people who write to us
    kpis:
      - {metric: response_rate, target: 0.9}
  - id: reach
    statement: People engage with what we post
    kpis:
      - {metric: engagement_rate, target: 0.02}
tactics:
  - id: care
    channel: x
    serves: [dialogue]
    owner: Ana
    budget: 500
    match: {accounts: ["@shophelp"]}
  - id: posting
    channel: x
    serves: [reach]
    owner: Bo
    budget: 500
    match: {accounts: ["@shop"]}
"""
# Three customers write to @shophelp; it answers the first after 30 min and the second after 150 min, not the
# third, and answers a message that is not in the data (x:999). @shop posts once and answers a message that is
# not in the data (x:998).
MESSAGES = HEADER + """\
x:1,x,shop,true,2026-01-05 10:00:00,post,Our spring range,,https://x.com/shop/status/1,,1000,800,30
x:10,x,cust1,false,2026-01-10 09:00:00,post,@shophelp my order is late,,,,,,
x:11,x,shophelp,true,2026-01-10 09:30:00,reply,Sorry! DM us your order number,x:10,https://x.com/shophelp/status/11,,,,
x:12,x,cust2,false,2026-01-11 08:00:00,post,@shophelp wrong size,,,,,,
x:13,x,shophelp,true,2026-01-11 10:30:00,reply,We will swap it,x:12,https://x.com/shophelp/status/13,,,,
x:14,x,cust3,false,2026-01-12 08:00:00,post,@shophelp refund?,,,,,,
x:15,x,shophelp,true,2026-01-13 09:00:00,reply,Glad it worked out,x:999,https://x.com/shophelp/status/15,,,,
x:2,x,shop,true,2026-01-06 10:00:00,reply,Thanks for the kind words,x:998,https://x.com/shop/status/2,,,,
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillEnv]:
    root = tmp_path_factory.mktemp("answers")
    built = build_drill(root, posts=MESSAGES, spend=None, plan=PLAN)
    yield built
    dispose(f"sqlite:///{root / 'app.sqlite'}")


@pytest.fixture(scope="module")
def viewer(env: DrillEnv) -> TestClient:
    return env.login()


def figures(html: str) -> dict[str, tuple[str, str]]:
    """The tactic's figures table: label -> (value, counted over)."""
    start = html.index('class="grid figures')
    body = flat(html[start:html.index("</table>", start)])
    return {label: (value, n) for label, value, n in
            re.findall(r'<th scope="row"[^>]*>([^<]+)</th><td class="num">([^<]+)</td> <td class="num">([^<]+)</td>',
                       body)}


def test_a_care_desk_shows_its_conversation_figures_not_posts(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/tactics/care").text
    shown = figures(html)
    # inbound: x:10, x:12, x:14 (each mentions @shophelp); answered: x:10, x:12 -> 2/3 = 66.7%
    assert shown["Inbound messages"] == ("3", "3")
    assert shown["Response rate"] == ("66.7%", "3")
    # first replies after 30 and 150 min: the median of the two is 90 min
    assert shown["Median first response"] == ("90 min", "2")
    # its three messages are all replies (one to a message not in the data counts as one to the audience)
    assert shown["Replies as share of own messages"] == ("100.0%", "3")
    # the figures of posts it never made are gone
    for gone in ("Posts", "Impressions", "Engagements", "Engagement rate"):
        assert gone not in shown
    page = flat(html)
    assert "No posts here yet" not in page and "Top posts" not in page


def test_a_care_desk_lists_its_latest_replies_with_what_they_answer(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/tactics/care").text
    page = flat(html)
    assert "Its latest replies" in page and "are all replies, with no posts of its own" in page
    start = html.index('class="grid posts replies')
    table = flat(html[start:html.index("</table>", start)])
    # newest first
    assert re.findall(r'<tr data-message="([^"]+)"', table) == ["x:15", "x:13", "x:11"]
    rows = table.split("<tr data-message=")[1:]
    # x:13 answers x:12 after 150 min (2.5 h); x:11 answers x:10 after 30 min; x:15's parent is not in the data
    assert "We will swap it" in rows[1] and "@shophelp wrong size" in rows[1] and ">2.5 h</td>" in rows[1]
    assert "Sorry! DM us your order number" in rows[2] and ">30 min</td>" in rows[2]
    assert "Glad it worked out" in rows[0] and "— (not in the data)" in rows[0]
    assert ">—</td>" in rows[0]  # no reply time without the message it answers
    # the Dialogue page over the tactic's days, kept to its one account, answers
    link = re.search(r'<a href="(/w/drill/dialogue\?[^"]+)">Its conversations on the Dialogue page', html)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert "range=custom" in href and "since=2026-01-01" in href and "account=%40shophelp" in href
    dialogue = viewer.get(href)
    assert dialogue.status_code == 200 and "is not an account the plan lists" not in dialogue.text


def test_a_care_desk_figures_csv_has_its_conversation_figures(viewer: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(viewer.get("/w/drill/tactics/care/figures.csv").text)))
    metrics = [r["metric"] for r in rows]
    assert "posts" not in metrics and "impressions" not in metrics
    assert {r["metric"]: r["value"] for r in rows}["inbound_messages"] in ("3", "3.0")


def test_a_tactic_that_posts_keeps_its_top_posts(viewer: TestClient) -> None:
    html = viewer.get("/w/drill/tactics/posting").text
    page = flat(html)
    shown = figures(html)
    # x:1: 30 engagements / 1,000 impressions = 3.0%; its posts are counted over its 2 own messages, x:1 and x:2
    assert shown["Posts"] == ("1", "2") and shown["Engagement rate"][0] == "3.0%"
    assert "Top posts" in page and "Its latest replies" not in page
    assert re.findall(r'<tr data-message="([^"]+)"', html) == ["x:1"]
    # QA: "Posts 1 counted over 2" is said in words, and the column says what it counts
    assert "1 of its 2 own messages are posts; the other 1 is a reply." in page
    assert re.search(r'<th scope="col" class="num" title="How many of its data each figure is computed from[^"]*'
                     r'own messages for posts', html)
    # a tactic with posts keeps its cost per engagement
    assert 'title="cost_per_engagement">Cost per engagement</th>' in html


def test_a_care_desk_has_no_cost_per_engagement(viewer: TestClient) -> None:
    """QA: it makes no posts to engage with, and the registry has no cost per answered message: the row is left
    out, the spend and cost per result stay."""
    html = viewer.get("/w/drill/tactics/care").text
    costs = flat(html[html.index("Spend and cost per result of care"):])
    assert 'title="spend">Spend</th>' in costs and 'title="cost_per_result">Cost per result</th>' in costs
    assert "cost_per_engagement" not in costs and "Cost per engagement" not in costs


def test_an_objective_served_only_by_a_care_desk_shows_its_conversations(viewer: TestClient) -> None:
    """QA: the dialogue objective's page said "Top posts: No posts here yet"; its one tactic only answers, so it
    shows its conversation figures and latest replies, as the care desk's own page does."""
    html = viewer.get("/w/drill/objectives/dialogue").text
    page = flat(html)
    assert "Top posts" not in page and "No posts here yet" not in page
    assert "Its conversations" in page and "are all replies, with no posts of their own" in page
    shown = figures(html)
    # as the care desk's: inbound x:10, x:12, x:14, answered x:10 and x:12 -> 2/3; replies after 30 and 150 min
    assert shown["Inbound messages"] == ("3", "3") and shown["Response rate"] == ("66.7%", "3")
    assert shown["Median first response"] == ("90 min", "2")
    start = html.index('class="grid posts replies')
    table = flat(html[start:html.index("</table>", start)])
    assert re.findall(r'<tr data-message="([^"]+)"', table) == ["x:15", "x:13", "x:11"]  # newest first
    assert re.search(r'<a href="/w/drill/dialogue\?[^"]+">Its conversations on the Dialogue page', html)


def test_an_objective_of_a_tactic_that_posts_keeps_its_top_posts(viewer: TestClient) -> None:
    page = flat(viewer.get("/w/drill/objectives/reach").text)
    assert "Top posts" in page and "Its conversations" not in page
