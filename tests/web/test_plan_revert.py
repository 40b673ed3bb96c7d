"""Reverting to an earlier plan version keeps every change: the earlier text becomes the plan as a new version
that says which version it reverts to, listed by the History page and the API's history; saving an earlier
text from the editor or the API does the same."""

from __future__ import annotations

import re

from tests.web.env import ACME_PLAN, WebEnv

HISTORY = "/api/v1/workspaces/acme/history"
V2 = ACME_PLAN.replace("50000", "51000")
V3 = ACME_PLAN.replace("50000", "52000")


def three_versions(env: WebEnv) -> None:
    owner = env.bearer("owner@acme.org")
    for text in (V2, V3):  # v1 is the plan as served
        assert owner.put("/api/v1/workspaces/acme/plan", json={"text": text}).status_code == 200


def versions(env: WebEnv) -> list[tuple[int, str | None, bool]]:
    entries = env.bearer("viewer@acme.org").get(HISTORY).json()["entries"]
    return [(e["number"], e["why"], e["current"]) for e in entries if e["kind"] == "version"]


def test_the_history_page_reverts_to_an_earlier_version_as_a_new_one(fresh_web: WebEnv) -> None:
    three_versions(fresh_web)
    editor = fresh_web.login("editor@acme.org")
    page = editor.get("/w/acme/history").text
    # a button for each version but the current one
    assert re.findall(r'name="version" value="(\d+)"', page) == ["2", "1"]
    base = re.search(r'name="base" value="([0-9a-f]+)"', page)
    assert base
    r = editor.post("/w/acme/plan/revert", data={"version": "1", "base": base.group(1)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/w/acme/history?a=1&b=4"
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == ACME_PLAN
    assert versions(fresh_web) == [(1, None, False), (2, None, False), (3, None, False),
                                   (4, "reverts to version 1", True)]
    listed = editor.get(r.headers["location"]).text
    v4 = listed.split("<b>v4</b>")[1].split("</li>")[0]
    assert "by editor@acme.org — reverts to version 1" in " ".join(v4.split()) and "current" in v4
    assert "Versions 1 and 4 are equal." in listed
    # the history opened before the revert is stale now: its button does not overwrite what changed since
    again = editor.post("/w/acme/plan/revert", data={"version": "2", "base": base.group(1)})
    assert again.status_code == 409 and len(versions(fresh_web)) == 4
    # viewers see no button and may not revert
    viewer = fresh_web.login("viewer@acme.org")
    assert 'action="/w/acme/plan/revert"' not in viewer.get("/w/acme/history").text
    assert viewer.post("/w/acme/plan/revert", data={"version": "2"}).status_code == 403


def test_the_api_reverts_with_a_why_and_refuses_what_cannot_be_reverted(fresh_web: WebEnv) -> None:
    three_versions(fresh_web)
    editor = fresh_web.bearer("editor@acme.org")
    tag = editor.get("/api/v1/workspaces/acme/plan").headers["etag"]
    r = editor.post("/api/v1/workspaces/acme/plan/revert", json={"version": 2, "why": "the bigger budget was right"},
                    headers={"If-Match": tag})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 4 and r.headers["etag"] == f'"{r.json()["sha256"]}"'
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == V2
    assert versions(fresh_web)[-1] == (4, "reverts to version 2: the bigger budget was right", True)
    current = editor.post("/api/v1/workspaces/acme/plan/revert", json={"version": 4})
    assert current.status_code == 422 and "nothing to revert" in current.json()["detail"][0]["msg"]
    unknown = editor.post("/api/v1/workspaces/acme/plan/revert", json={"version": 9})
    assert unknown.status_code == 422 and "versions 1..4" in unknown.json()["detail"][0]["msg"]
    assert len(versions(fresh_web)) == 4


def test_saving_an_earlier_text_is_a_new_version_too(fresh_web: WebEnv) -> None:
    three_versions(fresh_web)
    editor = fresh_web.bearer("editor@acme.org")
    assert editor.put("/api/v1/workspaces/acme/plan", json={"text": ACME_PLAN}).json()["version"] == 4
    assert editor.put("/api/v1/workspaces/acme/plan", json={"text": V3, "why": "undo"}).json()["version"] == 5
    assert versions(fresh_web)[3:] == [(4, "reverts to version 1", False), (5, "undo", True)]
