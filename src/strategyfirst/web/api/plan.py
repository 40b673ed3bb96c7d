"""The plan of a workspace: read it, save a new version (editor+), lint it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field

from strategyfirst.appdb.history import text_sha256
from strategyfirst.appdb.plansave import etag, parse_if_match
from strategyfirst.lint.addition import MAX_CHARS, Checked, add_kpi, add_objective, add_tactic
from strategyfirst.lint.saving import check_savable
from strategyfirst.plan.document import MAX_PLAN_CHARS, format_path
from strategyfirst.web import services
from strategyfirst.web.answers import json_answer
from strategyfirst.web.deps import ApiEditor, ApiViewer, Member
from strategyfirst.web.limits import Day
from strategyfirst.web.schemas import (
    BODY_TOO_LARGE,
    SCOPED,
    STALE_PLAN,
    LintOut,
    PlanAdded,
    PlanOut,
    PlanSaved,
    documented,
)

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["plan"])


class PlanIn(BaseModel):
    text: str = Field(max_length=MAX_PLAN_CHARS, description="The whole strategy.yaml text (at most 1,000,000 "
                      "characters).")
    why: str | None = Field(None, max_length=2000, description="Why it changed (kept with the version).")


IfMatch = Annotated[str | None, Header(max_length=1000, description=(
    "The ETag of the version this change was based on (from GET /plan): refused with 409 if another version "
    "became current since. Without it the save is unconditional."))]
# a number, or text as a person writes it ("90%"): the text is bounded, the number is a number
Amount = Annotated[str, Field(max_length=MAX_CHARS["target"])] | int | float
Why = Field(None, max_length=2000, description="Why it changed (default: what was added, in words).")


class ObjectiveIn(BaseModel):
    id: str = Field(max_length=MAX_CHARS["id"], description="A slug, unique among the objectives.")
    statement: str = Field("", max_length=MAX_CHARS["statement"])
    why: str | None = Why


class KpiIn(BaseModel):
    objective: str = Field(max_length=MAX_CHARS["objective"], description="The id of the objective the KPI measures.")
    metric: str = Field(max_length=MAX_CHARS["metric"],
                        description="A metric id of the catalogue (`strategyfirst metrics`).")
    target: Amount = Field("", description="A number in the metric's unit (a share as 0.9 or \"90%\").")
    baseline: Amount = ""
    by: str = Field("", max_length=MAX_CHARS["by"], description="YYYY-MM-DD; default: the horizon's end.")
    why: str | None = Why


class TacticIn(BaseModel):
    id: str = Field(max_length=MAX_CHARS["id"], description="A slug, unique among the tactics.")
    serves: list[str] = Field(default_factory=list, max_length=100, description="The objective ids it serves.")
    channel: str = Field("", max_length=MAX_CHARS["channel"])
    owner: str = Field("", max_length=MAX_CHARS["owner"])
    budget: Amount = ""
    start: str = Field("", max_length=MAX_CHARS["start"])
    end: str = Field("", max_length=MAX_CHARS["end"])
    accounts: str = Field("", max_length=MAX_CHARS["accounts"],
                          description="Comma-separated handles its posts come from.")
    hashtags: str = Field("", max_length=MAX_CHARS["hashtags"],
                          description="Comma-separated hashtags that mark its posts.")
    campaign: str = Field("", max_length=MAX_CHARS["campaign"])
    question: str = Field("", max_length=MAX_CHARS["question"],
                          description="An experiment's question (when it serves none yet).")
    until: str = Field("", max_length=MAX_CHARS["until"], description="When the experiment is decided (YYYY-MM-DD).")
    why: str | None = Why


def _text(value: str | int | float) -> str:
    return value if isinstance(value, str) else repr(value)


def _save_added(m: Member, add: Callable[[str], Checked], why: str | None, if_match: str | None,
                response: Response) -> dict[str, Any]:
    """Add to the current plan and save it: based on `If-Match` when given, else on the text it was added to
    (a save in between is a 409, never overwritten); 422 located at the body field when lint would refuse."""
    text = services.plan_state(m.ws)[0]
    checked = add(text)
    bases = parse_if_match(if_match) or [text_sha256(text)]
    version = services.save_plan(m.ws, m.state.db, m.slug, checked.text, m.email, why or f"added {checked.what}",
                                 bases)
    response.headers["ETag"] = etag(version.sha256)
    return {"workspace": m.slug, "version": version.number, "sha256": version.sha256,
            "lint": services.lint_json(m.ws), "what": checked.what, "path": format_path(checked.added.path),
            "line": checked.line}


@router.post("/plan/objectives", status_code=201, **documented(PlanAdded, SCOPED, STALE_PLAN, BODY_TOO_LARGE,
                                                                status=201))
def create_objective(body: ObjectiveIn, m: ApiEditor, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """Add an objective after the last one (the rest of strategy.yaml kept byte for byte) as a new version."""
    return _save_added(m, lambda text: add_objective(text, id=body.id, statement=body.statement), body.why,
                       if_match, response)


@router.post("/plan/kpis", status_code=201, **documented(PlanAdded, SCOPED, STALE_PLAN, BODY_TOO_LARGE, status=201))
def create_kpi(body: KpiIn, m: ApiEditor, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """Add a KPI to an objective (one line, after its last KPI) as a new version."""
    return _save_added(m, lambda text: add_kpi(text, objective=body.objective, metric=body.metric,
                                               target=_text(body.target), baseline=_text(body.baseline),
                                               by=body.by), body.why, if_match, response)


@router.post("/plan/tactics", status_code=201, **documented(PlanAdded, SCOPED, STALE_PLAN, BODY_TOO_LARGE,
                                                             status=201))
def create_tactic(body: TacticIn, m: ApiEditor, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """Add a tactic after the last one as a new version."""
    return _save_added(m, lambda text: add_tactic(
        text, id=body.id, serves=body.serves, channel=body.channel, owner=body.owner, budget=_text(body.budget),
        start=body.start, end=body.end, accounts=body.accounts, hashtags=body.hashtags, campaign=body.campaign,
        question=body.question, until=body.until), body.why, if_match, response)


@router.get("/plan", **documented(PlanOut, SCOPED))
def read_plan(request: Request, m: ApiViewer) -> Response:
    """The plan text, its current version number and its parsed form (null with `problems` if it does not
    parse); the `ETag` header names the version, for `If-Match` on PUT (and If-None-Match on GET)."""
    text, parsed, problems = services.plan_state(m.ws)
    version = m.ws.record_plan() if text else None
    found = services.answer(m.ws, ("plan", m.slug, version.number if version else None), lambda: {
        "workspace": m.slug, "text": text, "version": version.number if version else None,
        "sha256": version.sha256 if version else None, "plan": parsed, "problems": problems})
    return json_answer(request, found, etag(version.sha256) if version is not None else None)


@router.put("/plan", **documented(PlanSaved, SCOPED, STALE_PLAN, BODY_TOO_LARGE))
def update_plan(body: PlanIn, m: ApiEditor, response: Response,
                if_match: Annotated[str | None, Header(max_length=1000, description=(
                    "The ETag of the version this text was based on (from GET /plan): the save is refused "
                    "with 409 if another version became current since. Without it the save is unconditional."
                ))] = None) -> dict[str, Any]:
    """Save a new plan version (written back to strategy.yaml); 422 with located errors if it does not
    parse or if lint reports errors (one item per error: where, what, what to do; nothing saved — warnings do
    not refuse it and are in the answer's `lint`); 409 (nothing written) with the newer version's author, time
    and diff when `If-Match` is stale."""
    check_savable(body.text)  # PlanError → 422 with every located problem, or every lint error
    version = services.save_plan(m.ws, m.state.db, m.slug, body.text, m.email, body.why,
                                 parse_if_match(if_match))
    response.headers["ETag"] = etag(version.sha256)
    return {"workspace": m.slug, "version": version.number, "sha256": version.sha256,
            "lint": services.lint_json(m.ws)}


class RevertIn(BaseModel):
    version: int = Field(ge=1, le=1_000_000_000, description="The earlier version to make the plan again.")
    why: str | None = Field(None, max_length=2000, description="Why (kept after `reverts to version N: `).")


@router.post("/plan/revert", status_code=201, **documented(PlanSaved, SCOPED, STALE_PLAN, BODY_TOO_LARGE,
                                                               status=201))
def revert_plan(body: RevertIn, m: ApiEditor, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """Make an earlier version the plan again: saved as a new version whose why says `reverts to version N`
    (the history keeps every change); 422 for an unknown version, the current one, or one lint reports
    errors in today; 409 when `If-Match` is no longer current."""
    version = services.revert_plan(m.ws, m.state.db, m.slug, body.version, m.email, body.why,
                                   parse_if_match(if_match))
    response.headers["ETag"] = etag(version.sha256)
    return {"workspace": m.slug, "version": version.number, "sha256": version.sha256,
            "lint": services.lint_json(m.ws)}


@router.get("/lint", **documented(LintOut, SCOPED))
def read_lint(request: Request, m: ApiViewer, as_of: Day | None = None) -> Response:
    """The JSON of `lint --format json`."""
    key = ("lint", as_of or dt.date.today())  # without as_of, lint judges deadlines against today
    return json_answer(request, services.answer(m.ws, key, lambda: services.lint_json(m.ws, as_of)))
