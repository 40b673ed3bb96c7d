"""The readiness questionnaire on the web (issue 18.11): the CLI's questions prefilled with the plan's answers,
saved into strategy.yaml as a plan version that the CLI reads (and the other way round), each wrong answer named
at its question with nothing written, a concurrent change refused, viewers read-only, CSRF required."""

from __future__ import annotations

import json
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from typer.testing import CliRunner

from strategyfirst.cli import app as cli
from strategyfirst.plan import load
from strategyfirst.readiness import QUESTIONS
from tests.web.env import WebEnv

PAGE = "/w/acme/readiness"
runner = CliRunner()


class Fields(HTMLParser):
    """The questionnaire form's fields as a browser would submit them: text/date values, checked radios,
    and which fields are disabled (inside a disabled fieldset)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.disabled: set[str] = set()
        self.fieldsets: list[bool] = []
        self.in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and "readiness-form" in (a.get("class") or ""):
            self.in_form = True
        elif tag == "fieldset" and self.in_form:
            self.fieldsets.append("disabled" in a or bool(self.fieldsets and self.fieldsets[-1]))
        elif tag == "input" and self.in_form and a.get("name"):
            name = str(a["name"])
            if a.get("type") == "radio":
                if "checked" in a:
                    self.values[name] = a.get("value") or ""
            else:
                self.values[name] = a.get("value") or ""
            if self.fieldsets and self.fieldsets[-1]:
                self.disabled.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self.in_form and self.fieldsets:
            self.fieldsets.pop()
        elif tag == "form":
            self.in_form = False


def fields(html: str) -> Fields:
    parser = Fields()
    parser.feed(html)
    return parser


def score(env: WebEnv, client: Any) -> dict[str, float]:
    data = client.get("/api/v1/workspaces/acme/readiness").json()
    return {d["dimension"]: d["score"] for d in data["dimensions"]} | {"overall": data["overall"]}


def test_the_form_asks_the_cli_questions_prefilled_with_the_plan(fresh_web: WebEnv) -> None:
    page = fresh_web.login("editor@acme.org").get(PAGE)
    assert page.status_code == 200
    text = unescape(page.text)
    for q in QUESTIONS:  # one source of truth: every prompt and help text of the terminal questionnaire
        assert q.prompt in text and q.help in text, q.id
    form = fields(page.text)
    # acme's plan (tests/web/env.py): owner Jane Doe, 10 h a week, 4 minutes a reply, mon-fri 09-17, one person
    assert form.values["ownership.owner"] == "Jane Doe"
    assert form.values["ownership.hours_per_week"] == "10"
    assert form.values["response.handling_minutes"] == "4"
    assert [form.values[f"response.staffing.{d}"] for d in ("mon", "fri", "sat", "sun")] == ["09-17", "09-17", "", ""]
    assert form.values["leadership.support"] == ""           # unanswered: the "skip / not sure" radio is checked
    assert form.values["csrf_token"] and form.values["base"]
    assert form.disabled == set()
    # the choices are the CLI's answer scale
    for choice in ("committed", "tolerant", "sceptical", "unknown"):
        assert f'name="leadership.support" value="{choice}"' in page.text
    # what is unanswered is said: 18 questions, 5 answered (owner, hours, handling, time zone, staffing)
    assert "Not answered yet: 13 of 18 questions" in page.text


def test_saving_writes_the_plan_the_cli_reads_and_the_score_updates(fresh_web: WebEnv) -> None:
    client = fresh_web.login("editor@acme.org")
    before = score(fresh_web, client)
    # by hand: ownership 0.4 + 0.6 = 1; response 0.25 + 0.5 + 0.25 × 5/7; the six others 0
    assert before["ownership"] == 1.0 and before["response"] == round(0.75 + 0.25 * 5 / 7, 3)
    assert before["leadership"] == 0.0 and before["guidelines"] == 0.0
    form = fields(client.get(PAGE).text).values
    form.update({"leadership.support": "committed", "leadership.sponsor": "COO", "guidelines.written": "yes",
                 "response.staffing.sat": "10-14x2"})
    saved = client.post(PAGE, data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith(PAGE + "?saved=")
    page = client.get(saved.headers["location"])
    assert "Saved as plan version" in page.text
    after = score(fresh_web, client)
    # leadership 0.8 + 0.2 = 1; guidelines 0.5 (written, no escalation); response: Saturday covered, 6 of 7 days
    assert after["leadership"] == 1.0 and after["guidelines"] == 0.5
    assert after["response"] == round(0.75 + 0.25 * 6 / 7, 3)
    assert after["overall"] == round((1 + 1 + 0.5 + 0.75 + 0.25 * 6 / 7) / 8, 3)
    # the page's table shows it: the leadership row reads 100.0%, ready
    row = page.text.split('data-dimension="leadership"', 1)[1].split("</tr>", 1)[0]
    assert "100.0%" in row and "<td>ready</td>" in row

    # the CLI reads what the web wrote: same file, same answers, comments of the plan kept
    plan = load(fresh_web.acme.plan_path).plan
    assert plan.readiness is not None and plan.readiness.leadership is not None
    assert (plan.readiness.leadership.support, plan.readiness.leadership.sponsor) == ("committed", "COO")
    shown = runner.invoke(cli, ["readiness", "--no-ask", "--format", "json", "-w", str(fresh_web.acme.root)])
    assert shown.exit_code == 0, shown.output
    by = {d["dimension"]: d["score"] for d in json.loads(shown.stdout)["dimensions"]}
    assert by["leadership"] == 1.0 and by["guidelines"] == 0.5
    # a new plan version with its author and why, as a plan editor save makes
    history = client.get("/api/v1/workspaces/acme/history").json()["entries"]
    version = next(e for e in history if e["kind"] == "version" and e.get("why"))
    assert version["author"] == "editor@acme.org"
    assert "leadership.support" in version["why"] and "response.staffing" in version["why"]


def test_answers_given_in_the_cli_show_in_the_form(fresh_web: WebEnv, tmp_path: Any) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("listening: {done: true, weeks: 6, findings: They ask about repairs}\n"
                       "budget: {funded_until: 2018-02-28}\n", encoding="utf-8")
    done = runner.invoke(cli, ["readiness", "--answers", str(answers), "-w", str(fresh_web.acme.root)])
    assert done.exit_code == 0, done.output
    form = fields(fresh_web.login("viewer@acme.org").get(PAGE).text)
    assert (form.values["listening.done"], form.values["listening.weeks"]) == ("yes", "6")
    assert form.values["listening.findings"] == "They ask about repairs"
    assert form.values["budget.funded_until"] == "2018-02-28"


def test_wrong_answers_are_named_at_their_question_and_nothing_is_written(fresh_web: WebEnv) -> None:
    client = fresh_web.login("owner@acme.org")
    text = fresh_web.acme.plan_path.read_text()
    form = fields(client.get(PAGE).text).values
    form.update({"ownership.hours_per_week": "ten", "response.staffing.tue": "9-25", "leadership.sponsor": "CFO"})
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 422
    assert "Not saved: 2 answers to fix" in refused.text
    assert 'id="f-ownership-hours_per_week-error">give a number, like 8 or 2.5<' in refused.text
    assert 'id="f-response-staffing-tue-error">' in refused.text and "hours run from 00 to 24" in refused.text
    assert 'aria-invalid="true"' in refused.text
    kept = fields(refused.text).values   # what was typed stays in the form
    assert (kept["ownership.hours_per_week"], kept["leadership.sponsor"]) == ("ten", "CFO")
    assert fresh_web.acme.plan_path.read_text() == text


def test_absurd_numbers_are_refused_in_the_forms_words_and_kept_as_typed(fresh_web: WebEnv) -> None:
    client = fresh_web.login("owner@acme.org")
    text = fresh_web.acme.plan_path.read_text()
    form = fields(client.get(PAGE).text).values
    form.update({"listening.weeks": "1e9", "ownership.hours_per_week": "200", "response.handling_minutes": "inf",
                 "response.staffing.wed": "09-17x5000"})
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 422
    assert "Not saved: 4 answers to fix" in refused.text
    page = unescape(refused.text)
    assert 'id="f-listening-weeks-error">give a number of weeks from 0 to 520, ten years<' in page
    assert ('id="f-ownership-hours_per_week-error">give a number of hours from 0 to 168, the hours in a week<'
            in page)
    assert ('id="f-response-handling_minutes-error">give a number of minutes above 0 and at most 480, '
            'a working day<' in page)
    assert ('id="f-response-staffing-wed-error">\'09-17x5000\': give a number of people above 0 and at most '
            '1,000 in one shift<' in page)
    assert "Traceback" not in page
    kept = fields(refused.text).values   # what was typed stays in the form
    assert [kept[n] for n in ("listening.weeks", "ownership.hours_per_week", "response.handling_minutes",
                              "response.staffing.wed")] == ["1e9", "200", "inf", "09-17x5000"]
    assert fresh_web.acme.plan_path.read_text() == text


def test_blank_answers_are_saved_as_unanswered_and_listed(fresh_web: WebEnv) -> None:
    client = fresh_web.login("editor@acme.org")
    form = fields(client.get(PAGE).text).values
    form.update({"ownership.hours_per_week": "", "content.plan": "yes"})
    saved = client.post(PAGE, data=form, follow_redirects=True)
    assert saved.status_code == 200 and "Saved as plan version" in saved.text
    plan = load(fresh_web.acme.plan_path).plan
    assert plan.readiness is not None and plan.readiness.ownership is not None
    assert plan.readiness.ownership.hours_per_week is None and plan.readiness.ownership.owner == "Jane Doe"
    assert plan.readiness.content is not None and plan.readiness.content.plan is True
    assert "Not answered yet: 13 of 18 questions" in saved.text  # one cleared, one answered
    assert 'href="#f-ownership-hours_per_week"' in saved.text


def test_an_unchanged_form_writes_nothing(fresh_web: WebEnv) -> None:
    client = fresh_web.login("editor@acme.org")
    text = fresh_web.acme.plan_path.read_text()
    same = client.post(PAGE, data=fields(client.get(PAGE).text).values, follow_redirects=True)
    assert "Nothing changed" in same.text and fresh_web.acme.plan_path.read_text() == text


def test_a_concurrent_change_is_refused_and_the_form_keeps_what_was_typed(fresh_web: WebEnv, tmp_path: Any) -> None:
    client = fresh_web.login("editor@acme.org")
    form = fields(client.get(PAGE).text).values
    answers = tmp_path / "answers.yaml"          # meanwhile someone answers in the terminal
    answers.write_text("leadership: {support: tolerant}\n", encoding="utf-8")
    assert runner.invoke(cli, ["readiness", "--answers", str(answers), "-w", str(fresh_web.acme.root)]).exit_code == 0
    text = fresh_web.acme.plan_path.read_text()
    form.update({"guidelines.escalation": "legal within a day"})
    stale = client.post(PAGE, data=form)
    assert stale.status_code == 409 and "the answers changed since this form was opened" in stale.text
    assert fresh_web.acme.plan_path.read_text() == text
    again = fields(stale.text).values
    assert again["guidelines.escalation"] == "legal within a day" and again["base"] != form["base"]
    # saving again is deliberate: the form's answers become the plan's
    assert client.post(PAGE, data=again, follow_redirects=False).status_code == 303
    plan = load(fresh_web.acme.plan_path).plan
    assert plan.readiness is not None and plan.readiness.guidelines is not None
    assert plan.readiness.guidelines.escalation == "legal within a day"


def test_viewers_read_only_and_csrf_required(fresh_web: WebEnv) -> None:
    viewer = fresh_web.login("viewer@acme.org")
    page = viewer.get(PAGE)
    form = fields(page.text)
    assert form.disabled >= {q.id for q in QUESTIONS if q.kind != "staffing"}
    assert "Save the answers" not in page.text and "editors and owners can change them" in page.text
    text = fresh_web.acme.plan_path.read_text()
    data = {**form.values, "leadership.support": "committed", "csrf_token": viewer.headers["X-CSRF-Token"]}
    assert viewer.post(PAGE, data=data).status_code == 403
    editor = fresh_web.login("editor@acme.org")
    del editor.headers["X-CSRF-Token"]
    data = {**fields(editor.get(PAGE).text).values, "leadership.support": "committed"}
    data.pop("csrf_token")
    assert editor.post(PAGE, data=data).status_code == 403
    assert fresh_web.acme.plan_path.read_text() == text


def test_a_refused_save_leaves_the_workspaces_parsed_plan_as_read(fresh_web: WebEnv,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The workspace keeps one parsed plan per file version (shared by every request): a save edits a copy, so a
    save refused at the last moment (another save won the plan's lock) leaves the shared one as it was."""
    from strategyfirst.errors import ConflictError
    from strategyfirst.web import services

    def lost_the_race(*args: Any, **kwargs: Any) -> Any:
        raise ConflictError("the plan changed meanwhile", {"current": None})

    client = fresh_web.login("editor@acme.org")
    form = fields(client.get(PAGE).text).values
    ws = fresh_web.state.workspace("acme")
    assert ws is not None
    before = ws.plan_document().dumps()
    monkeypatch.setattr(services, "save_plan", lost_the_race)
    refused = client.post(PAGE, data={**form, "leadership.support": "committed"})
    assert refused.status_code == 409 and "Not saved: the plan changed meanwhile" in refused.text
    assert ws.plan_document().dumps() == before == fresh_web.acme.plan_path.read_text()
    assert fields(client.get(PAGE).text).values["leadership.support"] == ""


def test_a_plan_that_does_not_load_is_said_and_nothing_is_written(fresh_web: WebEnv) -> None:
    client = fresh_web.login("editor@acme.org")
    form = fields(client.get(PAGE).text).values
    broken = fresh_web.acme.plan_path.read_text().replace("horizon: {start: 2017-10-01", "horizon: {start: 2017-13-01")
    fresh_web.acme.plan_path.write_text(broken, encoding="utf-8")
    page = client.get(PAGE)
    assert page.status_code == 200 and "The plan does not load, so the answers cannot be read" in page.text
    assert client.post(PAGE, data={**form, "leadership.support": "committed"}).status_code == 422
    assert fresh_web.acme.plan_path.read_text() == broken


def test_a_plan_with_lint_errors_is_not_saved_from_the_questionnaire(fresh_web: WebEnv) -> None:
    """A newcomer: the questionnaire wrote a new plan version that lint reports errors in (here a ratio target
    of 90, typed by hand in strategy.yaml), which the plan editor and the API refuse with 422. The answers touch
    only the plan's readiness section, whose rules only warn, so such an error is always the plan's own: the save
    is refused as theirs, the errors said with a link to the editor at their line, the answers kept."""
    client = fresh_web.login("editor@acme.org")
    target = "{metric: response_rate, target: 0.9}"
    hand_edited = fresh_web.acme.plan_path.read_text().replace(target, "{metric: response_rate, target: 90}")
    assert target not in hand_edited
    fresh_web.acme.plan_path.write_text(hand_edited, encoding="utf-8")
    form = fields(client.get(PAGE).text).values
    before = [v.number for v in fresh_web.state.db.plan_versions("acme")]
    refused = client.post(PAGE, data={**form, "leadership.support": "committed"}, follow_redirects=False)
    assert refused.status_code == 422
    assert fresh_web.acme.plan_path.read_text() == hand_edited  # nothing written
    assert [v.number for v in fresh_web.state.db.plan_versions("acme")] == before  # nor stored
    text = " ".join(unescape(refused.text).split())
    assert "Not saved: lint reports 1 error in the plan" in text
    assert "objectives[0].kpis[0].target: the target 90" in text and "(impossible-target)" in text
    assert 'href="/w/acme/plan?line=' in refused.text  # where to fix it
    assert fields(refused.text).values["leadership.support"] == "committed"  # the answers kept
    # once the plan is fixed, the same answers save
    fresh_web.acme.plan_path.write_text(hand_edited.replace("target: 90}", "target: 0.9}"), encoding="utf-8")
    again = fields(client.get(PAGE).text).values
    assert client.post(PAGE, data={**again, "leadership.support": "committed"},
                       follow_redirects=False).status_code == 303

