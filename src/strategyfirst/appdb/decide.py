"""Recording a decision from a workspace: check its ids against the plan, note the plan version, and keep
the current verdicts as evidence. `strategyfirst decide` and the web app's POST /decisions both call `decide`.
"""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any

from strategyfirst.errors import HistoryWarning, PlanError, UsageError

if TYPE_CHECKING:
    from strategyfirst.appdb.lite import LiteDecision
    from strategyfirst.appdb.models import Decision
    from strategyfirst.ports import WorkspaceFiles

EVIDENCE_KEYS = ("as_of", "kpis", "verdicts")


def current_evidence(ws: WorkspaceFiles) -> dict[str, Any] | None:
    """The diagnosis now (`as_of`, `kpis`, `verdicts` of `diagnose --format json`), or None — with a warning —
    when it cannot be made (no diagnose layer yet, no data, a broken plan). `Workspace.diagnosis_json` reads
    the diagnosis kept on disk when data, plan and code are unchanged since it was made."""
    run = getattr(ws, "diagnosis_json", None) or getattr(ws, "diagnose", None)  # the first may read a cache
    if run is None:
        return None
    try:
        result = run()
        data = result.to_json() if hasattr(result, "to_json") else result
        if not isinstance(data, dict):
            raise TypeError(f"diagnose returned {type(data).__name__}, not a JSON object")
        # round-trip so only JSON values are stored (dates become strings)
        return json.loads(json.dumps({k: data.get(k) for k in EVIDENCE_KEYS}, default=str))
    except Exception as exc:  # a decision must be recordable even when the diagnosis cannot be made
        reason = " ".join(str(exc).split()) or type(exc).__name__
        warnings.warn(f"no evidence stored with the decision: diagnose failed ({reason})", HistoryWarning,
                      stacklevel=2)
        return None


def check_ids(ws: WorkspaceFiles, objective: str | None, tactic: str | None) -> None:
    """UsageError when the plan parses and has no such objective/tactic (listing the known ids)."""
    if objective is None and tactic is None:
        return
    try:
        document = ws.plan_or_none()
    except PlanError:
        return  # a decision may be about fixing a broken plan; nothing to check against
    if document is None:
        return
    plan = document.plan
    if objective is not None and plan.objective(objective) is None:
        known = ", ".join(o.id for o in plan.objectives) or "none"
        raise UsageError(f"{ws.plan_path}: no objective {objective!r} (objectives: {known})")
    if tactic is not None and plan.tactic(tactic) is None:
        known = ", ".join(t.id for t in plan.tactics) or "none"
        raise UsageError(f"{ws.plan_path}: no tactic {tactic!r} (tactics: {known})")


def decide(ws: WorkspaceFiles, text: str, objective: str | None = None, tactic: str | None = None,
           author: str | None = None, url: str | None = None, evidence: bool = True) -> Decision:
    """Record a decision on the workspace's current plan version with the current verdicts as evidence."""
    from strategyfirst.appdb import open_appdb

    if not text.strip():
        raise UsageError("a decision needs a text saying what was decided")
    check_ids(ws, objective, tactic)
    db = open_appdb(ws, url)
    if ws.has_plan():  # the decision is taken on the plan as it is now
        db.record_plan_version(db.slug, ws.plan_path.read_text(encoding="utf-8"))
    found = current_evidence(ws) if evidence else None
    return db.record_decision(db.slug, text.strip(), objective=objective, tactic=tactic, evidence=found,
                              author=author)


def decide_quickly(ws: WorkspaceFiles, text: str, objective: str | None = None, tactic: str | None = None,
                   author: str | None = None, url: str | None = None) -> Decision | LiteDecision:
    """`decide` (with evidence), through sqlite3 where `lite.open_lite` can (the CLI: no SQLAlchemy to
    import); the same steps in the same order on the same rows."""
    import sqlite3

    from strategyfirst.appdb.lite import open_lite

    if not text.strip():
        raise UsageError("a decision needs a text saying what was decided")
    check_ids(ws, objective, tactic)
    db = open_lite(ws, url)
    if db is None:
        return decide(ws, text, objective, tactic, author=author, url=url)
    with db:
        try:
            if ws.has_plan():
                db.record_plan_version(db.slug, ws.plan_path.read_text(encoding="utf-8"))
            found = current_evidence(ws)
            return db.record_decision(db.slug, text.strip(), objective=objective, tactic=tactic, evidence=found,
                                      author=author)
        except sqlite3.Error as exc:
            raise db.failed(exc) from exc
