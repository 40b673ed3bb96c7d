"""Verdicts and budget proposals, each with a button to record a decision; the decision log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb.decide import decision_text, plan_ids
from strategyfirst.appdb.render import decision_json
from strategyfirst.errors import UsageError
from strategyfirst.web.api.decisions import (
    MAX_DECISION_CHARS,
    MAX_VERSION,
    edit_decision,
    record_decision,
    withdraw_decision,
)
from strategyfirst.web.deps import AsOf, Member, PageEditor, PageViewer
from strategyfirst.web.pages.workspace_pages import diagnosis_or_none
from strategyfirst.web.templating import render

router = APIRouter()


@router.get("/w/{slug}/verdicts")
def read_verdicts(request: Request, m: PageViewer, as_of: AsOf, recorded: int | None = None,
                  changed: int | None = None) -> Response:
    """Tactic-vs-strategy verdicts and budget proposals, with the decisions taken so far."""
    diagnosis, why = diagnosis_or_none(m, as_of)
    decisions = [decision_json(d) for d in reversed(m.state.db.decisions(m.slug))]
    return render(request, "verdicts.html", {"m": m, "tab": "verdicts", "diagnosis": diagnosis,
                                             "no_diagnosis": why, "decisions": decisions, "as_of": as_of,
                                             "recorded": recorded, "changed": changed})


MAX_ID_CHARS = 100
MAX_WHY_CHARS = 2000
# What the forms accept before checking it themselves: a refused value comes back in the form with its problem
# next to it (the body limit of limits.py bounds the request).
Typed = Annotated[str, Form(max_length=10 * MAX_DECISION_CHARS)]


def decision_problems(m: Member, text: str, objective: str, tactic: str) -> dict[str, str]:
    """What the decision form would refuse, by field: an empty or too long text, an id the plan does not have."""
    problems = {}
    if not text.strip():
        problems["text"] = "The decision is empty: say what was decided and why, briefly."
    elif len(text) > MAX_DECISION_CHARS:
        problems["text"] = (f"A decision is at most {MAX_DECISION_CHARS:,} characters; this one has {len(text):,}: "
                            "shorten it.")
    else:
        try:
            decision_text(text, "The text")  # the library's check (a control character), said at the field
        except UsageError as exc:
            problems["text"] = f"{exc}."
    ids = plan_ids(m.ws) if objective or tactic else None  # no plan (or a broken one): nothing to check against
    for name, value, known in (("objective", objective, ids[0] if ids else None),
                               ("tactic", tactic, ids[1] if ids else None)):
        if len(value) > MAX_ID_CHARS:
            problems[name] = f"An id is at most {MAX_ID_CHARS} characters."
        elif value and known is not None and value not in known:
            problems[name] = f"The plan has no {name} {value!r} ({name}s: {', '.join(known) or 'none'})."
    return problems


def decision_form(request: Request, m: Member, decision: dict[str, Any] | None, problems: dict[str, str],
                  **typed: str) -> Response:
    """The decision form again with what was typed and each problem next to its field (422)."""
    return render(request, "decision_form.html", {"m": m, "tab": "verdicts", "decision": decision,
                                                  "errors": problems, **typed}, status=422)


@router.post("/w/{slug}/decisions")
def create_decision_page(request: Request, m: PageEditor, text: Typed = "", objective: Typed = "",
                         tactic: Typed = "") -> Response:
    """Record a decision with the current verdicts as its evidence, then show the log."""
    problems = decision_problems(m, text, objective, tactic)
    if problems:
        return decision_form(request, m, None, problems, text=text, objective=objective, tactic=tactic)
    decision = record_decision(m, text, objective or None, tactic or None)
    return RedirectResponse(f"/w/{m.slug}/verdicts?recorded={decision['number']}", status_code=303)


Number = Annotated[int, Path(ge=1, le=MAX_VERSION)]


@router.get("/w/{slug}/decisions/new")
def read_decision_form(request: Request, m: PageEditor, text: str = "", objective: str = "",
                       tactic: str = "") -> Response:
    """The decision form, prefilled from a verdict or budget row (nothing is recorded until it is sent)."""
    return render(request, "decision_form.html", {"m": m, "tab": "verdicts", "decision": None,
                                                  "text": text[:MAX_DECISION_CHARS], "objective": objective[:100],
                                                  "tactic": tactic[:100]})


@router.get("/w/{slug}/decisions/{number}/edit")
def read_decision_editor(request: Request, m: PageEditor, number: Number) -> Response:
    """A decision's text and scope to correct, and the form to withdraw it."""
    found = m.state.db.decision(m.slug, number)
    if found is None:
        raise HTTPException(404, f"workspace {m.slug!r} has no decision {number}")
    d = decision_json(found)
    return render(request, "decision_form.html", {"m": m, "tab": "verdicts", "decision": d, "text": d["text"],
                                                  "objective": d["objective"], "tactic": d["tactic"]})


@router.post("/w/{slug}/decisions/{number}")
def update_decision_page(request: Request, m: PageEditor, number: Number, text: Typed = "", objective: Typed = "",
                         tactic: Typed = "", why: Typed = "") -> Response:
    """Save a correction of the decision (before/after kept), then show the log."""
    problems = decision_problems(m, text, objective, tactic)
    if len(why) > MAX_WHY_CHARS:
        problems["why"] = f"At most {MAX_WHY_CHARS:,} characters (this has {len(why):,}): shorten it."
    if problems:
        found = m.state.db.decision(m.slug, number)
        if found is None:
            raise HTTPException(404, f"workspace {m.slug!r} has no decision {number}")
        return decision_form(request, m, decision_json(found), problems, text=text, objective=objective,
                             tactic=tactic, why=why)
    edit_decision(m, number, text, objective or None, tactic or None, why or None)
    return RedirectResponse(f"/w/{m.slug}/verdicts?changed={number}#d{number}", status_code=303)


@router.post("/w/{slug}/decisions/{number}/withdraw")
def delete_decision_page(m: PageEditor, number: Number,
                         why: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Withdraw the decision (kept in the history, marked withdrawn), then show the log."""
    withdraw_decision(m, number, why or None)
    return RedirectResponse(f"/w/{m.slug}/verdicts?changed={number}#d{number}", status_code=303)
