"""Readiness answers round-trip into strategy.yaml: comments kept, the same answers come back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.errors import PlanError
from strategyfirst.plan import load
from strategyfirst.readiness import parse_answers, read_answers, record_answers

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()

ANSWERS_YAML = """\
ownership: {owner: Jane Doe, hours_per_week: 10}
leadership: {support: committed, sponsor: COO}
listening: {done: true, weeks: 6, findings: Customers ask about repairs on Sunday evenings}
guidelines: {written: true, escalation: "product team within 4 hours; CEO for a crisis"}
response:
  handling_minutes: 6.5
  timezone: Europe/Paris
  staffing:
    - {days: mon-fri, hours: "09-17", people: 2}
    - {days: [saturday], hours: "10-14", people: 1}
measurement: {baseline_captured: true, as_of: 2026-01-10}
budget: {lasts_horizon: partly, funded_until: 2026-09-30}
content: {plan: true, tied_to_objectives: false}
"""

EXPECTED = {
    "ownership": {"owner": "Jane Doe", "hours_per_week": 10.0},
    "leadership": {"support": "committed", "sponsor": "COO"},
    "listening": {"done": True, "weeks": 6.0, "findings": "Customers ask about repairs on Sunday evenings"},
    "guidelines": {"written": True, "escalation": "product team within 4 hours; CEO for a crisis"},
    "response": {"handling_minutes": 6.5, "timezone": "Europe/Paris", "staffing": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09-17", "people": 2.0},
        {"days": ["sat"], "hours": "10-14", "people": 1.0}]},
    "measurement": {"baseline_captured": True, "as_of": "2026-01-10"},
    "budget": {"lasts_horizon": "partly", "funded_until": "2026-09-30"},
    "content": {"plan": True, "tied_to_objectives": False},
}


def comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line and "#Acme" not in line]


def workspace(tmp_path: Path, text: str = EXAMPLE) -> Workspace:
    ws = Workspace(tmp_path)
    ws.plan_path.write_text(text, encoding="utf-8")
    return ws


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_answers_file_round_trips_into_the_plan(tmp_path: Path, fmt: str) -> None:
    ws = workspace(tmp_path)
    file = tmp_path / f"answers.{fmt}"
    if fmt == "yaml":
        file.write_text(ANSWERS_YAML, encoding="utf-8")
    else:
        file.write_text(json.dumps({"readiness": EXPECTED}), encoding="utf-8")
    doc = record_answers(ws, read_answers(file))
    text = ws.plan_path.read_text(encoding="utf-8")
    assert text.startswith(EXAMPLE)                       # everything before is untouched, comments included
    assert comments(EXAMPLE) and set(comments(EXAMPLE)) <= set(comments(text))
    reloaded = load(ws.plan_path).plan.readiness
    assert reloaded is not None and reloaded.answers() == EXPECTED
    assert doc.plan.readiness == reloaded
    assert reloaded.response is not None and reloaded.response.declared()[0][9] == 2.0


def test_updating_answers_keeps_comments_inside_the_section(tmp_path: Path) -> None:
    ws = workspace(tmp_path, EXAMPLE + "readiness:\n  ownership:   # who keeps talking\n"
                                       "    owner: Sam   # interim\n    hours_per_week: 2\n")
    record_answers(ws, parse_answers("ownership: {hours_per_week: 12}\nleadership: {support: tolerant}\n"))
    text = ws.plan_path.read_text()
    assert "# who keeps talking" in text and "owner: Sam   # interim" in text
    plan = load(ws.plan_path).plan
    assert plan.readiness is not None and plan.readiness.ownership is not None
    assert (plan.readiness.ownership.owner, plan.readiness.ownership.hours_per_week) == ("Sam", 12.0)
    assert plan.readiness.leadership is not None and plan.readiness.leadership.support == "tolerant"


def test_dates_are_written_as_dates(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    record_answers(ws, parse_answers("measurement: {baseline_captured: true, as_of: 2026-02-01}"))
    assert "as_of: 2026-02-01" in ws.plan_path.read_text()
    m = load(ws.plan_path).plan.readiness.measurement  # type: ignore[union-attr]
    assert m is not None and m.as_of == dt.date(2026, 2, 1)


@pytest.mark.parametrize(("text", "where", "what"), [
    ("ownership:\n  owner: Jane\n  hours_a_week: 3\n", (3, 3), "ownership.hours_a_week: unknown question"),
    ("leadership: {support: maybe}\n", (1, 14), "leadership.support"),
    ("response:\n  staffing:\n    - {days: mon, hours: '17-09', people: 1}\n", (3, 19),
     "response.staffing[0].hours"),
    ("response: {timezone: Mars/Olympus}\n", (1, 12), "response.timezone"),
    ("readiness:\n  budget: {lasts_horizon: forever}\n", (2, 12), "readiness.budget.lasts_horizon"),
    ("ownership: [1, 2\n", None, "cannot read the answers"),
    ("listening: {done: true, weeks: 1e9}\n", (1, 25),
     "listening.weeks: give a number of weeks from 0 to 520, ten years"),
    ("listening: {weeks: .nan}\n", (1, 13), "listening.weeks: give a number of weeks from 0 to 520, ten years"),
    ("ownership: {hours_per_week: 200}\n", (1, 13),
     "ownership.hours_per_week: give a number of hours from 0 to 168, the hours in a week"),
    ("response: {handling_minutes: .inf}\n", (1, 12),
     "response.handling_minutes: give a number of minutes above 0 and at most 480, a working day"),
    ("response:\n  staffing:\n    - {days: mon, hours: '09-17', people: -2}\n", (3, 35),
     "response.staffing[0].people: give a number of people above 0 and at most 1,000 in one shift"),
])
def test_bad_answers_are_located(text: str, where: tuple[int, int] | None, what: str) -> None:
    with pytest.raises(PlanError) as info:
        parse_answers(text, file="answers.yaml")
    problem = info.value.problems[0]
    assert what in problem.message and problem.file == "answers.yaml"
    if where:
        assert (problem.line, problem.column) == where


def test_missing_answers_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"no such file; check the path$"):
        read_answers(tmp_path / "nope.yaml")
