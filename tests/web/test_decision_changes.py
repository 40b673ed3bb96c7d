"""Decisions are corrected and withdrawn by editors, never lost (issue 17.9): the change keeps who, when and
the fields before and after; a verdict's button opens a prefilled form instead of recording a canned text."""

from __future__ import annotations

import re
from html import unescape

from tests.web.env import WebEnv

API = "/api/v1/workspaces/acme/decisions"


def test_an_editor_corrects_a_decision_and_the_change_is_kept(fresh_web: WebEnv) -> None:
    owner, editor = fresh_web.bearer("owner@acme.org"), fresh_web.bearer("editor@acme.org")
    made = owner.post(API, json={"text": "Stop the care desk", "tactic": "care-desk"}).json()
    fixed = editor.patch(f"{API}/{made['number']}", json={"text": "Halve the care desk", "tactic": "care-desk",
                                                          "why": "typo: we halve it"})
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert (body["text"], body["author"], body["withdrawn_at"]) == ("Halve the care desk", "owner@acme.org", None)
    [change] = body["changes"]
    assert (change["action"], change["author"], change["why"]) == ("edit", "editor@acme.org", "typo: we halve it")
    assert change["before"] == {"text": "Stop the care desk", "objective": None, "tactic": "care-desk"}
    assert change["after"] == {"text": "Halve the care desk", "objective": None, "tactic": "care-desk"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", change["at"])
    # the history shows it too, with the decision's original author kept
    [entry] = [e for e in owner.get("/api/v1/workspaces/acme/history").json()["entries"] if e["kind"] == "decision"]
    assert entry["text"] == "Halve the care desk" and entry["changes"] == [change]
    # unknown ids are refused as when recording; nothing changes
    bad = editor.patch(f"{API}/{made['number']}", json={"text": "x", "tactic": "no-such-tactic"})
    assert bad.status_code == 422 and "no tactic 'no-such-tactic'" in bad.text
    assert len(owner.get(API).json()["decisions"][0]["changes"]) == 1


def test_withdrawing_keeps_the_decision_marked(fresh_web: WebEnv) -> None:
    editor = fresh_web.bearer("editor@acme.org")
    made = editor.post(API, json={"text": "Move 2,000 EUR to the newsletter"}).json()
    gone = editor.post(f"{API}/{made['number']}/withdraw", json={"why": "budget frozen"})
    assert gone.status_code == 200
    listed = editor.get(API).json()["decisions"]
    assert [d["text"] for d in listed] == ["Move 2,000 EUR to the newsletter"]  # still there
    assert listed[0]["withdrawn_at"] is not None
    assert [(c["action"], c["author"], c["why"], c["after"]) for c in listed[0]["changes"]] == [
        ("withdraw", "editor@acme.org", "budget frozen", None)]
    again = editor.post(f"{API}/{made['number']}/withdraw")
    edit = editor.patch(f"{API}/{made['number']}", json={"text": "Move 3,000 EUR"})
    assert (again.status_code, edit.status_code) == (422, 422) and "withdrawn" in edit.text


def test_viewers_cannot_and_unknown_numbers_are_404(fresh_web: WebEnv) -> None:
    made = fresh_web.bearer("editor@acme.org").post(API, json={"text": "Keep going"}).json()
    viewer = fresh_web.bearer("viewer@acme.org")
    assert viewer.patch(f"{API}/{made['number']}", json={"text": "No"}).status_code == 403
    assert viewer.post(f"{API}/{made['number']}/withdraw").status_code == 403
    owner = fresh_web.bearer("owner@acme.org")
    assert owner.patch(f"{API}/99", json={"text": "x"}).status_code == 404
    assert owner.post(f"{API}/99/withdraw").status_code == 404
    assert owner.get(API).json()["decisions"][0]["changes"] == []


def test_the_verdict_button_opens_a_prefilled_form_and_records_nothing(fresh_web: WebEnv) -> None:
    editor = fresh_web.login("editor@acme.org")
    page = editor.get("/w/acme/decisions/new", params={"objective": "dialogue", "tactic": "care-desk",
                                                       "text": "Act on tactic failing: care-desk"})
    assert page.status_code == 200
    assert "Act on tactic failing: care-desk</textarea>" in page.text
    assert 'name="tactic" value="care-desk"' in page.text and 'name="objective" value="dialogue"' in page.text
    assert fresh_web.state.db.decisions("acme") == []            # opening the form records nothing
    sent = editor.post("/w/acme/decisions", data={"text": "Hire a second agent", "objective": "dialogue",
                                                  "tactic": "care-desk"}, follow_redirects=False)
    assert sent.status_code == 303
    assert [d.text for d in fresh_web.state.db.decisions("acme")] == ["Hire a second agent"]


def test_edit_and_withdraw_in_the_pages(fresh_web: WebEnv) -> None:
    editor = fresh_web.login("editor@acme.org")
    editor.post("/w/acme/decisions", data={"text": "Stop the contest"})
    form = editor.get("/w/acme/decisions/1/edit")
    assert form.status_code == 200 and "Stop the contest</textarea>" in form.text
    saved = editor.post("/w/acme/decisions/1", data={"text": "Pause the contest", "why": "not stopped yet"},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith("/w/acme/verdicts?changed=1")
    log = unescape(editor.get("/w/acme/verdicts").text)
    assert "Pause the contest" in log and "before: Stop the contest" in re.sub(r"<[^>]+>", "", log)
    assert "by editor@acme.org: edited (not stopped yet)" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", log))
    editor.post("/w/acme/decisions/1/withdraw", data={"why": "done another way"})
    log = editor.get("/w/acme/verdicts").text
    assert 'class="decision withdrawn"' in log and "Edit or withdraw" not in log
    assert "withdrawn (done another way)" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", log))
    viewer = fresh_web.login("viewer@acme.org")
    assert viewer.get("/w/acme/decisions/1/edit").status_code == 403


def test_verdict_rows_link_to_the_form_instead_of_posting(web_sqlite: WebEnv) -> None:
    page = web_sqlite.login("editor@acme.org").get("/w/acme/verdicts").text
    table = page.split('<table class="grid verdicts stack">', 1)[1].split("</table>", 1)[0]
    links = re.findall(r'href="(/w/acme/decisions/new\?[^"]+)"', table)
    assert links and "<form" not in table                  # no one-click recording left in the rows
    assert all("text=Act+on+" in unescape(link) for link in links)


def test_a_decision_without_objective_or_author_has_no_stray_separator(fresh_web: WebEnv) -> None:
    owner = fresh_web.bearer("owner@acme.org")
    owner.post(API, json={"text": "Keep the plan as it is"})
    owner.post(API, json={"text": "Hire a second agent", "objective": "dialogue", "tactic": "care-desk"})
    fresh_web.state.db.record_decision("acme", "Noted from the command line")  # no author
    page = fresh_web.login("viewer@acme.org")

    def said(path: str) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.get(path).text)).split())

    verdicts = said("/w/acme/verdicts")
    assert re.search(r"d1 \S+ by owner@acme\.org on plan v1: Keep the plan as it is", verdicts)
    assert re.search(r"d2 \S+ by owner@acme\.org on plan v1 \[objective dialogue\] \[tactic care-desk\]: Hire",
                     verdicts)
    history = said("/w/acme/history")
    assert re.search(r"d1 \S+ decision on v1 by owner@acme\.org: Keep the plan as it is", history)
    assert re.search(r"d3 \S+ decision on v1: Noted from the command line", history)
    assert " : " not in verdicts + history
