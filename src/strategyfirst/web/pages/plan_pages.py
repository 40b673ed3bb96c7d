"""The plan editor: the YAML in a text area, lint findings beside it as you type, saving makes a version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb.history import text_sha256
from strategyfirst.errors import ConflictError, PlanError
from strategyfirst.lint import lint_text
from strategyfirst.plan import loads
from strategyfirst.web import services
from strategyfirst.web.deps import PageEditor, PageViewer
from strategyfirst.web.templating import render

router = APIRouter()
MAX_PLAN = 1 << 20


def from_form(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the file keeps the plan's own LF."""
    return text.replace("\r\n", "\n")


def lint_view(text: str) -> dict[str, Any]:
    """Lint findings of the text, or its located parse problems."""
    text = from_form(text)
    try:
        return {"report": lint_text(text).to_json("strategy.yaml"), "problems": []}
    except PlanError as exc:
        return {"report": None, "problems": services.problems_json(exc)}


@router.get("/w/{slug}/plan")
def read_plan_editor(request: Request, m: PageViewer, saved: int | None = None) -> Response:
    """The editor with the current plan text and its lint findings."""
    text, _plan, _problems = services.plan_state(m.ws)
    return render(request, "plan.html", {"m": m, "tab": "plan", "text": text, "saved": saved,
                                         "base": text_sha256(text) if text else "",
                                         "lint": lint_view(text) if text else None})


@router.post("/w/{slug}/plan/lint")
def lint_plan_draft(request: Request, m: PageViewer,
                    text: Annotated[str, Form(max_length=MAX_PLAN)] = "") -> Response:
    """Lint findings of the draft in the editor (an HTMX fragment; nothing is saved)."""
    return render(request, "_lint_findings.html", {"lint": lint_view(text)})


@router.post("/w/{slug}/plan")
def update_plan_page(request: Request, m: PageEditor, text: Annotated[str, Form(max_length=MAX_PLAN)],
                     why: Annotated[str, Form(max_length=2000)] = "",
                     base: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Save the text as a new plan version and write strategy.yaml; 422 with the problems if it does not
    parse; 409 keeping the text in the editor, with who saved what meanwhile, when the plan moved on since
    the editor was opened (`base`)."""
    text = from_form(text)
    page = {"m": m, "tab": "plan", "text": text, "why": why, "base": base}
    try:
        loads(text, file="strategy.yaml")
    except PlanError:
        return render(request, "plan.html", {**page, "lint": lint_view(text)}, status=422)
    try:
        version = services.save_plan(m.ws, m.state.db, m.slug, text, m.email, why or None,
                                     [base] if base else None)
    except ConflictError as exc:
        # the next save is based on what is current now: saving again after merging is deliberate
        current = exc.details["current"]
        return render(request, "plan.html", {**page, "lint": lint_view(text), "conflict": exc.details,
                                             "conflict_message": exc.message,
                                             "base": current["sha256"] if isinstance(current, dict) else ""},
                      status=409)
    return RedirectResponse(f"/w/{m.slug}/plan?saved={version.number}", status_code=303)
