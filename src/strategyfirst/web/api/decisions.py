"""Decisions and history of a workspace: list and record decisions (editor+), plan versions with diffs."""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from strategyfirst.appdb import HistoryWarning
from strategyfirst.appdb.decide import decide
from strategyfirst.appdb.render import decision_json, diff_json, history_json
from strategyfirst.errors import UsageError
from strategyfirst.web.deps import ApiEditor, ApiViewer, Member

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["decisions"])
MAX_DECISION_CHARS = 5000
MAX_VERSION = 2**31 - 1


class DecisionIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_DECISION_CHARS,
                      description="What was decided (and why, briefly); at most 5,000 characters.")
    objective: str | None = Field(None, max_length=200, description="Objective id the decision is about.")
    tactic: str | None = Field(None, max_length=200, description="Tactic id the decision is about.")


def record_decision(m: Member, text: str, objective: str | None, tactic: str | None) -> dict[str, Any]:
    """Record a decision as the CLI's `decide` does: plan version and current verdicts as evidence."""
    if not text.strip() or len(text) > MAX_DECISION_CHARS:
        raise UsageError(f"a decision is 1 to {MAX_DECISION_CHARS:,} characters (this one has {len(text):,}); "
                         "say what was decided and why, briefly")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)
        decision = decide(m.ws, text, objective or None, tactic or None, author=m.email)
    return decision_json(decision)


@router.get("/decisions")
def list_decisions(m: ApiViewer) -> dict[str, Any]:
    """The workspace's decisions, oldest first (each as `decide --format json`)."""
    return {"workspace": m.slug, "decisions": [decision_json(d) for d in m.state.db.decisions(m.slug)]}


@router.post("/decisions", status_code=201)
def create_decision(body: DecisionIn, m: ApiEditor) -> dict[str, Any]:
    """Record a decision (`decide --format json`); 422 naming the known ids for an unknown one."""
    return record_decision(m, body.text, body.objective, body.tactic)


@router.get("/history")
def read_history(m: ApiViewer, diff_from: int | None = Query(None, alias="from", ge=1, le=MAX_VERSION),
                 diff_to: int | None = Query(None, alias="to", ge=1, le=MAX_VERSION)) -> dict[str, Any]:
    """Plan versions and decisions in time order (`history --format json`); with `from` and `to`, the diff
    of two plan versions (`history --diff A B --format json`)."""
    m.ws.record_plan()  # an edited strategy.yaml shows up as the newest version, as in the CLI
    if diff_from is not None and diff_to is not None:
        db = m.state.db
        return diff_json(m.slug, db.plan_version(m.slug, diff_from), db.plan_version(m.slug, diff_to))
    return history_json(m.state.db, m.slug)
