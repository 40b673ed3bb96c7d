"""A plan that lint reports errors in is not saved — from the editor (422, the text as typed, each error one
plain line) nor from the API (422, one located item per error) — as `lint` exits 1 on it; warnings do not
block a save and are said after it."""

from __future__ import annotations

import re

import pytest

from strategyfirst.errors import LintRefusedError
from strategyfirst.lint.saving import check_savable
from tests.web.env import ACME_PLAN, WebEnv

# a ratio target written as a percentage (the pages would show "target 9,000.0%") and a tactic serving nothing
RATIO_AS_PERCENT = ACME_PLAN.replace("{metric: response_rate, target: 0.9}", "{metric: response_rate, target: 90}")
TWO_ERRORS = RATIO_AS_PERCENT.replace("    serves: [dialogue]\n    owner: Sam\n", "    owner: Sam\n")
# warnings only: no review cadence
WARNED = ACME_PLAN.replace("review: {cadence: monthly}\n", "")


def _base(html: str) -> str:
    found = re.search(r'name="base" value="([0-9a-f]*)"', html)
    assert found
    return found.group(1)


def test_the_editor_refuses_a_plan_with_lint_errors_keeping_the_text(fresh_web: WebEnv) -> None:
    client = fresh_web.login("editor@acme.org")
    base = _base(client.get("/w/acme/plan").text)
    before = [v.number for v in fresh_web.state.db.plan_versions("acme")]
    r = client.post("/w/acme/plan", data={"text": TWO_ERRORS.replace("\n", "\r\n"), "why": "percent",
                                          "base": base}, follow_redirects=False)
    assert r.status_code == 422
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == ACME_PLAN  # nothing written
    assert [v.number for v in fresh_web.state.db.plan_versions("acme")] == before  # nor stored
    page = r.text
    assert "Not saved: lint reports 2 errors in the plan" in page
    assert "{metric: response_rate, target: 90}" in page and 'value="percent"' in page  # as typed
    refused = page.split('class="refused"')[1].split("</section>")[0]
    items = re.findall(r"<li class=\"error\">(.*?)</li>", refused, re.S)
    assert len(items) == 2 and all("\n" not in item for item in items)
    # where (line and plan path), what, what to do
    assert 'data-line="16">line 16</a>, objectives[0].kpis[0].target: the target 90' in items[0]
    assert "is above 1" in items[0] and "0.9" in items[0] and "(impossible-target)" in items[0]
    assert "tactics[1]" in items[1] and "(orphan-tactic)" in items[1]


def test_the_editor_saves_a_plan_with_warnings_and_says_them_after_the_save(fresh_web: WebEnv) -> None:
    client = fresh_web.login("editor@acme.org")
    base = _base(client.get("/w/acme/plan").text)
    r = client.post("/w/acme/plan", data={"text": WARNED, "why": "no cadence yet", "base": base},
                    follow_redirects=False)
    assert r.status_code == 303
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == WARNED
    page = client.get(r.headers["location"]).text
    assert "Saved as plan version 2." in page
    warned = re.search(r"Lint warns (\d+) times?", page)
    assert warned and int(warned.group(1)) >= 1
    assert "no-review-cadence" in page


def test_the_api_refuses_a_plan_with_lint_errors_with_one_located_item_each(fresh_web: WebEnv) -> None:
    editor = fresh_web.bearer("editor@acme.org")
    r = editor.put("/api/v1/workspaces/acme/plan", json={"text": RATIO_AS_PERCENT, "why": "percent"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [(d["line"], d["key"]) for d in detail] == [(16, "objectives[0].kpis[0].target")]
    assert detail[0]["msg"].startswith("objectives[0].kpis[0].target: the target 90 of KPI 'response_rate'")
    assert detail[0]["msg"].endswith("(impossible-target)") and "\n" not in detail[0]["msg"]
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == ACME_PLAN
    # warnings alone are saved, and answered in `lint`
    saved = editor.put("/api/v1/workspaces/acme/plan", json={"text": WARNED, "why": "no cadence"})
    assert saved.status_code == 200, saved.text
    assert "no-review-cadence" in {f["rule"] for f in saved.json()["lint"]["findings"]}


def test_check_savable_answers_the_warnings_and_refuses_every_error() -> None:
    assert check_savable(WARNED).errors == [] and check_savable(WARNED).warnings
    with pytest.raises(LintRefusedError) as refused:
        check_savable(TWO_ERRORS)
    assert [(p.line, p.key) for p in refused.value.problems] == [(16, "objectives[0].kpis[0].target"),
                                                                  (25, "tactics[1]")]
