"""Readiness & capacity on the web: the API is the CLI's JSON (checked against the library and by hand on a
small hand-built workspace), the page shows the heat map, the gaps in words and the assumptions, and a
workspace without data or without readiness answers gets a message instead of an error."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strategyfirst.appdb import connect, dispose
from strategyfirst.capacity import plan_capacity
from strategyfirst.cli import app as cli
from strategyfirst.readiness import score_readiness
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.web import Settings, create_app
from strategyfirst.web.services import plain
from strategyfirst.web.state import open_state
from strategyfirst.workspace import Workspace
from tests.web.env import PASSWORD, WebEnv

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()
HANDLING, PEOPLE = 6.0, 2
READINESS = f"""readiness:
  response:
    handling_minutes: {HANDLING:g}
    staffing:
      - {{days: mon-fri, hours: "09-17", people: {PEOPLE}}}
"""
MONDAY = dt.datetime(2026, 3, 2)  # a Monday; four full weeks of traffic follow
WEEKS = 4
MON, TUE, SUN = 0, 1, 6


def traffic() -> list[dt.datetime]:
    """Each week 30 messages in each hour Mon 09-12 and 6 at Tue 14, plus one at the very start (Mon 00:00,
    week 1) and one at the very end (Sun 23:30, week 4) so the span is exactly four weeks."""
    times = [MONDAY, MONDAY + dt.timedelta(days=27, hours=23, minutes=30)]
    for week in range(WEEKS):
        base = MONDAY + dt.timedelta(weeks=week)
        for hour in (9, 10, 11):
            times += [base + dt.timedelta(hours=hour, minutes=2 * i) for i in range(30)]
        times += [base + dt.timedelta(days=1, hours=14, minutes=10 * i) for i in range(6)]
    return times


def hand_arrivals() -> dict[tuple[int, int], float]:
    """Messages per hour of the week, worked out from the traffic above: 30 a week in each of Mon 09-11,
    6 at Tue 14, and one message in four weeks at Mon 00 and Sun 23."""
    return {(MON, 9): 30.0, (MON, 10): 30.0, (MON, 11): 30.0, (TUE, 14): 6.0, (MON, 0): 0.25, (SUN, 23): 0.25}


def hand_declared(day: int, hour: int) -> int:
    """The schedule `mon-fri 09-17, 2 people`: 09:00 up to (not including) 17:00 on weekdays."""
    return PEOPLE if day < 5 and 9 <= hour < 17 else 0


def reference_needed(per_hour: float, handling: float, target: float, level: float) -> int:
    """Fewest agents whose Erlang C service level reaches `level` (the textbook formula, plain Python)."""
    a = per_hour * handling / 60.0
    n = max(1, math.floor(a) + 1)
    while True:
        top = a ** n / math.factorial(n) * n / (n - a)
        wait = top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)
        if 1 - wait * math.exp(-(n - a) * target / handling) >= level:
            return n
        n += 1


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """`tiny` (the example plan, a declared team, hand-made traffic), `blank` (a plan without readiness
    answers and no data) and `empty` (readiness answers, no data), served by one app."""
    root = tmp_path_factory.mktemp("capacity-web")
    tiny_ws, blank, empty = Workspace(root / "tiny"), Workspace(root / "blank"), Workspace(root / "empty")
    tiny_ws.ensure().plan_path.write_text(EXAMPLE.rstrip("\n") + "\n" + READINESS, encoding="utf-8")
    blank.ensure().plan_path.write_text(EXAMPLE, encoding="utf-8")
    empty.ensure().plan_path.write_text(EXAMPLE.rstrip("\n") + "\n" + READINESS, encoding="utf-8")
    con = open_duckdb(tiny_ws.warehouse_path)
    con.executemany("INSERT INTO inbound (message_id, platform, account, created_at) VALUES (?, 'x', 'acme', ?)",
                    [(f"x:{i}", t) for i, t in enumerate(traffic())])
    con.close()
    url = f"sqlite:///{root / 'app.sqlite'}"
    state = open_state(Settings(workspaces=[tiny_ws.root, blank.root, empty.root], db_url=url))
    db = connect(state.db.url)
    for slug in ("tiny", "blank", "empty"):
        db.add_user("viewer@tiny.org", PASSWORD, "viewer", slug)
    tokens = {"viewer@tiny.org": db.create_api_token("viewer@tiny.org", "tests")}
    yield WebEnv(root, state.db.url, state.workspaces["tiny"], state.workspaces["blank"],
                 create_app(state.settings, state), state, tokens)
    dispose(url)


def test_capacity_api_is_the_library_and_the_cli_json(tiny: WebEnv) -> None:
    client = tiny.bearer("viewer@tiny.org")
    got = client.get("/api/v1/workspaces/tiny/capacity", params={"service_level": 0.8, "target_minutes": 30})
    assert got.status_code == 200, got.text
    direct = plan_capacity(tiny.acme, service_level=0.8, target_minutes=30)
    assert got.json() == plain(direct.to_dict())
    result = CliRunner().invoke(cli, ["capacity", "--service-level", "0.8", "--target-minutes", "30",
                                      "--format", "json", "-w", str(tiny.acme.root)])
    assert result.exit_code == 0, result.output
    assert got.json() == json.loads(result.stdout)


def test_capacity_api_values_worked_out_by_hand(tiny: WebEnv) -> None:
    body = tiny.bearer("viewer@tiny.org").get("/api/v1/workspaces/tiny/capacity").json()
    target = 60.0  # the example plan's first_response_minutes_median target
    assert (body["service_level"], body["target_minutes"], body["handling_minutes"]) == (0.9, target, HANDLING)
    assert body["messages"] == 2 + WEEKS * (3 * 30 + 6)
    assert body["weeks_of_data"] == pytest.approx(WEEKS)
    hours = {(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(r["weekday"]), r["hour"]): r
             for r in body["hours"]}
    assert len(hours) == 168
    arrivals = hand_arrivals()
    for (day, hour), row in hours.items():
        assert row["declared"] == hand_declared(day, hour), (day, hour)
        assert row["arrivals_per_hour"] == pytest.approx(arrivals.get((day, hour), 0.0)), (day, hour)
    # Mon 10:00: 30 messages an hour × 6 minutes = 3 Erlangs; 2 declared cannot even keep up
    need = reference_needed(30.0, HANDLING, target, 0.9)
    assert hours[(MON, 10)]["needed"] == need and need > 3
    assert hours[(MON, 10)]["shortfall"] == need - PEOPLE
    short = {k for k, per_hour in arrivals.items()
             if reference_needed(per_hour, HANDLING, target, 0.9) > hand_declared(*k)}
    assert short == {(MON, 0), (MON, 9), (MON, 10), (MON, 11), (SUN, 23)}  # Tue 14 (0.6 Erlang) is covered
    assert {k for k, r in hours.items() if r["shortfall"] > 0} == short
    statements = [g["statement"] for g in body["gaps"]]
    assert f"Mondays 09–12: {need - PEOPLE} people short" in statements
    assert "Mondays 00–01: nobody on duty, 1 person needed" in statements


def test_readiness_api_is_the_library_and_a_hand_score(tiny: WebEnv) -> None:
    client = tiny.bearer("viewer@tiny.org")
    body = client.get("/api/v1/workspaces/tiny/readiness").json()
    assert body == plain(score_readiness(tiny.acme.plan_document().plan).to_dict())
    by_id = {d["dimension"]: d for d in body["dimensions"]}
    # response: handling time 0.25 + a schedule 0.5 + 0.25 × 5 of 7 days covered; Saturday and Sunday named
    assert by_id["response"]["score"] == round(0.25 + 0.5 + 0.25 * 5 / 7, 3)
    assert "Saturday, Sunday" in by_id["response"]["gaps"][0]
    assert body["answered"] is True and by_id["ownership"]["score"] == 0
    blank = client.get("/api/v1/workspaces/blank/readiness").json()
    assert blank["answered"] is False and blank["overall"] == 0


def test_capacity_api_without_a_handling_time_is_a_located_422(tiny: WebEnv) -> None:
    r = tiny.bearer("viewer@tiny.org").get("/api/v1/workspaces/blank/capacity")
    assert r.status_code == 422
    assert "handling_minutes" in r.json()["detail"][0]["msg"]
    bad = tiny.bearer("viewer@tiny.org").get("/api/v1/workspaces/tiny/capacity", params={"service_level": 2})
    assert bad.status_code == 422 and "between 0 and 1" in bad.json()["detail"][0]["msg"]


def test_page_shows_heat_map_gaps_and_assumptions(tiny: WebEnv) -> None:
    viewer = tiny.login("viewer@tiny.org")
    r = viewer.get("/w/tiny/readiness")
    assert r.status_code == 200, r.text
    assert 'href="/w/tiny/readiness" class="active"' in r.text
    assert 'data-vega-spec="shortfall-heatmap"' in r.text and 'id="shortfall-heatmap"' in r.text
    need = reference_needed(30.0, HANDLING, 60.0, 0.9)
    assert f"<li>Mondays 09–12: {need - PEOPLE} people short</li>" in r.text
    assert "Poisson" in r.text  # the assumptions
    # the window's length as its note tells it: 2026-03-02 to 2026-03-29, 28 days
    assert f"{2 + WEEKS * (3 * 30 + 6)} messages over 4.0 weeks" in " ".join(r.text.split())
    assert 'data-dimension="response"' in r.text
    start = r.text.index('id="shortfall-heatmap">') + len('id="shortfall-heatmap">')
    spec = json.loads(r.text[start:r.text.index("</script>", start)])
    cells = spec["data"]["values"]
    assert len(cells) == 168
    assert next(c for c in cells if c["day"] == "Monday" and c["hour"] == 10)["short"] == need - PEOPLE
    other = viewer.get("/w/tiny/readiness", params={"service_level": "0.8", "target_minutes": ""})
    assert other.status_code == 200 and "80.0%" in other.text


def test_page_without_readiness_answers_or_data_says_so(tiny: WebEnv) -> None:
    viewer = tiny.login("viewer@tiny.org")
    blank = viewer.get("/w/blank/readiness")
    assert blank.status_code == 200
    assert 'No readiness answers yet: answer <a href="#questionnaire">the questionnaire</a>' in blank.text
    assert "Capacity cannot be planned" in blank.text and "handling_minutes" in blank.text
    assert "the Readiness page in the web" in blank.text  # points to the form on this page, not only the CLI
    empty = viewer.get("/w/empty/readiness")
    assert empty.status_code == 200
    assert "No data yet" in empty.text and "shortfall-heatmap" not in empty.text
    bad = viewer.get("/w/empty/readiness", params={"service_level": "<b>lots</b>"})
    assert bad.status_code == 200 and "&lt;b&gt;lots" in bad.text and "<b>lots" not in bad.text  # escaped
    # values out of range told in the form's words, not the CLI's --service-level
    for params, said in (({"service_level": "2"}, "share answered in time 2: give a number between 0 and 1"),
                         ({"service_level": "0.9", "target_minutes": "-5"},
                          "target minutes -5: give a number of minutes above 0")):
        out = viewer.get("/w/tiny/readiness", params=params)
        assert out.status_code == 200 and said in out.text and "--service-level" not in out.text, params
