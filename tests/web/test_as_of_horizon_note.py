"""Every page that takes `as_of` says, beside its view or as-of form, when that day lies outside the plan's
horizon (the drill plan's: 2026-01-01..2026-06-30): before it nothing is measured yet, after it the KPIs are
measured up to its end. Inside it, and without an as-of day, no note. The API's diagnosis carries it as `note`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import build_drill, flat

PAGES = ("/w/drill", "/w/drill/dashboard", "/w/drill/dialogue", "/w/drill/posts", "/w/drill/verdicts",
         "/w/drill/objectives/engage", "/w/drill/tactics/threads", "/w/drill/accounts/x/drillco")
BEFORE = "as of 2025-06-01, before the plan's horizon starts on 2026-01-01: nothing is measured yet"
AFTER = ("as of 2027-02-01, after the plan's horizon ended on 2026-06-30: the KPIs are measured on the horizon's "
         "data, up to 2026-06-30")


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("as-of-horizon")
    env = build_drill(root)
    yield env.login()
    dispose(env.state.db.url)


def _notes(html: str) -> list[str]:
    return re.findall(r'<p class="hint as-of-note" role="note">Note: (.*?)</p>', flat(html).replace("&#39;", "'"))


@pytest.mark.parametrize("page", PAGES)
def test_a_day_outside_the_horizon_is_said_once(viewer: TestClient, page: str) -> None:
    for day, note in (("2025-06-01", BEFORE), ("2027-02-01", AFTER)):
        response = viewer.get(page, params={"as_of": day})
        assert response.status_code == 200, response.text[:300]  # not an error: planning ahead, looking back
        assert _notes(response.text) == [f"{note}."], page


@pytest.mark.parametrize("page", PAGES)
def test_no_note_inside_the_horizon(viewer: TestClient, page: str) -> None:
    for params in ({}, {"as_of": "2026-01-01"}, {"as_of": "2026-06-30"}):
        assert _notes(viewer.get(page, params=params).text) == [], (page, params)


def test_the_api_diagnosis_carries_it(viewer: TestClient) -> None:
    doc = viewer.get("/api/v1/workspaces/drill/diagnose", params={"as_of": "2025-06-01"}).json()
    assert doc["note"] == BEFORE
    assert viewer.get("/api/v1/workspaces/drill/diagnose").json()["note"] is None
