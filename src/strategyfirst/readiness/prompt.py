"""Ask the readiness questionnaire in the terminal (questionary arrow-key prompts) and build the answers.

The asking is behind a small `Asker` callable so that tests (and other front ends) can drive the same flow.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from strategyfirst.errors import UsageError
from strategyfirst.plan.model import Plan
from strategyfirst.plan.readiness import SHIFT_PEOPLE, WEEKDAY_NAMES, WEEKDAYS, Bound, Readiness, Response, parse_hours
from strategyfirst.readiness.questions import QUESTIONS, Kind, Question

SKIP = "skip / not sure"
# (prompt, kind, default, choices, help, bound of a number) -> the raw answer ("" for none)
Asker = Callable[[str, Kind, str, tuple[str, ...], str, Bound | None], str]
_SHIFT = re.compile(r"^\s*(\d{1,2}(?::00)?\s*[-–]\s*\d{1,2}(?::00)?)\s*(?:[x×*]\s*(\d+(?:\.\d+)?))?\s*$")


def parse_day_schedule(text: str) -> list[tuple[str, float]]:
    """'09-12x2, 13-17' -> [('09-12', 2.0), ('13-17', 1.0)]; blank -> nobody on duty."""
    shifts = []
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        m = _SHIFT.match(part)
        if not m:
            raise ValueError(f"{part.strip()!r} is not a shift like '09-17x2' (hours, then x people)")
        start, end = parse_hours(m.group(1))
        people = float(m.group(2)) if m.group(2) else 1.0
        if people <= 0:
            raise ValueError(f"{part.strip()!r}: give at least one person, or leave the day blank")
        if not SHIFT_PEOPLE.holds(people):
            raise ValueError(f"{part.strip()!r}: {SHIFT_PEOPLE.advice}")
        shifts.append((f"{start:02d}-{end:02d}", people))
    return shifts


def staffing_blocks(per_day: dict[str, list[tuple[str, float]]]) -> list[dict[str, Any]]:
    """Per-day shifts as staffing blocks, days with the same shift grouped (mon-fri 09-17 x2 is one block)."""
    blocks: list[dict[str, Any]] = []
    for day in WEEKDAYS:
        for hours, people in per_day.get(day, []):
            same = next((b for b in blocks if (b["hours"], b["people"]) == (hours, people)), None)
            if same is None:
                blocks.append({"days": [day], "hours": hours, "people": people})
            elif day not in same["days"]:
                same["days"].append(day)
    return blocks


def day_schedules(response: Response | None) -> dict[str, str]:
    """The declared staffing as one text answer per weekday (the defaults of the staffing prompts)."""
    out: dict[str, list[str]] = {d: [] for d in WEEKDAYS}
    for block in response.staffing if response else []:
        for day in block.days:
            out[day].append(block.hours + (f"x{block.people:g}" if block.people != 1 else ""))
    return {d: ", ".join(v) for d, v in out.items()}


def default_answer(q: Question, current: Readiness | None, plan: Plan | None) -> str:
    block = getattr(current, q.dimension, None) if current else None
    value = getattr(block, q.field, None) if block is not None else None
    if value is None and q.id == "ownership.owner" and plan is not None:
        value = plan.owner
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def convert(kind: Kind, raw: str) -> Any:
    """A raw answer as the plan stores it (None for blank or skipped); ValueError says what is wrong."""
    text = raw.strip()
    if not text or text == SKIP:
        return None
    if kind == "number":
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"{text!r}: give a finite number")
        return number
    if kind == "yes_no":
        if text.lower() not in ("yes", "no", "y", "n", "true", "false"):
            raise ValueError(f"{text!r}: answer yes or no")
        return text.lower() in ("yes", "y", "true")
    if kind == "date":
        return dt.date.fromisoformat(text)
    return text


def convert_bounded(kind: Kind, raw: str, bound: Bound | None) -> Any:
    """`convert`, and a number outside `bound` (infinities and NaN included) refused with the bound's advice."""
    text = raw.strip()
    if kind == "number" and bound is not None and text and text != SKIP:
        return bound.check(float(text))
    return convert(kind, raw)


def _check(kind: Kind, bound: Bound | None = None) -> Callable[[str], bool | str]:
    """A questionary validator: True, or the message to show under the prompt."""
    def validate(raw: str) -> bool | str:
        try:
            parse_day_schedule(raw) if kind == "staffing" else convert_bounded(kind, raw, bound)
        except ValueError as exc:
            return str(exc)
        return True
    return validate


def questionary_asker(prompt: str, kind: Kind, default: str, choices: tuple[str, ...], help: str,
                      bound: Bound | None = None) -> str:
    """Arrow-key menus for choices and yes/no, validated text for the rest."""
    import questionary

    if kind in ("choice", "yes_no"):
        options = [*(choices or ("yes", "no")), SKIP]
        answer = questionary.select(prompt, choices=options, default=default if default in options else None,
                                    instruction=help or None).unsafe_ask()
        return "" if answer in (None, SKIP) else str(answer)
    answer = questionary.text(prompt, default=default, validate=_check(kind, bound),
                              instruction=(f"({help})" if help else None)).unsafe_ask()
    return str(answer or "")


def ask_answers(current: Readiness | None = None, *, plan: Plan | None = None,
                asker: Asker | None = None) -> Readiness:
    """Ask every question (current answers as defaults) and return the validated answers."""
    ask = asker or questionary_asker
    data: dict[str, dict[str, Any]] = {}
    for q in QUESTIONS:
        if q.kind == "staffing":
            defaults = day_schedules(current.response if current else None)
            per_day = {}
            for day, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
                raw = ask(f"{name}: who is on duty to answer?", "staffing", defaults[day], (), q.help, None)
                try:
                    per_day[day] = parse_day_schedule(raw)
                except ValueError as exc:
                    raise UsageError(f"{name}: {exc}") from None
            data.setdefault(q.dimension, {})[q.field] = staffing_blocks(per_day)
            continue
        raw = ask(q.prompt, q.kind, default_answer(q, current, plan), q.choices, q.help, q.bound)
        try:
            value = convert_bounded(q.kind, raw, q.bound)
        except ValueError as exc:
            raise UsageError(f"{q.id}: {exc}") from None
        if value is not None:
            data.setdefault(q.dimension, {})[q.field] = value
    try:
        return Readiness.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"readiness.{where}: {str(first['msg']).removeprefix('Value error, ')}") from None
