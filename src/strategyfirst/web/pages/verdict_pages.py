"""Verdicts and budget proposals, each with a button to record a decision; the decision log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb.render import decision_json
from strategyfirst.web.api.decisions import record_decision
from strategyfirst.web.deps import PageEditor, PageViewer
from strategyfirst.web.pages.workspace_pages import diagnosis_or_none
from strategyfirst.web.templating import render

router = APIRouter()


@router.get("/w/{slug}/verdicts")
def read_verdicts(request: Request, m: PageViewer, recorded: int | None = None) -> Response:
    """Tactic-vs-strategy verdicts and budget proposals, with the decisions taken so far."""
    diagnosis, why = diagnosis_or_none(m)
    decisions = [decision_json(d) for d in reversed(m.state.db.decisions(m.slug))]
    return render(request, "verdicts.html", {"m": m, "tab": "verdicts", "diagnosis": diagnosis,
                                             "no_diagnosis": why, "decisions": decisions,
                                             "recorded": recorded})


@router.post("/w/{slug}/decisions")
def create_decision_page(m: PageEditor, text: Annotated[str, Form(max_length=5000)],
                         objective: Annotated[str, Form(max_length=100)] = "",
                         tactic: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Record a decision with the current verdicts as its evidence, then show the log."""
    decision = record_decision(m, text, objective or None, tactic or None)
    return RedirectResponse(f"/w/{m.slug}/verdicts?recorded={decision['number']}", status_code=303)
