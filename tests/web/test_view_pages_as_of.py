"""The view pages (dashboard, dialogue, posts and an account's page) and the as-of day: the dialogue page's
figures and charts stop at the end of the as-of day as the dashboard's cards do, a bad `as_of` is the app's 422
error page as on the strategy map, and only a page that shows a previous period's figures says "compared with".

Inbound messages to @deska on x (the drill plan; @deska's post x:100 on 2026-01-02), each with its first reply:
  x:101  2026-03-10 10:00  answered 10:45 by x:102      45 min
  x:103  2026-03-12 10:00  never answered
  x:104  2026-03-20 10:00  answered 10:30 by x:105      30 min  (after the as-of day 2026-03-15)
  x:106  2026-03-21 09:00  answered 12:00 by x:107     180 min  (after it; x:107 is the latest data time)
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import HEADER, build_drill, flat

POSTS = HEADER + """\
x:100,x,deska,true,2026-01-02 09:00:00,post,Desk A is open,,https://x.com/deska/status/100,,100,90,1
x:101,x,ann,false,2026-03-10 10:00:00,reply,@deska help,x:100,,,,,
x:102,x,deska,true,2026-03-10 10:45:00,reply,@ann on it,x:101,,,,,
x:103,x,bob,false,2026-03-12 10:00:00,reply,@deska hello?,x:100,,,,,
x:104,x,cy,false,2026-03-20 10:00:00,reply,@deska hi,x:100,,,,,
x:105,x,deska,true,2026-03-20 10:30:00,reply,@cy hi,x:104,,,,,
x:106,x,dee,false,2026-03-21 09:00:00,reply,@deska yo,x:100,,,,,
x:107,x,deska,true,2026-03-21 12:00:00,reply,@dee yo,x:106,,,,,
"""
MARCH = {"range": "custom", "since": "2026-03-01", "until": "2026-03-31"}
AS_OF = "2026-03-15"


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("view-as-of")
    env = build_drill(root, POSTS, None)
    yield env.login()
    dispose(env.state.db.url)


def _spec(html: str, n: int) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="dialogue-{n}">(.*?)</script>', html, re.S)
    assert found is not None, f"no chart dialogue-{n}"
    spec: dict[str, Any] = json.loads(found[1])
    return spec


def _rows(html: str, label: str) -> list[list[str]]:
    """The cells of the table in the region `label`, one list per body row."""
    table = html.split(f'aria-label="{label}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _dialogue(viewer: TestClient, **query: str) -> dict[str, Any]:
    r = viewer.get("/w/drill/dialogue", params=query)
    assert r.status_code == 200, r.text[-500:]
    html = r.text
    times = {v["stat"]: v["minutes"] for v in _spec(html, 2)["data"]["values"]}
    buckets = {name: int(n) for name, n in _spec(html, 3)["usermeta"]["table"]["rows"] if int(n)}
    return {"months": _spec(html, 1)["usermeta"]["table"]["rows"], "times": times, "buckets": buckets,
            "by_account": _rows(html, "Dialogue by account"),
            "waiting": [row[:4] for row in _rows(html, "Waiting longest for a first reply")], "text": flat(html)}


def test_the_dialogue_page_stops_at_the_end_of_the_as_of_day(viewer: TestClient) -> None:
    whole = _dialogue(viewer, **MARCH)
    # all of March: 4 inbound, 3 answered (3 / 4 = 75.0%); gaps 30, 45, 180 min: median 45, p90 at 0.9 x 2 = 1.8
    # places along them: 45 + 0.8 x (180 - 45) = 153; @deska's own messages in March all reply to the audience
    assert whole["months"] == [["2026-03", "4", "3"]]
    assert whole["times"] == {"median": 45, "p90": 153}
    assert whole["buckets"] == {"15–60 min": 2, "1–4 h": 1, "unanswered": 1}
    assert whole["by_account"] == [["deska", "x", "4", "75.0%", "45 min", "2.5 h", "100.0%", "—"]]
    assert len(whole["waiting"]) == 4

    cut = _dialogue(viewer, **MARCH, as_of=AS_OF)
    # as of 15 March only x:101 (answered in 45 min) and x:103 (not answered) had come: 1 of 2 = 50.0%, one gap
    assert cut["months"] == [["2026-03", "2", "1"]]
    assert cut["times"] == {"median": 45, "p90": 45}
    assert cut["buckets"] == {"15–60 min": 1, "unanswered": 1}
    assert cut["by_account"] == [["deska", "x", "2", "50.0%", "45 min", "45 min", "100.0%", "—"]]
    # x:103 waits from 12 March 10:00 to the end of the as-of day (16 March 00:00): 86 h = 3.6 days; the
    # messages of 20 and 21 March had not come yet
    assert cut["waiting"] == [["2026-03-12 10:00", "x", "deska", "3.6 days not answered"],
                              ["2026-03-10 10:00", "x", "deska", "45 min"]]
    assert "This page covers inbound messages received from 2026-03-01 to 2026-03-15." in cut["text"]

    # all the data as of the day: the same two messages, and the page says where it stops
    unbounded = _dialogue(viewer, range="all", as_of=AS_OF)
    assert unbounded["months"] == [["2026-03", "2", "1"]]
    assert "This page covers inbound messages received up to 2026-03-15." in unbounded["text"]


def test_an_as_of_day_before_the_window_counts_nothing_and_says_why(viewer: TestClient) -> None:
    # 20 to 31 March as of 15 March: no day of the window had begun (measure's own words were once the page's:
    # "--since 2026-03-20 is after --until 2026-03-15 ... swap them")
    r = viewer.get("/w/drill/dialogue", params={**MARCH, "since": "2026-03-20", "as_of": AS_OF})
    text = flat(re.sub(r"<[^>]+>", " ", r.text.split("<main", 1)[1]))
    assert r.status_code == 200
    assert "This page covers inbound messages received from 2026-03-20 to 2026-03-31." in text
    assert "nothing counts: the as-of day 2026-03-15 is before 2026-03-20, the first day shown" in text
    assert "--since" not in text and "No dialogue data yet" not in text
    assert "No inbound messages in this window." in text
    # a window with no end (a start alone) ends at the as-of day, or reaches on
    assert "received from 2026-03-01 to 2026-03-15." in _dialogue(viewer, since="2026-03-01", as_of=AS_OF)["text"]
    assert "received from 2026-03-01 on." in _dialogue(viewer, since="2026-03-01")["text"]
    # February has no inbound message: the page offers the days that have some up to the as-of day (10 and 12
    # March), not those after it (to 21 March), which the link's as-of day would leave empty again
    february = flat(viewer.get("/w/drill/dialogue", params={"since": "2026-02-01", "until": "2026-02-28",
                                                            "as_of": AS_OF}).text)
    assert "The workspace has inbound messages from 2026-03-10 to 2026-03-12:" in february


def test_the_dialogue_downloads_stop_at_the_as_of_day(viewer: TestClient) -> None:
    table = list(csv.DictReader(io.StringIO(viewer.get("/w/drill/dialogue.csv", params={**MARCH, "as_of": AS_OF})
                                            .text)))
    assert [(r["account"], float(r["inbound_messages"]), float(r["response_rate"])) for r in table] == \
        [("deska", 2, 0.5)]
    waiting = list(csv.DictReader(io.StringIO(viewer.get("/w/drill/dialogue-waiting.csv",
                                                         params={**MARCH, "as_of": AS_OF}).text)))
    # 12 March 10:00 to 16 March 00:00: 3 days 14 h = 86 h = 5,160 min
    assert [(r["Received (UTC)"], float(r["Waited (minutes)"]), r["Answered"]) for r in waiting] == \
        [("2026-03-12 10:00:00", 5160, "no"), ("2026-03-10 10:00:00", 45, "yes")]
    chart = viewer.get("/w/drill/charts/dialogue/inbound.svg", params={**MARCH, "as_of": AS_OF})
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg")


VIEW_PAGES = ("/w/drill/dashboard", "/w/drill/dialogue", "/w/drill/posts", "/w/drill/accounts/x/deska")


@pytest.mark.parametrize("path", VIEW_PAGES)
@pytest.mark.parametrize("value", ["2026-13-45", "abc"])
def test_a_bad_as_of_day_on_a_view_page_is_the_error_page(viewer: TestClient, path: str, value: str) -> None:
    # as on the strategy map, the verdicts and an objective's page (deps.AsOf): 422 and one line naming the
    # parameter and the form it takes, not a page of other dates with the problem beside it
    r = viewer.get(path, params={**MARCH, "as_of": value})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html") and "<!doctype html>" in r.text
    assert f"as_of=&#39;{value}&#39; is not a date: give it as YYYY-MM-DD" in r.text
    assert 'class="view-form"' not in r.text


def _label(html: str) -> str:
    found = re.search(r'<p class="meta view-label">(.*?)<a ', html, re.S)
    assert found is not None
    return " ".join(found[1].split())


@pytest.mark.parametrize("path", ["/w/drill/dialogue", "/w/drill/posts", "/w/drill/accounts/x/deska"])
def test_pages_without_previous_figures_claim_no_comparison(viewer: TestClient, path: str) -> None:
    label = _label(viewer.get(path, params=MARCH).text)
    assert label == "Showing 2026-03-01 to 2026-03-31."
    assert "compared" not in flat(viewer.get(path, params={**MARCH, "as_of": AS_OF}).text)


def test_the_dashboard_names_the_period_its_cards_compare_with(viewer: TestClient) -> None:
    # March (31 days) against the 31 days before it: 2026-01-29 to 2026-02-28
    assert _label(viewer.get("/w/drill/dashboard", params=MARCH).text) == \
        "Showing 2026-03-01 to 2026-03-31; compared with 2026-01-29 to 2026-02-28."
    # as of 15 March the cards compare 1 to 15 March with as many days from 29 January: to 12 February
    html = viewer.get("/w/drill/dashboard", params={**MARCH, "as_of": AS_OF}).text
    assert _label(html) == "Showing 2026-03-01 to 2026-03-31, as of 2026-03-15; compared with 2026-01-29 to 2026-02-12."
    # the dialogue objective's response rate: 1 of the 2 inbound messages of 1 to 15 March, none before
    cards = flat(re.sub(r"<[^>]+>", "", html))
    assert "2026-03-01 to 2026-03-15: 50.0% · previous 2026-01-29 to 2026-02-12: —" in cards
