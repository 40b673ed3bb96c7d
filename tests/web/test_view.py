"""Dates, as-of and filters kept in the URL (issue 18.1/18.2/18.5): presets worked out by hand from the anchor
day, the previous equal period, and the dashboard and dialogue pages for a view."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from strategyfirst.web.view import View, page_status, parse_view
from tests.web.env import WebEnv

D = dt.date
LATEST = D(2017, 10, 12)


@pytest.fixture()
def web(web_sqlite: WebEnv) -> WebEnv:
    return web_sqlite


@pytest.mark.parametrize(("query", "since", "until"), [
    ({}, D(2017, 9, 13), LATEST),  # the last 30 days, both ends counted: 18 days of September + 12 of October
    ({"range": "month"}, D(2017, 10, 1), LATEST),
    ({"range": "quarter"}, D(2017, 10, 1), LATEST),
    ({"range": "quarter", "as_of": "2017-08-20"}, D(2017, 7, 1), D(2017, 8, 20)),
    ({"range": "horizon"}, D(2017, 10, 1), D(2018, 3, 31)),
    ({"range": "all"}, None, None),
    ({"since": "2017-10-01", "until": "2017-10-05"}, D(2017, 10, 1), D(2017, 10, 5)),
])
def test_presets_count_back_from_the_latest_data(query: dict[str, str], since: D | None, until: D | None) -> None:
    view, problems = parse_view(query, latest=LATEST, horizon=(D(2017, 10, 1), D(2018, 3, 31)))
    assert (view.since, view.until, problems) == (since, until, [])


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    view = View("custom", D(2017, 10, 1), D(2017, 10, 12))
    assert view.previous == (D(2017, 9, 19), D(2017, 9, 30))  # 12 days: 19..30 September
    assert View("all").previous is None


def test_the_form_switches_to_custom_only_when_its_dates_were_edited() -> None:
    shown = "2017-09-13/2017-10-12"
    picked, _ = parse_view({"range": "month", "since": "2017-09-13", "until": "2017-10-12", "shown": shown},
                           latest=LATEST)
    assert (picked.preset, picked.since) == ("month", D(2017, 10, 1))  # a new preset, dates left as shown
    edited, _ = parse_view({"range": "30d", "since": "2017-10-02", "until": "2017-10-12", "shown": shown},
                           latest=LATEST)
    assert (edited.preset, edited.since, edited.until) == ("custom", D(2017, 10, 2), LATEST)
    assert edited.query() == "range=custom&since=2017-10-02&until=2017-10-12"


def test_bad_values_are_said_and_left_out() -> None:
    view, problems = parse_view({"since": "12/10/2017", "range": "fortnight"}, latest=LATEST)
    assert (view.since, view.until) == (D(2017, 9, 13), LATEST)
    assert problems == ["since='12/10/2017' is not a date: give it as YYYY-MM-DD",
                        "range='fortnight' is not one of 30d, month, quarter, horizon, all, custom"]
    assert page_status(problems) == 422


def test_a_plan_without_horizon_is_a_note_not_a_bad_url() -> None:
    """The form offers `the plan's horizon` whatever the plan: choosing it for a plan without one is said (the
    last 30 days shown instead), with 200; with a bad date besides, 422."""
    view, problems = parse_view({"range": "horizon"}, latest=LATEST)
    assert (view.since, view.until) == (D(2017, 9, 13), LATEST)
    assert problems == ["the plan has no horizon: showing the last 30 days"] and page_status(problems) == 200
    assert page_status(parse_view({"range": "horizon", "since": "x"}, latest=LATEST)[1]) == 422
    assert page_status([]) == 200


def _text(html: str) -> str:
    main = html.split("<main", 1)[1]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_dashboard_cards_show_the_period_and_the_one_before(web: WebEnv) -> None:
    client = web.login("viewer@acme.org")
    text = _text(client.get("/w/acme/dashboard", params={"since": "2017-10-01", "until": "2017-10-12"}).text)
    assert "Showing 2017-10-01 to 2017-10-12; compared with 2017-09-19 to 2017-09-30." in text
    # the twcs sample's brands answered 28 of 33 inbound messages, all in October 2017 (28/33 = 84.8%);
    # nothing before, so the previous period has no figure
    assert "2017-10-01 to 2017-10-12: 84.8% · previous 2017-09-19 to 2017-09-30: —" in text
    # each KPI chart shades the period and the one before, and says so in its caption
    assert "shaded: this period 2017-10-01 to 2017-10-12, the period before 2017-09-19 to 2017-09-30" in text
    # the nav keeps the view for the dialogue page
    html = client.get("/w/acme/dashboard", params={"range": "all", "account": "@Tesco"}).text
    assert 'href="/w/acme/dialogue?range=all&amp;account=%40Tesco"' in html


def _nav(html: str) -> dict[str, str]:
    """The navigation's links by label."""
    nav = html[html.index('<nav aria-label="Workspace pages">'):html.index("</nav>")]
    return {label: href.replace("&amp;", "&") for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_the_nav_keeps_the_view_where_the_page_takes_it(web: WebEnv) -> None:
    client = web.login("viewer@acme.org")
    view = "range=custom&since=2017-10-01&until=2017-10-12&as_of=2017-10-12&platform=x"
    # from a view page: the whole view to the dashboard, dialogue and posts (the Posts link dropped it), the as-of
    # day to the strategy map and verdicts, nothing to the pages that take neither
    for page in ("dashboard", "dialogue", f"posts?objective=dialogue&sort=engagements&{view}"):
        nav = _nav(client.get(f"/w/acme/{page}" + ("" if "?" in page else f"?{view}")).text)
        assert (nav["Dashboard"], nav["Dialogue"], nav["Posts"]) == (
            f"/w/acme/dashboard?{view}", f"/w/acme/dialogue?{view}", f"/w/acme/posts?{view}"), page
        assert (nav["Strategy"], nav["Verdicts"]) == ("/w/acme?as_of=2017-10-12", "/w/acme/verdicts?as_of=2017-10-12")
        assert (nav["Imports"], nav["Plan"], nav["History"]) == ("/w/acme/imports", "/w/acme/plan", "/w/acme/history")
    # from an as-of page: the as-of day to every page that takes one
    for page in ("", "/verdicts", "/objectives/dialogue"):
        nav = _nav(client.get(f"/w/acme{page}", params={"as_of": "2017-10-10"}).text)
        assert {label: nav[label] for label in ("Strategy", "Dashboard", "Dialogue", "Posts", "Verdicts", "Plan")} == {
            "Strategy": "/w/acme?as_of=2017-10-10", "Dashboard": "/w/acme/dashboard?as_of=2017-10-10",
            "Dialogue": "/w/acme/dialogue?as_of=2017-10-10", "Posts": "/w/acme/posts?as_of=2017-10-10",
            "Verdicts": "/w/acme/verdicts?as_of=2017-10-10", "Plan": "/w/acme/plan"}, page
    # the default view carries nothing
    assert _nav(client.get("/w/acme/dashboard").text)["Posts"] == "/w/acme/posts"
    # and the strategy map's drill-downs keep its day
    assert 'href="/w/acme/objectives/dialogue?as_of=2017-10-10"' in client.get("/w/acme?as_of=2017-10-10").text


def test_dialogue_states_its_window_and_who_waits_longest(web: WebEnv) -> None:
    client = web.login("viewer@acme.org")
    text = _text(client.get("/w/acme/dialogue", params={"range": "all"}).text)
    assert "This page covers inbound messages received in all the data." in text
    # 33 inbound, 28 answered: the 5 unanswered come first, then the slowest answered ones (10 rows in all)
    html = client.get("/w/acme/dialogue", params={"range": "all"}).text
    rows = re.findall(r"<tr><td[^>]*>2017.*?</tr>", html.split('class="grid waiting stack"')[1], flags=re.S)
    assert len(rows) == 10
    # the table once leaked into <title> and <head> through a merge: it stands once, in the page's body
    assert html.count('class="grid waiting stack"') == 1 and "<h2>" not in html.split("</head>")[0]
    assert ["not answered" in r for r in rows] == [True] * 5 + [False] * 5
    # the time-to-first-reply chart counts the window's messages: 33 in all, 5 of them unanswered
    spec = json.loads(re.search(r'<script type="application/json" id="dialogue-3">(.*?)</script>', html, re.S)[1])
    counts = {bucket: int(n) for bucket, n in spec["usermeta"]["table"]["rows"]}
    assert sum(counts.values()) == 33 and counts["unanswered"] == 5
    one_day = client.get("/w/acme/dialogue", params={"since": "2017-10-11", "until": "2017-10-11"}).text
    spec = json.loads(re.search(r'id="dialogue-3">(.*?)</script>', one_day, re.S)[1])
    assert sum(int(n) for _, n in spec["usermeta"]["table"]["rows"]) < 33
    early = _text(client.get("/w/acme/dialogue", params={"since": "2017-01-01", "until": "2017-01-31"}).text)
    assert "from 2017-01-01 to 2017-01-31" in early and "No inbound messages in this window." in early


def test_strategy_map_and_verdicts_take_an_as_of_day(web: WebEnv) -> None:
    client = web.login("viewer@acme.org")
    latest = _text(client.get("/w/acme").text)
    assert "Statuses and verdicts as of 2017-10-12 (the latest data)." in latest and "at risk" in latest
    # by the end of 10 October the sample holds one customer message that AppleSupport answered, but only on the
    # 11th, and it names @76099 (Apple), not AppleSupport: only that reply made it AppleSupport's inbound message
    # (rule (b)), so on the 10th the brands had no inbound message at all: no data (not 0 of 1 answered, "off
    # track"). Its tactics have too few messages to be judged.
    early = _text(client.get("/w/acme", params={"as_of": "2017-10-10"}).text)
    assert "Statuses and verdicts as of 2017-10-10." in early
    assert "dialogue no data" in early and "Response rate: — / target 90.0%" in early
    assert "Median first response: — / target 60 min" in early and "at risk" not in early
    assert "care-desk x not enough data" in early
    # a bad day is the error page (422, what was wrong), as on the objective and tactic pages
    for path in ("/w/acme", "/w/acme/verdicts"):
        wrong = client.get(path, params={"as_of": "10/10/2017"})
        assert wrong.status_code == 422, path
        assert "as_of=&#39;10/10/2017&#39; is not a date: give it as YYYY-MM-DD" in wrong.text
