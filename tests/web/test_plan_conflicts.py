"""Two editors saving the plan (issue 17.8): the plan carries its version (ETag / the form's `base`); a save
based on a version that is no longer current is a 409 naming the other version's author and time with a
diff, and nothing is overwritten."""

from __future__ import annotations

import hashlib
import re

from tests.web.env import ACME_PLAN, WebEnv

PLAN = "/api/v1/workspaces/acme/plan"


def test_a_stale_api_save_is_409_and_writes_nothing(fresh_web: WebEnv) -> None:
    ana, ben = fresh_web.bearer("owner@acme.org"), fresh_web.bearer("editor@acme.org")
    seen_by_ana, seen_by_ben = ana.get(PLAN), ben.get(PLAN)
    tag = seen_by_ana.headers["etag"]
    assert tag == seen_by_ben.headers["etag"] == f'"{seen_by_ana.json()["sha256"]}"'
    anas = ACME_PLAN.replace("total: 50000", "total: 52000")
    saved = ana.put(PLAN, json={"text": anas, "why": "more for the care desk"}, headers={"If-Match": tag})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert saved.headers["etag"] == f'"{saved.json()["sha256"]}"' != tag

    bens = ACME_PLAN.replace("target: 0.9}", "target: 0.95}")
    stale = ben.put(PLAN, json={"text": bens, "why": "stricter"}, headers={"If-Match": tag})
    assert stale.status_code == 409
    problem = stale.json()["detail"][0]
    assert problem["current"]["version"] == 2 and problem["current"]["author"] == "owner@acme.org"
    assert problem["current"]["why"] == "more for the care desk"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", problem["current"]["created_at"])
    assert problem["base"] == 1
    changed = [line for line in problem["diff"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-budget: {total: 50000, currency: EUR}", "+budget: {total: 52000, currency: EUR}"]
    assert "owner@acme.org" in problem["msg"] and "nothing was overwritten" in problem["msg"]
    # nothing of Ben's save: the file is Ana's text, no third version
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == anas
    assert [v.number for v in fresh_web.state.db.plan_versions("acme")] == [1, 2]

    # Ben merges onto the current version and saves with its tag: both changes are kept
    merged = anas.replace("target: 0.9}", "target: 0.95}")
    again = ben.put(PLAN, json={"text": merged}, headers={"If-Match": ben.get(PLAN).headers["etag"]})
    assert again.status_code == 200 and again.json()["version"] == 3
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == merged


def test_an_edit_on_disk_counts_as_a_newer_version(fresh_web: WebEnv) -> None:
    ana = fresh_web.bearer("owner@acme.org")
    tag = ana.get(PLAN).headers["etag"]
    by_hand = ACME_PLAN.replace("owner: Sam", "owner: Sue")
    fresh_web.acme.plan_path.write_text(by_hand, encoding="utf-8")  # e.g. edited in a terminal
    stale = ana.put(PLAN, json={"text": ACME_PLAN.replace("owner: Jane\n", "owner: Joe\n")},
                    headers={"If-Match": tag})
    assert stale.status_code == 409
    assert stale.json()["detail"][0]["current"]["author"] is None
    assert "someone editing strategy.yaml directly" in stale.json()["detail"][0]["msg"]
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == by_hand


def test_without_if_match_a_save_is_unconditional_and_star_matches_any(fresh_web: WebEnv) -> None:
    ana = fresh_web.bearer("owner@acme.org")
    first = ana.put(PLAN, json={"text": ACME_PLAN.replace("50000", "51000")})
    second = ana.put(PLAN, json={"text": ACME_PLAN.replace("50000", "53000")}, headers={"If-Match": "*"})
    assert (first.status_code, second.status_code) == (200, 200)
    # saving the text that is already current is no conflict (nothing would be lost)
    same = ana.put(PLAN, json={"text": ACME_PLAN.replace("50000", "53000")}, headers={"If-Match": '"0000"'})
    assert same.status_code == 200 and same.json()["version"] == second.json()["version"]


def base_of(html: str) -> str:
    found = re.search(r'name="base" value="([0-9a-f]*)"', html)
    assert found, "the editor carries the version it was opened on"
    return found.group(1)


def test_two_editors_in_the_plan_editor(fresh_web: WebEnv) -> None:
    ana, ben = fresh_web.login("owner@acme.org"), fresh_web.login("editor@acme.org")
    base_ana, base_ben = base_of(ana.get("/w/acme/plan").text), base_of(ben.get("/w/acme/plan").text)
    assert base_ana == base_ben != ""
    anas = ACME_PLAN.replace("total: 50000", "total: 52000")
    saved = ana.post("/w/acme/plan", data={"text": anas, "why": "care desk", "base": base_ana},
                     follow_redirects=False)
    assert saved.status_code == 303
    bens = ACME_PLAN.replace("owner: Sam", "owner: Sue")
    stale = ben.post("/w/acme/plan", data={"text": bens, "why": "new owner", "base": base_ben})
    assert stale.status_code == 409
    page = stale.text
    assert "Not saved" in page and "Version 2 by owner@acme.org" in page and "(care desk)" in page
    assert "+budget: {total: 52000, currency: EUR}" in page
    assert "owner: Sue" in page                      # Ben's text is still in the editor, not lost
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == anas
    # the form still carries the version Ben opened: Save again is refused again, nothing written
    assert base_of(page) == base_ben
    merged = anas.replace("owner: Sam", "owner: Sue")
    twice = ben.post("/w/acme/plan", data={"text": merged, "base": base_of(page)}, follow_redirects=False)
    assert twice.status_code == 409 and "Version 2 by owner@acme.org" in twice.text
    assert base_of(twice.text) == base_ben and fresh_web.acme.plan_path.read_text(encoding="utf-8") == anas
    # the conflict's own button saves over the version it showed: deliberate, and it goes through
    over = re.search(r'<button type="submit" form="plan-form" name="merged" value="([0-9a-f]+)">Save over version 2<',
                     twice.text)
    assert over is not None and over[1] != base_ben
    again = ben.post("/w/acme/plan", data={"text": merged, "base": base_of(twice.text), "merged": over[1]},
                     follow_redirects=False)
    assert again.status_code == 303 and fresh_web.acme.plan_path.read_text(encoding="utf-8") == merged


def test_saves_after_a_conflict_are_refused_until_the_editor_is_reloaded(fresh_web: WebEnv) -> None:
    ana, ben = fresh_web.login("owner@acme.org"), fresh_web.login("editor@acme.org")
    opened = base_of(ben.get("/w/acme/plan").text)
    anas = ACME_PLAN.replace("total: 50000", "total: 52000")
    assert ana.post("/w/acme/plan", data={"text": anas, "base": opened}, follow_redirects=False).status_code == 303
    bens = ACME_PLAN.replace("owner: Sam", "owner: Sue")
    form = {"text": bens, "why": "new owner", "base": opened}
    for attempt in (1, 2, 3):  # each Save of the same form: the conflict again, Ana's version kept
        refused = ben.post("/w/acme/plan", data=form, follow_redirects=False)
        assert refused.status_code == 409 and "Version 2 by owner@acme.org" in refused.text, attempt
        form["base"] = base_of(refused.text)  # what the browser sends next: the form as the 409 page left it
        assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == anas
    # an add form of the conflict page is refused as well (it carries the same version)
    added = ben.post("/w/acme/plan/objectives", follow_redirects=False,
                     data={"id": "reach", "statement": "People see us", "base": form["base"]})
    assert added.status_code == 409 and 'name="merged"' not in added.text
    # reloaded, the editor is based on version 2 and Ben's save goes through
    reloaded = base_of(ben.get("/w/acme/plan").text)
    assert reloaded != opened
    merged = anas.replace("owner: Sam", "owner: Sue")
    saved = ben.post("/w/acme/plan", data={"text": merged, "base": reloaded}, follow_redirects=False)
    assert saved.status_code == 303 and fresh_web.acme.plan_path.read_text(encoding="utf-8") == merged


def test_a_plan_on_disk_that_does_not_load_never_becomes_a_version(fresh_web: WebEnv) -> None:
    """A broken edit made outside the app (`objectivs:` typed in a terminal) is no plan version: not by reading
    the plan, not by a save (which records an edit on disk first), and a save based on the version before it
    is refused as for any edit on disk, nothing overwritten."""
    ana = fresh_web.bearer("owner@acme.org")
    tag = ana.get(PLAN).headers["etag"]
    texts = [v.text for v in fresh_web.state.db.plan_versions("acme")]
    assert texts == [ACME_PLAN]
    broken = ACME_PLAN.replace("\nobjectives:\n", "\nobjectivs:\n")  # line 12 of ACME_PLAN (after version … audiences)
    fresh_web.acme.plan_path.write_text(broken, encoding="utf-8")
    seen = ana.get(PLAN)
    assert seen.status_code == 200 and seen.json()["version"] is None and seen.json()["sha256"] is None
    assert [(p["line"], p["column"]) for p in seen.json()["problems"]][:1] == [(12, 1)]
    assert [v.text for v in fresh_web.state.db.plan_versions("acme")] == texts

    stale = ana.put(PLAN, json={"text": ACME_PLAN.replace("50000", "51000")}, headers={"If-Match": tag})
    assert stale.status_code == 409
    problem = stale.json()["detail"][0]
    assert problem["current"]["version"] is None and problem["base"] == 1
    assert "strategy.yaml:12:1: objectivs: unknown key" in problem["msg"]
    assert "nothing was overwritten" in problem["msg"]
    assert "+objectivs:" in problem["diff"].splitlines()
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == broken
    assert [v.text for v in fresh_web.state.db.plan_versions("acme")] == texts

    fixed = ACME_PLAN.replace("50000", "52000")  # based on the file as it is now (its sha256), or unconditional
    for headers in ({"If-Match": f'"{hashlib.sha256(broken.encode()).hexdigest()}"'}, {}):
        saved = ana.put(PLAN, json={"text": fixed}, headers=headers)
        assert saved.status_code == 200, saved.text
        fresh_web.acme.plan_path.write_text(broken, encoding="utf-8")
    assert [v.text for v in fresh_web.state.db.plan_versions("acme")] == [ACME_PLAN, fixed]


def test_the_editor_says_a_broken_edit_on_disk_is_no_version(fresh_web: WebEnv) -> None:
    ben = fresh_web.login("editor@acme.org")
    assert fresh_web.bearer("editor@acme.org").get(PLAN).json()["version"] == 1
    opened = base_of(ben.get("/w/acme/plan").text)
    broken = ACME_PLAN.replace("\nobjectives:\n", "\nobjectivs:\n")
    fresh_web.acme.plan_path.write_text(broken, encoding="utf-8")
    bens = ACME_PLAN.replace("owner: Sam", "owner: Sue")
    refused = ben.post("/w/acme/plan", data={"text": bens, "base": opened}, follow_redirects=False)
    assert refused.status_code == 409
    page = refused.text
    assert "strategy.yaml as edited outside the app (no version: it does not load)" in page
    assert "Version None" not in page and "version None" not in page
    assert "objectivs: unknown key" in page and "+objectivs:" in page
    over = re.search(r'name="merged" value="([0-9a-f]+)">Save over the file<', page)
    assert over is not None
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == broken
    again = ben.post("/w/acme/plan", data={"text": bens, "base": base_of(page), "merged": over[1]},
                     follow_redirects=False)
    assert again.status_code == 303 and fresh_web.acme.plan_path.read_text(encoding="utf-8") == bens
    assert [v.text for v in fresh_web.state.db.plan_versions("acme")] == [ACME_PLAN, bens]
