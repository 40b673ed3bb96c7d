"""The readiness questionnaire on the web: the form's view (questions, current answers, problems, what is
unanswered) and saving a submitted form through the CLI's own `replace_answers`/`apply_answers` into
strategy.yaml as a new plan version (author and why kept; a concurrent change refused, nothing lost; refused
with 422 as any save is when lint reports errors in the plan it would write)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strategyfirst.appdb.history import text_sha256
from strategyfirst.appdb.render import iso
from strategyfirst.errors import ConflictError, LintRefusedError, PlanError
from strategyfirst.lint.saving import check_savable
from strategyfirst.plan import load, loads
from strategyfirst.readiness.answers import replace_answers
from strategyfirst.readiness.form import answers_stamp, field_names, form_values, read_form, unanswered
from strategyfirst.readiness.prompt import SKIP
from strategyfirst.readiness.questions import DIMENSIONS, QUESTIONS, Question
from strategyfirst.web import services

DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Outcome:
    """A save's outcome: the new plan version (0: nothing changed), or the status and the form to show."""

    version: int | None
    status: int = 200
    context: dict[str, Any] = field(default_factory=dict)


def html_id(name: str) -> str:
    return "f-" + name.replace(".", "-")


def _question(q: Question) -> dict[str, Any]:
    names = field_names(q)
    labels = DAY_LABELS if q.kind == "staffing" else (q.prompt,)
    return {"id": q.id, "prompt": q.prompt, "kind": q.kind, "help": q.help, "anchor": html_id(names[0]),
            "choices": q.choices or (("yes", "no") if q.kind == "yes_no" else ()),
            "fields": [{"name": n, "label": label, "html_id": html_id(n)} for n, label in zip(names, labels,
                                                                                             strict=True)]}


def questionnaire(m: Any, *, saved: int | None = None, values: dict[str, str] | None = None,
                  errors: dict[str, str] | None = None, base: str | None = None,
                  message: str | None = None, refused: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What the page's questionnaire shows: every question by dimension with its value and problem."""
    try:
        doc = m.ws.plan_document()
    except PlanError as exc:
        return {"problem": f"The plan does not load, so the answers cannot be read: {exc.problems[0].message} "
                           "(fix it in the plan editor first)."}
    current = doc.plan.readiness
    missing = read_form(values).missing if values is not None else unanswered(current)
    shown = values if values is not None else form_values(current, doc.plan)
    return {"dimensions": [{"title": d.title, "why": d.why,
                            "questions": [_question(q) for q in QUESTIONS if q.dimension == d.id]}
                           for d in DIMENSIONS],
            "values": shown, "errors": errors or {}, "base": base if base is not None else answers_stamp(current),
            "missing": [{"prompt": q.prompt, "anchor": html_id(field_names(q)[0])} for q in missing],
            "total": len(QUESTIONS), "saved": saved, "message": message, "refused": refused or [], "skip": SKIP,
            "labels": {n: f"{q.prompt} ({DAY_LABELS[i]})" if q.kind == "staffing" else q.prompt
                       for q in QUESTIONS for i, n in enumerate(field_names(q))}}


def save_answers(m: Any, form: dict[str, str]) -> Outcome:
    """Validate a submitted form and write its answers as the plan's (see the module's docstring)."""
    values = {n: form.get(n, "") for q in QUESTIONS for n in field_names(q)}
    base = form.get("base", "")
    got = read_form(values)
    if got.answers is None:
        return Outcome(None, 422, questionnaire(m, values=values, errors=got.errors, base=base))
    try:
        doc = load(m.ws.plan_path)  # a copy of its own: the workspace's parsed plan is shared, this one is edited
    except PlanError:
        return Outcome(None, 422, questionnaire(m))
    current = answers_stamp(doc.plan.readiness)
    if base != current:
        version = m.state.db.record_plan_version(m.slug, doc.text)
        who = version.author or "someone editing strategy.yaml directly (or the CLI)"
        return Outcome(None, 409, questionnaire(m, values=values, base=current, message=(
            f"Not saved: the answers changed since this form was opened (plan version {version.number}, saved "
            f"by {who} at {iso(version.created_at)}). Your answers are still in the form and the score above "
            "counts the current ones; save again to make yours current.")))
    changed = replace_answers(doc, got.answers)
    if not changed:
        return Outcome(0)
    text = doc.dumps()
    loads(text)  # never write a plan that would not load again
    try:  # nor one lint reports errors in, as the plan editor and the API refuse it (lint/saving.py)
        check_savable(text)
    except LintRefusedError as exc:
        return Outcome(None, 422, questionnaire(m, values=values, base=current, refused=services.problems_json(exc)))
    why = f"readiness answers: {', '.join(changed)}"[:2000]
    try:
        saved = services.save_plan(m.ws, m.state.db, m.slug, text, m.email, why, [text_sha256(doc.text)])
    except ConflictError as exc:
        return Outcome(None, 409, questionnaire(m, values=values, base=current, message=f"Not saved: {exc.message}"))
    return Outcome(int(saved.number))
