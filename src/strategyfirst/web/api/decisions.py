"""Decisions and history of a workspace: list and record decisions (editor+), plan versions with diffs."""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from strategyfirst.appdb import HistoryWarning
from strategyfirst.appdb.decide import check_ids, decide
from strategyfirst.appdb.history import version_number
from strategyfirst.appdb.render import decision_json, diff_json, history_json
from strategyfirst.errors import UsageError
from strategyfirst.web.deps import ApiEditor, ApiViewer, Member
from strategyfirst.web.schemas import BODY_TOO_LARGE, SCOPED, DecisionList, DecisionOut, HistoryOut, documented

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["decisions"])
MAX_DECISION_CHARS = 5000
MAX_VERSION = 2**31 - 1


class DecisionIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_DECISION_CHARS,
                      description="What was decided (and why, briefly); at most 5,000 characters.")
    objective: str | None = Field(None, max_length=200, description="Objective id the decision is about.")
    tactic: str | None = Field(None, max_length=200, description="Tactic id the decision is about.")


class DecisionEdit(DecisionIn):
    why: str | None = Field(None, max_length=2000, description="Why it was corrected (kept with the change).")


class Withdrawal(BaseModel):
    why: str | None = Field(None, max_length=2000, description="Why it was withdrawn (kept in the history).")


def check_text(text: str) -> None:
    """UsageError for a decision's text that is empty (or only spaces) or too long."""
    if not text.strip():
        raise UsageError("the decision is empty: say what was decided and why, briefly")
    if len(text) > MAX_DECISION_CHARS:
        raise UsageError(f"a decision is at most {MAX_DECISION_CHARS:,} characters (this one has {len(text):,}); "
                         "say what was decided and why, briefly")


def existing_decision(m: Member, number: int) -> None:
    """404 for a decision number the workspace does not have."""
    if m.state.db.decision(m.slug, number) is None:
        raise HTTPException(404, f"workspace {m.slug!r} has no decision {number}")


def edit_decision(m: Member, number: int, text: str, objective: str | None, tactic: str | None,
                  why: str | None) -> dict[str, Any]:
    """Correct a decision (ids checked against the plan as when recording); the change keeps before/after."""
    existing_decision(m, number)
    check_text(text)
    check_ids(m.ws, objective or None, tactic or None)
    return decision_json(m.state.db.edit_decision(m.slug, number, m.email, text, objective or None,
                                                  tactic or None, why or None))


def withdraw_decision(m: Member, number: int, why: str | None) -> dict[str, Any]:
    """Withdraw a decision: kept in the history, marked withdrawn with who, when and why."""
    existing_decision(m, number)
    return decision_json(m.state.db.withdraw_decision(m.slug, number, m.email, why or None))


def record_decision(m: Member, text: str, objective: str | None, tactic: str | None) -> dict[str, Any]:
    """Record a decision as the CLI's `decide` does: plan version and current verdicts as evidence."""
    check_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)
        decision = decide(m.ws, text, objective or None, tactic or None, author=m.email)
    return decision_json(decision)


@router.get("/decisions", **documented(DecisionList, SCOPED))
def list_decisions(m: ApiViewer) -> dict[str, Any]:
    """The workspace's decisions, oldest first (each as `decide --format json`)."""
    return {"workspace": m.slug, "decisions": [decision_json(d) for d in m.state.db.decisions(m.slug)]}


@router.post("/decisions", status_code=201, **documented(DecisionOut, SCOPED, BODY_TOO_LARGE, status=201))
def create_decision(body: DecisionIn, m: ApiEditor) -> dict[str, Any]:
    """Record a decision (`decide --format json`); 422 naming the known ids for an unknown one."""
    return record_decision(m, body.text, body.objective, body.tactic)


@router.patch("/decisions/{number}", **documented(DecisionOut, SCOPED, BODY_TOO_LARGE))
def update_decision(body: DecisionEdit, m: ApiEditor,
                    number: int = Path(ge=1, le=MAX_VERSION, description="The decision's number.")
                    ) -> dict[str, Any]:
    """Correct a decision's text, objective or tactic; the change (who, when, why, before/after) is kept
    in its `changes`. 422 for a withdrawn decision, 404 for an unknown number."""
    return edit_decision(m, number, body.text, body.objective, body.tactic, body.why)


@router.post("/decisions/{number}/withdraw", **documented(DecisionOut, SCOPED, BODY_TOO_LARGE))
def delete_decision(m: ApiEditor, body: Withdrawal | None = None,
                    number: int = Path(ge=1, le=MAX_VERSION, description="The decision's number.")
                    ) -> dict[str, Any]:
    """Withdraw a decision: it stays in the history with `withdrawn_at` and the change (who, when, why)."""
    return withdraw_decision(m, number, body.why if body else None)


@router.get("/history", **documented(HistoryOut, SCOPED))
def read_history(m: ApiViewer, diff_from: str | None = Query(None, alias="from", max_length=20, description=(
                     "A plan version, as `history` lists it (v2) or as a number (2).")),
                 diff_to: str | None = Query(None, alias="to", max_length=20, description=(
                     "A plan version, as `history` lists it (v2) or as a number (2)."))) -> dict[str, Any]:
    """Plan versions and decisions in time order (`history --format json`); with `from` and `to`, the diff
    of two plan versions (`history --diff A B --format json`)."""
    first, second = _version("from", diff_from), _version("to", diff_to)
    m.ws.record_plan()  # an edited strategy.yaml shows up as the newest version, as in the CLI
    if first is not None and second is not None:
        db = m.state.db
        return diff_json(m.slug, db.plan_version(m.slug, first), db.plan_version(m.slug, second))
    return history_json(m.state.db, m.slug)


def _version(key: str, text: str | None) -> int | None:
    """A plan version of the query (`v2` or `2`); 422 naming the parameter when it is neither."""
    if text is None:
        return None
    number = version_number(text)
    if number is None:
        raise HTTPException(422, [{"loc": ["query", key], "msg": f"{key}={text!r} is not a plan version: write "
                                   "it as `history` lists it, e.g. v2 (or 2)", "type": "value_error"}])
    return number
