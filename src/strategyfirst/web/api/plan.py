"""The plan of a workspace: read it, save a new version (editor+), lint it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from strategyfirst.appdb.plansave import etag, parse_if_match
from strategyfirst.plan import loads
from strategyfirst.plan.document import MAX_PLAN_CHARS
from strategyfirst.web import services
from strategyfirst.web.deps import ApiEditor, ApiViewer
from strategyfirst.web.limits import Day
from strategyfirst.web.schemas import BODY_TOO_LARGE, SCOPED, STALE_PLAN, LintOut, PlanOut, PlanSaved, documented

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["plan"])


class PlanIn(BaseModel):
    text: str = Field(max_length=MAX_PLAN_CHARS, description="The whole strategy.yaml text (at most 1,000,000 "
                      "characters).")
    why: str | None = Field(None, max_length=2000, description="Why it changed (kept with the version).")


@router.get("/plan", **documented(PlanOut, SCOPED))
def read_plan(m: ApiViewer, response: Response) -> dict[str, Any]:
    """The plan text, its current version number and its parsed form (null with `problems` if it does not
    parse); the `ETag` header names the version, for `If-Match` on PUT."""
    text, parsed, problems = services.plan_state(m.ws)
    version = m.ws.record_plan() if text else None
    if version is not None:
        response.headers["ETag"] = etag(version.sha256)
    return {"workspace": m.slug, "text": text, "version": version.number if version else None,
            "sha256": version.sha256 if version else None, "plan": parsed, "problems": problems}


@router.put("/plan", **documented(PlanSaved, SCOPED, STALE_PLAN, BODY_TOO_LARGE))
def update_plan(body: PlanIn, m: ApiEditor, response: Response,
                if_match: Annotated[str | None, Header(max_length=1000, description=(
                    "The ETag of the version this text was based on (from GET /plan): the save is refused "
                    "with 409 if another version became current since. Without it the save is unconditional."
                ))] = None) -> dict[str, Any]:
    """Save a new plan version (written back to strategy.yaml); 422 with located errors if it does not
    parse; 409 (nothing written) with the newer version's author, time and diff when `If-Match` is stale."""
    loads(body.text, file="strategy.yaml")  # PlanError → 422 with every located problem
    version = services.save_plan(m.ws, m.state.db, m.slug, body.text, m.email, body.why,
                                 parse_if_match(if_match))
    response.headers["ETag"] = etag(version.sha256)
    return {"workspace": m.slug, "version": version.number, "sha256": version.sha256,
            "lint": services.lint_json(m.ws)}


@router.get("/lint", **documented(LintOut, SCOPED))
def read_lint(m: ApiViewer, as_of: Day | None = None) -> dict[str, Any]:
    """The JSON of `lint --format json`."""
    return services.lint_json(m.ws, as_of)
