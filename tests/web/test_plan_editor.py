"""The plan editor a team can work in (issue 18.10), through the real app: the add forms write YAML keeping the
file's comments, save a version with its author through the versioned path (409 on a stale base), refuse what
lint would refuse with the message next to the field, are for editors only; "Check" lints without saving;
findings carry their line for the gutter; the metric picker shows labels and units."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.env import ACME_PLAN, WebEnv

# acme's plan with comments: a header, end-of-line comments and a block before the tactics
COMMENTED = ("# Acme's plan, owned by Jane\n" + ACME_PLAN
             .replace("      - {metric: first_response_minutes_median, target: 60}\n",
                      "      - {metric: first_response_minutes_median, target: 60}   # median, not mean\n"
                      "\n# What we do for the objectives:\n"))


def editor_base(html: str) -> str:
    found = re.search(r'name="base" value="([0-9a-f]*)"', html)
    assert found
    return found.group(1)


def start(env: WebEnv, email: str = "editor@acme.org") -> tuple[TestClient, str]:
    """The commented plan as the current version, and a client of `email` with the editor opened on it."""
    env.acme.plan_path.write_text(COMMENTED, encoding="utf-8")
    client = env.login(email)
    return client, editor_base(client.get("/w/acme/plan").text)


def test_adding_a_kpi_keeps_every_other_byte_and_saves_a_version_by_its_author(fresh_web: WebEnv) -> None:
    client, base = start(fresh_web)
    r = client.post("/w/acme/plan/kpis", data={"objective": "dialogue", "metric": "reach", "target": "5000",
                                               "baseline": "1200", "by": "2018-03-31", "base": base},
                    follow_redirects=False)
    assert r.status_code == 303
    # COMMENTED: line 18 is the median KPI, the new KPI is line 19, above the blank line and the comment
    assert r.headers["location"] == "/w/acme/plan?saved=2&line=19"
    saved = fresh_web.acme.plan_path.read_text(encoding="utf-8")
    lines = saved.splitlines(keepends=True)
    assert lines[18] == "      - {metric: reach, baseline: 1200, target: 5000, by: 2018-03-31}\n"
    assert "".join(lines[:18] + lines[19:]) == COMMENTED
    versions = fresh_web.state.db.plan_versions("acme")
    assert [(v.number, v.author, v.why) for v in versions][-1] == (
        2, "editor@acme.org", "added KPI 'People reached' of objective 'dialogue'")  # its label, not its id

    page = client.get(r.headers["location"]).text
    assert ("Saved as plan version 2: added KPI &#39;People reached&#39; of objective &#39;dialogue&#39;, written at "
            "line 19.") in page
    assert 'data-line="19"' in page.split('id="plan-text"')[1].split(">")[0]  # the editor selects it
    assert "# median, not mean" in page


def test_an_objective_then_its_kpi_then_a_tactic(fresh_web: WebEnv) -> None:
    client, base = start(fresh_web, "owner@acme.org")
    r = client.post("/w/acme/plan/objectives", data={"id": "permission", "statement": "Grow the opted-in list",
                                                     "base": base}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/w/acme/plan?saved=2&line=19"
    page = client.get(r.headers["location"]).text
    # the new objective has no KPI yet: lint says so at its line, and the KPI form offers it
    assert re.search(r'data-line="19" data-severity="error"><b>error</b> <code>objective-without-kpi</code>', page)
    assert '<option value="permission">permission: Grow the opted-in list</option>' in page
    r = client.post("/w/acme/plan/kpis", data={"objective": "permission", "metric": "audience_growth",
                                               "target": "500", "base": editor_base(page)}, follow_redirects=False)
    # its first KPI: a `kpis:` key under the objective (line 21), the KPI on line 22, the comment still below
    assert r.status_code == 303 and r.headers["location"].endswith("line=22")
    assert "    statement: Grow the opted-in list\n    kpis:\n      - {metric: audience_growth, target: 500}\n" \
           "\n# What we do for the objectives:\ntactics:\n" in fresh_web.acme.plan_path.read_text(encoding="utf-8")
    page = client.get(r.headers["location"]).text
    r = client.post("/w/acme/plan/tactics", data={
        "id": "newsletter", "channel": "email", "serves": ["permission", "dialogue"], "owner": "Sam",
        "budget": "6000", "campaign": "newsletter", "base": editor_base(page)}, follow_redirects=False)
    assert r.status_code == 303
    plan = fresh_web.acme.plan_document().plan
    assert [o.id for o in plan.objectives] == ["dialogue", "permission"]
    assert plan.objectives[1].kpis[0].target == 500
    tactic = plan.tactics[2]
    assert (tactic.id, tactic.serves, tactic.budget, tactic.match.campaign) == (  # type: ignore[union-attr]
        "newsletter", ["permission", "dialogue"], 6000, ["newsletter"])
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8").startswith("# Acme's plan, owned by Jane\n")
    assert [v.author for v in fresh_web.state.db.plan_versions("acme")][1:] == ["owner@acme.org"] * 3


def test_the_saved_message_counts_the_error_a_new_objective_is_saved_with(fresh_web: WebEnv) -> None:
    """A new objective is saved without its KPI (objective-without-kpi is let through for it): the status line
    must not say "Lint warns 1 time" while the findings beside it show an error and a warning."""
    client, base = start(fresh_web, "owner@acme.org")
    r = client.post("/w/acme/plan/objectives", data={"id": "permission", "statement": "Grow the opted-in list",
                                                     "base": base}, follow_redirects=False)
    page = client.get(r.headers["location"]).text
    status = page.split('<p class="ok" role="status">')[1].split("</p>")[0]
    rules = re.findall(r'data-severity="(\w+)"><b>\w+</b> <code>([\w-]+)</code>', page)
    # by hand: no KPI (the error), no tactic serving it, and the warning acme's plan already had
    assert sorted(rules) == [("error", "objective-without-kpi"), ("warning", "not-ready-leadership"),
                             ("warning", "objective-without-tactic")]
    assert status.endswith("Lint reports 1 error and warns 2 times: see the findings beside the editor.")


def test_what_lint_would_refuse_is_shown_next_to_the_field_and_nothing_is_saved(fresh_web: WebEnv) -> None:
    client, base = start(fresh_web)
    r = client.post("/w/acme/plan/kpis", data={"objective": "dialogue", "metric": "response_rate",
                                               "target": "1.5", "base": base})
    assert r.status_code == 422
    field = r.text.split('id="kpi-target"')[1].split(">")[0]
    assert 'aria-invalid="true"' in field and 'aria-describedby="kpi-target-error' in field
    error = re.search(r'<p class="field-error" id="kpi-target-error">(.*?)</p>', r.text, re.S)
    assert error and "is a ratio between 0 and 1: it can never be met" in error.group(1)
    assert 'value="1.5"' in field                                          # what was typed is kept
    assert re.search(r'<details class="add-form" id="add-kpi" open>', r.text)
    r = client.post("/w/acme/plan/tactics", data={"id": "care-desk", "serves": ["dialogue"], "base": base})
    assert r.status_code == 422
    assert re.search(r'id="tactic-id-error"><span>duplicate id &#39;care-desk&#39;; ids must be unique', r.text)
    r = client.post("/w/acme/plan/tactics", data={"id": "x", "base": base})
    assert 'id="tactic-serves-error"><span>tactic &#39;x&#39; serves no objective' in r.text
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == COMMENTED
    assert fresh_web.state.db.plan_versions("acme") == []  # no version recorded


def test_a_stale_editor_is_409_and_nothing_is_overwritten(fresh_web: WebEnv) -> None:
    client, base = start(fresh_web)
    owner = fresh_web.login("owner@acme.org")
    moved = COMMENTED.replace("total: 50000", "total: 52000")
    assert owner.post("/w/acme/plan", data={"text": moved, "why": "more", "base": base},
                      follow_redirects=False).status_code == 303
    r = client.post("/w/acme/plan/objectives", data={"id": "permission", "base": base})
    assert r.status_code == 409
    assert "Not saved" in r.text and "Version 2 by owner@acme.org" in r.text
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == moved
    # the page still carries the version it was opened on: adding again is refused again, until a reload
    assert editor_base(r.text) == base
    twice = client.post("/w/acme/plan/objectives", data={"id": "permission", "base": editor_base(r.text)},
                        follow_redirects=False)
    assert twice.status_code == 409 and fresh_web.acme.plan_path.read_text(encoding="utf-8") == moved
    reloaded = editor_base(client.get("/w/acme/plan").text)
    again = client.post("/w/acme/plan/objectives", data={"id": "permission", "base": reloaded},
                        follow_redirects=False)
    assert again.status_code == 303
    assert "total: 52000" in fresh_web.acme.plan_path.read_text(encoding="utf-8")


def test_the_draft_in_the_editor_is_saved_with_the_addition(fresh_web: WebEnv) -> None:
    client, base = start(fresh_web)
    draft = COMMENTED.replace("owner: Sam", "owner: Sue").replace("\n", "\r\n")  # as a browser sends it
    r = client.post("/w/acme/plan/objectives", data={"id": "permission", "text": draft, "base": base},
                    follow_redirects=False)
    assert r.status_code == 303
    saved = fresh_web.acme.plan_path.read_text(encoding="utf-8")
    assert "owner: Sue" in saved and "  - id: permission\n" in saved and "\r" not in saved


def test_viewers_get_403_and_a_form_without_csrf_is_refused(fresh_web: WebEnv) -> None:
    viewer, base = start(fresh_web, "viewer@acme.org")
    assert viewer.post("/w/acme/plan/objectives", data={"id": "x", "base": base}).status_code == 403
    assert "Add to the plan" not in viewer.get("/w/acme/plan").text
    editor = fresh_web.login("editor@acme.org")
    del editor.headers["X-CSRF-Token"]
    assert editor.post("/w/acme/plan/objectives", data={"id": "x", "base": base}).status_code == 403
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == COMMENTED


def test_check_lints_the_draft_without_saving(fresh_web: WebEnv) -> None:
    client, base = start(fresh_web, "viewer@acme.org")
    draft = COMMENTED.replace("      - {metric: response_rate, target: 0.9}\n", "      - {metric: response_rate}\n")
    # without script: the whole editor with the draft and its findings
    r = client.post("/w/acme/plan/lint", data={"text": draft, "base": base})
    assert r.status_code == 200 and "Checked; nothing was saved." in r.text
    assert "      - {metric: response_rate}\n" in r.text
    # the KPI without a target is line 17 of the draft: the finding links to it for the gutter and the jump
    assert re.search(r'<li class="error" data-line="17" data-severity="error"><b>error</b> '
                     r'<code>kpi-without-target</code>\s+at '
                     r'<a class="goto" href="#plan-text" data-line="17">line 17</a>',
                     r.text)
    # with htmx: the findings fragment only
    fragment = client.post("/w/acme/plan/lint", data={"text": draft}, headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<p class="lint-count"><b>1</b> error, ') and "<html" not in fragment
    # the hint's code (lint writes "Add `target:` to the KPI") reads as code, never as literal backticks
    assert "Add <code>target:</code> to the KPI" in fragment and "`" not in fragment
    broken = client.post("/w/acme/plan/lint", data={"text": "version: 1\nowner: [x\n"},
                         headers={"HX-Request": "true"}).text
    # the unclosed `[` is on line 2, where the problem is located (not line 3, where the parser stopped)
    assert re.search(r'data-line="2" data-severity="error"><a class="goto" href="#plan-text" data-line="2">', broken)
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == COMMENTED


def test_the_metric_picker_shows_labels_and_units(fresh_web: WebEnv) -> None:
    client, _ = start(fresh_web)
    page = client.get("/w/acme/plan").text
    picker = page.split('id="kpi-metric"')[1].split("</select>")[0]
    options = dict(re.findall(r'<option value="([a-z0-9_]+)">([^<]*)</option>', picker))
    assert options["first_response_minutes_median"] == "Median first response (min) — minutes; lower is better"
    assert options["response_rate"] == "Response rate — a share: 0.9 or 90%; higher is better"
    assert options["spend"] == "Spend — EUR"  # the plan's currency
    assert options["cost_per_result"] == "Cost per result — EUR; lower is better"
    assert len(options) == 42 and not [text for text in options.values() if "_" in text]  # never a raw id
    assert '<optgroup label="Dialogue">' in picker


API = "/api/v1/workspaces/acme/plan"


def test_the_api_adds_with_if_match_and_answers_422_at_the_field_and_409_when_stale(fresh_web: WebEnv) -> None:
    fresh_web.acme.plan_path.write_text(COMMENTED, encoding="utf-8")
    editor = fresh_web.bearer("editor@acme.org")
    tag = editor.get(API).headers["etag"]
    r = editor.post(API + "/kpis", json={"objective": "dialogue", "metric": "reach", "target": 5000},
                    headers={"If-Match": tag})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["what"], body["path"], body["line"]) == ("KPI 'People reached' of objective 'dialogue'",
                                                          "objectives[0].kpis[2]", 19)
    assert r.headers["etag"] == f'"{body["sha256"]}"' != tag and body["version"] == 2
    lines = fresh_web.acme.plan_path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[18] == "      - {metric: reach, target: 5000}\n" and "".join(lines[:18] + lines[19:]) == COMMENTED

    refused = editor.post(API + "/kpis", json={"objective": "dialogue", "metric": "response_rate", "target": 2})
    assert refused.status_code == 422
    [problem] = refused.json()["detail"]
    assert problem["loc"] == ["body", "target"] and "can never be met" in problem["msg"]

    stale = editor.post(API + "/objectives", json={"id": "permission"}, headers={"If-Match": tag})
    assert stale.status_code == 409 and stale.json()["detail"][0]["current"]["version"] == 2
    assert "id: permission" not in fresh_web.acme.plan_path.read_text(encoding="utf-8")
    assert fresh_web.bearer("viewer@acme.org").post(API + "/objectives", json={"id": "x"}).status_code == 403
    made = editor.post(API + "/tactics", json={"id": "newsletter", "serves": ["dialogue"], "owner": "Sam",
                                               "budget": 100, "campaign": "news", "why": "a test"})
    assert made.status_code == 201 and made.json()["path"] == "tactics[2]"
    assert fresh_web.state.db.plan_versions("acme")[-1].why == "a test"


def test_saving_a_plan_that_does_not_parse_says_not_saved_and_where(fresh_web: WebEnv) -> None:
    """Saving an invalid plan only turned the lint panel red; the page now says "Not saved" as a refused
    why or a stale save do, with the first problem at the line that opened an unclosed `[` (line 9, column 10:
    `horizon: [oops`), not at the next key (line 11) where the YAML parser stopped."""
    client, base = start(fresh_web)
    lines = COMMENTED.splitlines(keepends=True)
    broken = "".join(lines[:8]) + "horizon: [oops\n\n" + "".join(lines[8:])
    r = client.post("/w/acme/plan", data={"text": broken, "why": "try", "base": base})
    assert r.status_code == 422
    said = " ".join(re.sub(r"<[^>]+>", "", re.search(r'<p class="error" role="alert">Not saved: .*?</p>', r.text,
                                                      re.S).group(0)).split())
    assert said.startswith("Not saved: the plan does not parse — strategy.yaml:9:10: YAML: the flow sequence "
                           "opened here is not closed (at line 11, column ")
    assert said.endswith("Your text is still in the editor.")
    assert fresh_web.acme.plan_path.read_text(encoding="utf-8") == COMMENTED  # nothing written
    checked = client.post("/w/acme/plan/lint", data={"text": broken, "base": base})  # Check: no "Not saved"
    assert checked.status_code == 200 and "Not saved" not in checked.text


def test_a_save_on_an_unknown_version_is_refused_in_a_plain_sentence(fresh_web: WebEnv) -> None:
    """A 409 for an If-Match naming no version read "the plan changed which this save was based on"."""
    owner = fresh_web.bearer("owner@acme.org")
    first = owner.put("/api/v1/workspaces/acme/plan", json={"text": ACME_PLAN.replace("50000", "51000")})
    assert first.status_code == 200
    stale = owner.put("/api/v1/workspaces/acme/plan", json={"text": ACME_PLAN.replace("50000", "52000")},
                      headers={"If-Match": '"0123abcd"'})
    assert stale.status_code == 409
    msg = stale.json()["detail"][0]["msg"]
    assert msg.startswith(f"the plan is no longer the version this save was based on: version "
                          f"{first.json()['version']} was saved by owner@acme.org at ")
    assert "changed which" not in msg
