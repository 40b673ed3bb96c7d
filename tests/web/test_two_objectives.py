"""A tactic serving two objectives has one verdict under each (QA: the strategy map and the objective page showed
x-tips' *dialogue* verdict under *reach*; the tactic page showed only one of its two verdicts).

The workspace of drill_env.py with desk-a serving [engage, dialogue]: under dialogue both desks answer 0 of their
30 replies, so dialogue's strategy is failing (no verdict names desk-a alone); under engage desk-a's engagement
rate is 1 of 100 impressions (1.0%) on one month of data, too little to judge: not enough data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import PLAN, DrillEnv, build_drill, flat

TWO = PLAN.replace("serves: [dialogue]\n    owner: Ana", "serves: [engage, dialogue]\n    owner: Ana")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillEnv]:
    assert TWO != PLAN
    root = tmp_path_factory.mktemp("two-objectives")
    built = build_drill(root, plan=TWO)
    yield built
    dispose(f"sqlite:///{root / 'app.sqlite'}")


@pytest.fixture(scope="module")
def viewer(env: DrillEnv) -> TestClient:
    return env.login()



def section(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at:page.index(end, at + len(start))]


def test_the_strategy_map_shows_each_objectives_own_verdict_of_the_tactic(viewer: TestClient) -> None:
    page = flat(viewer.get("/w/drill").text)
    dialogue = section(page, 'href="/w/drill/objectives/dialogue"', "</section>")
    engage = section(page, 'href="/w/drill/objectives/engage"', "</section>")
    desk_under_dialogue = section(dialogue, 'href="/w/drill/tactics/desk-a"', "</div>")
    desk_under_engage = section(engage, 'href="/w/drill/tactics/desk-a"', "</div>")
    assert "strategy failing: misses its KPIs" in desk_under_dialogue
    assert "not enough data" in desk_under_engage and "strategy failing" not in desk_under_engage


def test_the_objective_pages_rank_the_tactic_with_that_objectives_verdict(viewer: TestClient) -> None:
    dialogue = flat(viewer.get("/w/drill/objectives/dialogue").text)
    row = section(dialogue, 'href="/w/drill/tactics/desk-a"', "</tr>")
    assert "<b>strategy failing</b>: its own figures: desk-a: response rate 0.0% (0 of 30;" in row
    engage = flat(viewer.get("/w/drill/objectives/engage").text)
    row = section(engage, 'href="/w/drill/tactics/desk-a"', "</tr>")
    assert "<b>not enough data</b>" in row and "response rate" not in row
    rows = csv.DictReader(io.StringIO(viewer.get("/w/drill/objectives/dialogue/tactics.csv").text))
    assert [r["verdict"] for r in rows if r["tactic"] == "desk-a"] == ["strategy_failing"]


def test_the_tactic_page_gives_a_verdict_for_each_objective_it_serves(viewer: TestClient) -> None:
    page = flat(viewer.get("/w/drill/tactics/desk-a").text)
    h1 = section(page, "<h1>", "</h1>")
    assert "engage: not enough data" in h1 and "dialogue: strategy failing" in h1
    engage = section(page, '<div class="verdict" data-objective="engage">', "</div>")
    dialogue = section(page, '<div class="verdict" data-objective="dialogue">', "</div>")
    assert "<b>not enough data</b>" in engage and "desk-a: engagement rate 1.0%" in engage
    assert "Its own figures</b>: desk-a: response rate 0.0% (0 of 30;" in dialogue
    assert "Its objective dialogue: <b>strategy failing</b>" in dialogue
    # a tactic serving one objective keeps the one verdict, without naming the objective in its badge
    threads = flat(viewer.get("/w/drill/tactics/threads").text)
    assert '<span class="badge status-none">not enough data</span>' in section(threads, "<h1>", "</h1>")
    assert threads.count('<div class="verdict"') == 1
