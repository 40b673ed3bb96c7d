"""The questionnaire as a form: the current answers as the form's text, a submitted form read back into the
same answers, each problem named at its field, blanks listed as unanswered, and saving that rewrites only
what changed (comments kept) and removes what was cleared."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.plan import loads
from strategyfirst.readiness import QUESTIONS, parse_answers
from strategyfirst.readiness.answers import replace_answers
from strategyfirst.readiness.form import field_names, form_values, read_form

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()
SECTION = """\
readiness:
  ownership:   # who keeps talking
    owner: Sam   # interim
    hours_per_week: 10
  leadership: {support: tolerant, sponsor: COO}
  response:
    handling_minutes: 6.5
    timezone: Europe/Paris
    staffing:
      - {days: mon-fri, hours: "09-17", people: 2}
      - {days: [saturday], hours: "10-14", people: 1}
  measurement: {baseline_captured: true, as_of: 2026-01-10}
"""


def test_current_answers_become_the_form_values() -> None:
    answers = parse_answers(SECTION)
    values = form_values(answers)
    # worked out by hand from SECTION: numbers without a needless ".0", booleans as yes/no, staffing per day
    assert values["ownership.owner"] == "Sam"
    assert values["ownership.hours_per_week"] == "10"
    assert values["leadership.support"] == "tolerant"
    assert values["response.handling_minutes"] == "6.5"
    assert values["response.timezone"] == "Europe/Paris"
    assert [values[f"response.staffing.{d}"] for d in ("mon", "fri", "sat", "sun")] == \
        ["09-17x2", "09-17x2", "10-14", ""]
    assert values["measurement.baseline_captured"] == "yes"
    assert values["measurement.as_of"] == "2026-01-10"
    assert values["listening.done"] == "" and values["budget.lasts_horizon"] == ""
    # one field per question, seven for the staffing schedule
    assert len(values) == len(QUESTIONS) - 1 + 7


def test_a_form_reads_back_into_the_same_answers() -> None:
    answers = parse_answers(SECTION)
    got = read_form(form_values(answers))
    assert got.errors == {} and got.answers is not None
    assert got.answers.answers() == answers.answers()
    assert got.answers.response is not None and got.answers.response.declared()[5][10] == 1.0  # Saturday 10:00


def test_blank_fields_are_listed_as_unanswered_not_refused() -> None:
    got = read_form({"ownership.owner": "Jane", "leadership.support": "committed"})
    assert got.errors == {} and got.answers is not None
    assert got.answers.answers() == {"ownership": {"owner": "Jane"}, "leadership": {"support": "committed"},
                                     "response": {"timezone": "UTC", "staffing": []}}
    assert {q.id for q in got.missing} == {q.id for q in QUESTIONS} - {"ownership.owner", "leadership.support"}


def test_each_problem_is_named_at_its_field() -> None:
    form = {"ownership.owner": "Jane", "ownership.hours_per_week": "ten", "leadership.support": "maybe",
            "listening.done": "perhaps", "response.timezone": "Mars/Olympus", "response.staffing.tue": "9-25",
            "response.staffing.mon": "09-17x2", "measurement.as_of": "31/01/2026", "listening.weeks": "inf"}
    got = read_form(form)
    assert got.answers is None
    # every problem at once: the model's own check of the time zone too, though other answers did not convert
    assert set(got.errors) == {"ownership.hours_per_week", "leadership.support", "listening.done",
                               "response.staffing.tue", "measurement.as_of", "listening.weeks", "response.timezone"}
    assert "IANA" in got.errors["response.timezone"]
    assert got.errors["ownership.hours_per_week"] == "give a number, like 8 or 2.5"
    assert "committed, tolerant, sceptical, unknown" in got.errors["leadership.support"]
    assert "yes or no" in got.errors["listening.done"]
    assert "hours run from 00 to 24" in got.errors["response.staffing.tue"]
    assert "YYYY-MM-DD" in got.errors["measurement.as_of"]
    assert got.errors["listening.weeks"] == "give a number of weeks from 0 to 520, ten years"
    # the model's own checks alone: the time zone and a week of 200 hours
    got = read_form({"response.timezone": "Mars/Olympus", "ownership.hours_per_week": "200"})
    assert set(got.errors) == {"response.timezone", "ownership.hours_per_week"}
    assert "IANA" in got.errors["response.timezone"] and "168" in got.errors["ownership.hours_per_week"]


@pytest.mark.parametrize(("name", "typed", "said"), [
    ("listening.weeks", "1e9", "give a number of weeks from 0 to 520, ten years"),
    ("listening.weeks", "-1", "give a number of weeks from 0 to 520, ten years"),
    ("listening.weeks", "nan", "give a number of weeks from 0 to 520, ten years"),
    ("ownership.hours_per_week", "168.5", "give a number of hours from 0 to 168, the hours in a week"),
    ("ownership.hours_per_week", "-inf", "give a number of hours from 0 to 168, the hours in a week"),
    ("response.handling_minutes", "0", "give a number of minutes above 0 and at most 480, a working day"),
    ("response.handling_minutes", "481", "give a number of minutes above 0 and at most 480, a working day"),
    ("response.staffing.wed", "09-17x1001",
     "'09-17x1001': give a number of people above 0 and at most 1,000 in one shift"),
])
def test_an_absurd_number_is_refused_with_its_range(name: str, typed: str, said: str) -> None:
    got = read_form({name: typed})
    assert got.answers is None and got.errors == {name: said}


@pytest.mark.parametrize(("name", "typed", "kept"), [
    ("listening.weeks", "520", 520.0), ("listening.weeks", "0", 0.0), ("ownership.hours_per_week", "168", 168.0),
    ("response.handling_minutes", "480", 480.0), ("response.handling_minutes", "0.5", 0.5),
])
def test_the_ends_of_each_range_are_answers(name: str, typed: str, kept: float) -> None:
    got = read_form({name: typed})
    assert got.errors == {} and got.answers is not None
    dimension, field = name.split(".")
    assert got.answers.answers()[dimension][field] == kept
    people = read_form({"response.staffing.wed": "09-17x1000"}).answers
    assert people is not None and people.answers()["response"]["staffing"][0]["people"] == 1000.0


def test_every_number_question_has_the_bound_its_plan_field_checks() -> None:
    from strategyfirst.plan.readiness import Readiness

    for q in (q for q in QUESTIONS if q.kind == "number"):
        assert q.bound is not None, q.id
        high, above = {q.dimension: {q.field: q.bound.high}}, {q.dimension: {q.field: q.bound.high * 2}}
        Readiness.model_validate(high)
        with pytest.raises(ValueError, match=q.bound.advice):
            Readiness.model_validate(above)


def test_too_long_an_answer_is_refused_at_its_field() -> None:
    got = read_form({"listening.findings": "x" * 2001})
    assert got.answers is None and "at most 2,000 characters" in got.errors["listening.findings"]


def test_saving_rewrites_only_what_changed_and_removes_what_was_cleared() -> None:
    doc = loads(EXAMPLE + SECTION)
    form = form_values(doc.plan.readiness)
    assert replace_answers(doc, read_form(form).answers or parse_answers("{}")) == []
    assert doc.dumps() == EXAMPLE + SECTION                 # an unchanged form changes nothing at all

    form.update({"leadership.support": "committed", "leadership.sponsor": "", "listening.done": "yes"})
    changed = replace_answers(doc, read_form(form).answers or parse_answers("{}"))
    assert changed == ["leadership.support", "leadership.sponsor", "listening.done"]
    text = doc.dumps()
    assert "# who keeps talking" in text and "owner: Sam   # interim" in text   # comments kept
    assert "{support: committed}" in text and "COO" not in text
    assert 'hours: "09-17"' in text                         # the staffing blocks are left as written
    after = loads(text).plan.readiness
    assert after is not None and after.listening is not None and after.listening.done is True
    assert after.leadership is not None and after.leadership.sponsor is None


def test_clearing_a_whole_dimension_removes_it() -> None:
    doc = loads(EXAMPLE + SECTION)
    form = form_values(doc.plan.readiness)
    for name in (n for q in QUESTIONS if q.dimension == "response" for n in field_names(q)):
        form[name] = ""
    changed = replace_answers(doc, read_form(form).answers or parse_answers("{}"))
    assert changed == ["response.handling_minutes", "response.timezone", "response.staffing"]
    after = loads(doc.dumps()).plan.readiness
    assert after is not None and after.response is None and after.ownership is not None
