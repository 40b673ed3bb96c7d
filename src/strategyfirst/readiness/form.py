"""The questionnaire as a form (the web page, any other front end): the same questions, answer scales and
conversions as the terminal prompts, but every field is read at once, so each problem is named at its question
and blanks are answers not given yet (never an error).

Field names are the question ids (`ownership.owner`); the staffing question has one field per weekday
(`response.staffing.mon`), each in the prompt's shift syntax ('09-12x2, 13-17').
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from strategyfirst.plan.model import Plan
from strategyfirst.plan.readiness import WEEKDAYS, Readiness
from strategyfirst.readiness.prompt import (
    convert_bounded,
    day_schedules,
    default_answer,
    parse_day_schedule,
    staffing_blocks,
)
from strategyfirst.readiness.questions import QUESTIONS, Question

MAX_ANSWER_CHARS = 2000


def field_names(q: Question) -> list[str]:
    """The form fields of a question: its id, or one per weekday for the staffing schedule."""
    return [f"{q.id}.{day}" for day in WEEKDAYS] if q.kind == "staffing" else [q.id]


def form_values(current: Readiness | None, plan: Plan | None = None) -> dict[str, str]:
    """The current answers as the form's text values (what the terminal offers as defaults)."""
    values: dict[str, str] = {}
    for q in QUESTIONS:
        if q.kind == "staffing":
            per_day = day_schedules(current.response if current else None)
            values.update({f"{q.id}.{day}": per_day[day] for day in WEEKDAYS})
        else:
            values[q.id] = default_answer(q, current, plan)
    return values


@dataclass
class FormAnswers:
    """What a submitted form says: the answers (None when a field is wrong), the problem at each field, and
    the questions left blank."""

    answers: Readiness | None
    errors: dict[str, str] = field(default_factory=dict)
    missing: list[Question] = field(default_factory=list)


def _field_of(loc: tuple[Any, ...]) -> str:
    """The form field of a pydantic error location (`('response', 'staffing', 0, 'people')` -> staffing)."""
    q = next((q for q in QUESTIONS if (q.dimension, q.field) == tuple(loc[:2])), None)
    if q is None:
        return ".".join(str(p) for p in loc)
    return field_names(q)[0]


def read_form(form: Mapping[str, str]) -> FormAnswers:
    """Convert and validate every field of a submitted form; unknown fields are ignored."""
    data: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    missing: list[Question] = []
    for q in QUESTIONS:
        raws = {name: str(form.get(name) or "") for name in field_names(q)}
        for name, raw in raws.items():
            if len(raw) > MAX_ANSWER_CHARS:
                errors[name] = f"at most {MAX_ANSWER_CHARS:,} characters (this answer has {len(raw):,})"
        if any(name in errors for name in raws):
            continue
        if q.kind == "staffing":
            per_day = {}
            for day, name in zip(WEEKDAYS, raws, strict=True):
                try:
                    per_day[day] = parse_day_schedule(raws[name])
                except ValueError as exc:
                    errors[name] = str(exc)
            if not any(per_day.values()) and len(per_day) == len(WEEKDAYS):
                missing.append(q)
            data.setdefault(q.dimension, {})[q.field] = staffing_blocks(per_day)
            continue
        try:
            value = convert_bounded(q.kind, raws[q.id], q.bound)
        except ValueError as exc:
            errors[q.id] = _sentence(q, str(exc))
            continue
        if value is None:
            missing.append(q)
        elif q.choices and value not in q.choices:
            errors[q.id] = f"{value!r}: answer one of {', '.join(q.choices)}"
        else:
            data.setdefault(q.dimension, {})[q.field] = value
    # The model's own checks (a time zone, 200 hours a week) run on what converted, also when another answer did
    # not: every problem is named at once, not the rest only once the first are fixed.
    try:
        readiness = Readiness.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            if err["type"] == "missing" and errors:
                continue  # an answer left out above because it did not convert
            name = _field_of(tuple(err["loc"]))
            errors.setdefault(name, str(err["msg"]).removeprefix("Value error, "))
        return FormAnswers(None, errors, missing)
    return FormAnswers(None if errors else readiness, errors, missing)


def _sentence(q: Question, message: str) -> str:
    """A conversion error of a number or date field in words a form shows beside the field."""
    if q.kind == "number" and "could not convert" in message:
        return "give a number, like 8 or 2.5"
    if q.kind == "date" and ("Invalid isoformat" in message or "isoformat" in message):
        return "give a date as YYYY-MM-DD, like 2026-03-31"
    return message


def question_label(name: str) -> str:
    """The prompt of a form field (a weekday's staffing field is named by its day)."""
    for q in QUESTIONS:
        names = field_names(q)
        if name in names:
            return q.prompt if len(names) == 1 else f"{q.prompt} ({name.rsplit('.', 1)[1]})"
    return name


def unanswered(current: Readiness | None) -> list[Question]:
    """The questions the plan has no answer to (a time zone never given counts as unanswered)."""
    from strategyfirst.readiness.answers import answer_of

    return [q for q in QUESTIONS if answer_of(current, q.dimension, q.field) is None]


def answers_stamp(current: Readiness | None) -> str:
    """A short fingerprint of the answers, so a form can tell that they changed since it was opened."""
    import hashlib
    import json

    text = json.dumps(current.answers() if current else None, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
