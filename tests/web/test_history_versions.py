"""Plan versions are written `v2` wherever the app lists them (History, `history --diff v1 v2`), so the History
page and the API take `v2` as well as `2`; the page's list is not numbered 1, 2, 3 beside its v4, v3, v2."""

from __future__ import annotations

import re

from tests.web.env import ACME_PLAN, WebEnv

HISTORY = "/api/v1/workspaces/acme/history"


def three_versions(env: WebEnv) -> None:
    owner = env.bearer("owner@acme.org")
    for total in ("51000", "52000"):  # v1 is the plan as served; v2 and v3 change the budget
        assert owner.put("/api/v1/workspaces/acme/plan", json={"text": ACME_PLAN.replace("50000", total)}
                         ).status_code == 200


def test_the_page_compares_versions_written_as_listed(fresh_web: WebEnv) -> None:
    three_versions(fresh_web)
    viewer = fresh_web.login("viewer@acme.org")
    page = viewer.get("/w/acme/history?a=v1&b=v3").text
    assert "is not a plan version" not in page
    assert "<h2>v1 → v3</h2>" in page
    assert "-budget: {total: 50000, currency: EUR}" in page and "+budget: {total: 52000, currency: EUR}" in page
    assert "<h2>v1 → v3</h2>" in viewer.get("/w/acme/history?a=1&b=3").text  # a bare number too
    wrong = viewer.get("/w/acme/history?a=first&b=v3").text
    assert "a=&#39;first&#39; is not a plan version: write it as listed below, e.g. v2 (or 2)" in wrong
    # the versions listed without numbers of the list's own (an <ol> numbered v3 as item 2); the diff form's
    # choices read as listed
    assert '<ul class="history">' in page and "<ol" not in page
    assert re.findall(r'<option value="(\d+)"[^>]*>(v\d+)</option>', page)[:3] == [
        ("1", "v1"), ("2", "v2"), ("3", "v3")]


def test_the_api_diffs_versions_written_as_listed(fresh_web: WebEnv) -> None:
    three_versions(fresh_web)
    viewer = fresh_web.bearer("viewer@acme.org")
    written = viewer.get(HISTORY, params={"from": "v1", "to": "v3"})
    assert written.status_code == 200, written.text
    assert (written.json()["from"], written.json()["to"]) == (1, 3)
    assert viewer.get(HISTORY, params={"from": "1", "to": "3"}).json() == written.json()
    wrong = viewer.get(HISTORY, params={"from": "v0", "to": "x3"})
    assert wrong.status_code == 422
    [problem] = wrong.json()["detail"]
    assert problem["loc"] == ["query", "from"]
    assert problem["msg"] == "from='v0' is not a plan version: write it as `history` lists it, e.g. v2 (or 2)"
