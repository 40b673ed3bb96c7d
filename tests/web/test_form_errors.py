"""Forms that refuse what was typed (web.md: "422 for invalid input with a located message"): the plan editor's
"Why this change" and the decision forms answer a too long, empty or unknown value with the form again, the
typed text kept and the problem next to its field, nothing saved; their fields say their limits (maxlength),
and so do the plan editor's add forms, whose over-long fields posted directly are refused at the field."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.env import WebEnv


@pytest.fixture(scope="module")
def web(web_sqlite: WebEnv) -> WebEnv:
    return web_sqlite


@pytest.fixture(scope="module")
def editor(web: WebEnv) -> TestClient:
    return web.login("editor@acme.org")


def field_error(page: str, id_: str) -> str:
    """The text of the error shown under the field `id_` (and the field points at it)."""
    assert f'aria-describedby="{id_}-error"' in page or f'{id_}-error"' in page
    found = re.search(rf'<p class="[^"]*field-error[^"]*" id="{id_}-error">(.*?)</p>', page, re.S)
    assert found, f"no error under {id_}"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()))


def test_the_forms_state_their_limits(editor: TestClient) -> None:
    plan = editor.get("/w/acme/plan").text
    assert re.search(r'<input type="text" id="plan-why" name="why"[^>]* maxlength="2000"', plan)
    verdicts = editor.get("/w/acme/verdicts").text
    form = verdicts[verdicts.index('class="decision-form"'):]
    assert re.search(r'<textarea name="text"[^>]* maxlength="5000"', form)
    assert re.search(r'name="objective"[^>]* maxlength="100"', form)
    assert re.search(r'name="tactic"[^>]* maxlength="100"', form)


def test_the_add_forms_state_the_servers_limits(editor: TestClient) -> None:
    plan = editor.get("/w/acme/plan").text
    adds = plan[plan.index('<section class="add"'):]
    inputs = {m.group(1): m.group(0) for m in re.finditer(r'<input type="(?:text|date)" id="([\w-]+)"[^>]*>', adds)}
    limits = {i: int(m.group(1)) for i, tag in inputs.items() if (m := re.search(r' maxlength="(\d+)"', tag))}
    # the limits of lint/addition.py's MAX_CHARS (the API's too), by hand; dates are picked, not typed
    assert limits == {"objective-id": 200, "objective-statement": 2000, "kpi-target": 100, "kpi-baseline": 100,
                      "tactic-id": 200, "tactic-channel": 500, "tactic-owner": 500, "tactic-budget": 100,
                      "tactic-accounts": 2000, "tactic-hashtags": 2000, "tactic-campaign": 500,
                      "tactic-question": 2000}
    assert set(inputs) - set(limits) == {"kpi-by", "tactic-start", "tactic-end", "tactic-until"}
    assert all('type="date"' in inputs[i] for i in set(inputs) - set(limits))


@pytest.mark.parametrize(("path", "data", "field", "message"), [
    ("/w/acme/plan/objectives", {"id": "o" * 201, "statement": "Grow"}, "objective-id",
     "At most 200 characters (this has 201): shorten it."),
    ("/w/acme/plan/objectives", {"id": "grow", "statement": "s" * 2001}, "objective-statement",
     "At most 2,000 characters (this has 2,001): shorten it."),
    ("/w/acme/plan/objectives", {"id": "grow", "statement": "s" * 25_000}, "objective-statement",
     None),   # past the form's own bound (10 × 2,000): refused before the form, a 422 page, never a 500
    ("/w/acme/plan/kpis", {"objective": "dialogue", "metric": "reach", "target": "9" * 101}, "kpi-target",
     "At most 100 characters (this has 101): shorten it."),
    ("/w/acme/plan/tactics", {"id": "t", "serves": "dialogue", "channel": "c" * 501}, "tactic-channel",
     "At most 500 characters (this has 501): shorten it."),
    ("/w/acme/plan/tactics", {"id": "t", "serves": "dialogue", "question": "q" * 2001}, "tactic-question",
     "At most 2,000 characters (this has 2,001): shorten it."),
])
def test_a_too_long_added_field_posted_directly_is_refused_at_its_field(
        web: WebEnv, editor: TestClient, path: str, data: dict[str, str], field: str, message: str | None) -> None:
    original = web.acme.plan_path.read_text(encoding="utf-8")
    versions = len(web.state.db.plan_versions("acme"))
    r = editor.post(path, data=data, follow_redirects=False)
    assert r.status_code == 422
    if message is None:  # the one-line page of web/errors.py: no raw JSON, no echo of the 25,000 characters
        assert r.headers["content-type"].startswith("text/html") and "string_too_long" not in r.text
        assert "s" * 1000 not in r.text
    else:
        assert r.headers["content-type"].startswith("text/html")
        assert field_error(r.text, field) == message
        name = field.split("-", 1)[1]
        assert f'name="{name}" value="{data[name]}"' in r.text   # what was typed is kept
    assert web.acme.plan_path.read_text(encoding="utf-8") == original
    assert len(web.state.db.plan_versions("acme")) == versions


def test_a_too_long_why_shows_the_editor_again_with_everything_kept(web: WebEnv, editor: TestClient) -> None:
    original = web.acme.plan_path.read_text(encoding="utf-8")
    changed = original.replace("review: {cadence: monthly}", "review: {cadence: quarterly}")
    why = "because " + "w" * 1993  # 2,001 characters
    versions = len(web.state.db.plan_versions("acme"))
    r = editor.post("/w/acme/plan", data={"text": changed, "why": why})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "review: {cadence: quarterly}" in r.text  # the draft is still in the editor
    assert f'value="{why}"' in r.text
    assert field_error(r.text, "plan-why") == ("At most 2,000 characters (this has 2,001): shorten it; "
                                               "nothing was saved.")
    assert web.acme.plan_path.read_text(encoding="utf-8") == original
    assert len(web.state.db.plan_versions("acme")) == versions


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"text": "d" * 5001}, "decision-text",
     "A decision is at most 5,000 characters; this one has 5,001: shorten it."),
    ({"text": "  \n\t "}, "decision-text", "The decision is empty: say what was decided and why, briefly."),
    ({"text": "Hire a second agent", "objective": "nope"}, "decision-objective",
     "The plan has no objective 'nope' (objectives: dialogue)."),
    ({"text": "Hire a second agent", "tactic": "nope"}, "decision-tactic",
     "The plan has no tactic 'nope' (tactics: care-desk, tesco-desk)."),
])
def test_a_refused_decision_shows_the_form_again_with_the_text_kept(web: WebEnv, editor: TestClient,
                                                                   data: dict[str, str], field: str,
                                                                   message: str) -> None:
    before = len(web.state.db.decisions("acme"))
    r = editor.post("/w/acme/decisions", data=data)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert field_error(r.text, field) == message
    assert f">{html.escape(data['text'], quote=False)}</textarea>" in r.text
    for name in ("objective", "tactic"):
        if name in data:
            assert f'name="{name}" value="{data[name]}"' in r.text
    assert len(web.state.db.decisions("acme")) == before


def test_a_refused_correction_shows_the_editor_again(web: WebEnv, editor: TestClient) -> None:
    recorded = editor.post("/w/acme/decisions", data={"text": "Hire a second agent"}, follow_redirects=False)
    number = int(recorded.headers["location"].split("recorded=")[1])
    r = editor.post(f"/w/acme/decisions/{number}", data={"text": " ", "why": "typo"})
    assert r.status_code == 422
    assert field_error(r.text, "decision-text") == "The decision is empty: say what was decided and why, briefly."
    assert 'value="typo"' in r.text
    assert web.state.db.decision("acme", number).text == "Hire a second agent"


def test_the_api_calls_a_blank_decision_empty(web: WebEnv) -> None:
    r = web.bearer("editor@acme.org").post("/api/v1/workspaces/acme/decisions", json={"text": "   "})
    assert r.status_code == 422
    assert "the decision is empty" in r.text and "1 to" not in r.text


def _no_raw_json(page: str) -> None:
    assert '{"detail"' not in page and "Field required" not in page and "String should have" not in page


def test_saving_an_empty_plan_shows_the_editor_with_why_it_was_not_saved(web: WebEnv, editor: TestClient) -> None:
    """An emptied editor sends `text=`, which FastAPI took for a missing field: its JSON replaced the page."""
    original = web.acme.plan_path.read_text(encoding="utf-8")
    versions = len(web.state.db.plan_versions("acme"))
    r = editor.post("/w/acme/plan", data={"text": "", "why": "start over"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    _no_raw_json(r.text)
    assert "the plan is empty" in r.text and 'value="start over"' in r.text
    assert web.acme.plan_path.read_text(encoding="utf-8") == original
    assert len(web.state.db.plan_versions("acme")) == versions


@pytest.mark.parametrize("data", [{"text": ""}, {}])
def test_an_empty_decision_field_is_the_form_s_own_problem(web: WebEnv, editor: TestClient,
                                                         data: dict[str, str]) -> None:
    before = len(web.state.db.decisions("acme"))
    r = editor.post("/w/acme/decisions", data=data)
    assert r.status_code == 422
    _no_raw_json(r.text)
    assert field_error(r.text, "decision-text") == "The decision is empty: say what was decided and why, briefly."
    assert len(web.state.db.decisions("acme")) == before


@pytest.mark.parametrize(("method", "path"), [("get", "/w/acme/decisions/abc/edit"), ("post", "/w/acme/decisions/abc"),
                                              ("get", "/w/acme/decisions/0/edit"),
                                              ("post", "/w/acme/decisions/99999999999/withdraw")])
def test_a_bad_number_in_a_page_s_address_is_a_404_page(editor: TestClient, method: str, path: str) -> None:
    r = editor.request(method, path, data={"text": "x"} if method == "post" else None)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    _no_raw_json(r.text)
    assert "<h1>Not found</h1>" in r.text and "is not a valid number" in r.text


def test_a_value_only_fastapi_checks_is_said_in_words_without_echoing_it(editor: TestClient) -> None:
    recorded = editor.post("/w/acme/decisions", data={"text": "Pause the contest"}, follow_redirects=False)
    number = int(recorded.headers["location"].split("recorded=")[1])
    why = "z" * 3000
    r = editor.post(f"/w/acme/decisions/{number}/withdraw", data={"why": why})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    _no_raw_json(r.text)
    assert "why: at most 2,000 characters (this has 3,000)" in r.text and why not in r.text
    r = editor.get("/w/acme/verdicts", params={"recorded": "abc"})
    assert r.status_code == 422 and "recorded: &#39;abc&#39; is not a number" in r.text
    _no_raw_json(r.text)


def test_members_tokens_and_login_forms_come_back_with_the_problem(web: WebEnv) -> None:
    owner = web.login("owner@acme.org")
    long_email = "a" * 330 + "@acme.org"
    for data, said in (({"email": "", "role": "viewer"}, "&#39;&#39; is not an email address"),
                       ({"email": long_email, "role": "viewer"},
                        "an email address is at most 320 characters (this one has 339)")):
        r = owner.post("/w/acme/members", data=data)
        assert r.status_code == 422 and "<h1>Members</h1>" in r.text and said in r.text, r.text[:300]
        assert f'value="{data["email"]}"' in r.text
        _no_raw_json(r.text)
    assert not web.state.db.invitations("acme")
    r = owner.post("/w/acme/tokens", data={"name": ""})
    assert r.status_code == 422 and "<h1>API tokens</h1>" in r.text and "give the token a name" in r.text
    _no_raw_json(r.text)
    client = web.client()
    page = client.get("/login").text
    assert re.search(r'<input type="email" name="email"[^>]* maxlength="320"', page)
    r = client.post("/login", data={"email": long_email, "password": "whatever",
                                    "csrf_token": client.cookies.get("sf_login_csrf") or ""})
    assert r.status_code == 422 and "<h1>Log in</h1>" in r.text
    assert "An email address is at most 320 characters (this one has 339)." in r.text
    _no_raw_json(r.text)
    r = client.post("/login", data={"email": "", "password": "",
                                    "csrf_token": client.cookies.get("sf_login_csrf") or ""})
    assert r.status_code == 422 and "Fill in your email and your password." in r.text


def test_the_api_keeps_json_errors_without_the_values_sent(web: WebEnv) -> None:
    editor = web.bearer("editor@acme.org")
    missing = editor.post("/api/v1/workspaces/acme/decisions", json={})
    assert missing.status_code == 422
    assert missing.json() == {"detail": [{"type": "missing", "loc": ["body", "text"], "msg": "Field required"}]}
    huge = "h" * 200_000
    r = editor.post("/api/v1/workspaces/acme/decisions", json={"text": huge})
    assert r.status_code == 422 and len(r.content) < 500 and "hhhhhhhhhh" not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "text"]


def test_a_tactic_whose_period_ends_before_it_starts_is_refused_at_runs_until(web: WebEnv,
                                                                             editor: TestClient) -> None:
    original = web.acme.plan_path.read_text(encoding="utf-8")
    r = editor.post("/w/acme/plan/tactics", data={"id": "late-news", "channel": "x", "serves": "dialogue",
                                                  "owner": "Sam", "budget": "10", "start": "2017-06-01",
                                                  "end": "2017-01-01", "accounts": "@Tesco"})
    assert r.status_code == 422
    assert field_error(r.text, "tactic-end") == ("ends on 2017-01-01, before it starts on 2017-06-01: the last day "
                                                 "must be on or after the first")
    assert 'id="tactic-end" name="end" value="2017-01-01"' in r.text  # what was typed stays
    assert web.acme.plan_path.read_text(encoding="utf-8") == original


def test_a_decision_with_a_control_character_is_refused_at_its_field(web: WebEnv, editor: TestClient) -> None:
    before = len(web.state.db.decisions("acme"))
    r = editor.post("/w/acme/decisions", data={"text": "Hire a second\x1b agent"})
    assert r.status_code == 422
    assert field_error(r.text, "decision-text") == ("The text, line 1, column 14: control character U+001B is not "
                                                    "allowed; remove it (line breaks and tabs are fine).")
    assert len(web.state.db.decisions("acme")) == before


def test_the_api_refuses_a_nul_in_a_decision_and_keeps_a_crlf(web: WebEnv) -> None:
    api = web.bearer("editor@acme.org")
    before = len(web.state.db.decisions("acme"))
    r = api.post("/api/v1/workspaces/acme/decisions", json={"text": "Hire\na second\u0000 agent"})
    assert r.status_code == 422
    assert "line 2, column 9: control character U+0000 is not allowed" in r.text
    assert len(web.state.db.decisions("acme")) == before
    r = api.post("/api/v1/workspaces/acme/decisions", json={"text": "Hire\r\na second agent"})
    assert r.status_code == 201 and r.json()["text"] == "Hire\r\na second agent"
    number = r.json()["number"]
    r = api.patch(f"/api/v1/workspaces/acme/decisions/{number}", json={"text": "Hire\u0007 two"})
    assert r.status_code == 422 and "line 1, column 5: control character U+0007" in r.text
    assert web.state.db.decision("acme", number).text == "Hire\r\na second agent"
