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


def decision_text(text: str, field: str = "the decision's text") -> str:
    """`text` stripped, as a decision keeps it; UsageError when it is empty, or holds a control character other
    than a line break (LF, or CR LF as a browser's form sends it) or a tab, located by line and column: a NUL or
    an escape sequence would be kept and shown to everyone who reads the history."""
    import unicodedata

    if not text.strip():
        raise UsageError("a decision needs a text saying what was decided")
    for i, ch in enumerate(text):
        if ch in "\n\t" or (ch == "\r" and text[i + 1:i + 2] == "\n") or unicodedata.category(ch) != "Cc":
            continue
        line = text.count("\n", 0, i) + 1
        column = i - (text.rfind("\n", 0, i) + 1) + 1
        raise UsageError(f"{field}, line {line}, column {column}: control character U+{ord(ch):04X} is not "
                         "allowed; remove it (line breaks and tabs are fine)")
    return text.strip()


IDS_PREFIX = "decide-ids-"


def check_plan_text(text: str) -> None:
    """PlanError (each problem located in `strategy.yaml`) when `text` does not load as a plan: a plan version
    is always a plan, so a text with a YAML or schema error is never stored (`record_plan_version` checks a
    new text with this)."""
    from strategyfirst.plan.document import loads

    loads(text)


def check_plan(ws: WorkspaceFiles) -> None:
    """The workspace's plan file's PlanError (each problem located) when it does not load; nothing without a
    plan. `decide` and `history` check this before anything is recorded (cheap for a plan seen before: the
    ids `plan_ids` keeps)."""
    plan_ids(ws, strict=True)


def plan_ids(ws: WorkspaceFiles, *, strict: bool = False) -> tuple[list[str], list[str]] | None:
    """The objective and tactic ids of the workspace's plan in plan order; None without a plan or for one
    that does not load (`strict`: its PlanError instead). Kept in .strategyfirst/cache/ by the plan's sha256
    and the code's version, so a decision on an unchanged plan is checked without the plan's parser
    (pydantic, ruamel: ~0.1 s)."""
    import hashlib
    import json

    from strategyfirst import cachefiles, diagnosis_cache

    try:
        raw = ws.plan_path.read_bytes()
    except OSError:
        raw = None
    if raw is None:
        try:
            document = ws.plan_or_none()  # absent (None), or unreadable: its PlanError
        except PlanError:
            if strict:
                raise
            return None
        return None if document is None else ([o.id for o in document.plan.objectives],
                                               [t.id for t in document.plan.tactics])
    name = hashlib.sha256(f"{diagnosis_cache.code_version()}\n{hashlib.sha256(raw).hexdigest()}".encode())
    entry = ws.state_dir / "cache" / f"{IDS_PREFIX}{name.hexdigest()}.json"
    try:
        stored = json.loads(entry.read_text(encoding="utf-8"))
        if isinstance(stored, dict) and isinstance(stored.get("objectives"), list) and \
                isinstance(stored.get("tactics"), list):
            return [str(i) for i in stored["objectives"]], [str(i) for i in stored["tactics"]]
    except (OSError, ValueError):
        pass
    from strategyfirst.plan.document import load_bytes

    try:
        plan = load_bytes(raw, ws.plan_path.name).plan  # the bytes hashed above, not a newer file
    except PlanError:
        if strict:
            raise
        return None
    ids = [o.id for o in plan.objectives], [t.id for t in plan.tactics]
    try:
        cachefiles.write_atomic(entry, json.dumps({"objectives": ids[0], "tactics": ids[1]}))
        cachefiles.prune(entry.parent, f"{IDS_PREFIX}*.json", 4)
    except OSError:
        pass
    return ids


def check_ids(ws: WorkspaceFiles, objective: str | None, tactic: str | None, *, strict: bool = False) -> None:
    """UsageError when the plan parses and has no such objective/tactic (listing the known ids); `strict`:
    the plan's PlanError (each problem located) when it does not parse."""
    if objective is None and tactic is None and not strict:
        return
    ids = plan_ids(ws, strict=strict)
    if ids is None:
        return  # no plan, or (not strict) a broken one: nothing to check against
    objectives, tactics = ids
    if objective is not None and objective not in objectives:
        known = ", ".join(objectives) or "none"
        raise UsageError(f"{ws.plan_path}: no objective {objective!r} (objectives: {known})", file=str(ws.plan_path))
    if tactic is not None and tactic not in tactics:
        known = ", ".join(tactics) or "none"
        raise UsageError(f"{ws.plan_path}: no tactic {tactic!r} (tactics: {known})", file=str(ws.plan_path))


def decide(ws: WorkspaceFiles, text: str, objective: str | None = None, tactic: str | None = None,
           author: str | None = None, url: str | None = None, evidence: bool = True) -> Decision:
    """Record a decision on the workspace's current plan version with the current verdicts as evidence."""
    from strategyfirst.appdb import open_appdb

    text = decision_text(text)
    check_ids(ws, objective, tactic, strict=True)  # a plan that does not load is refused, nothing stored
    db = open_appdb(ws, url)
    if ws.has_plan():  # the decision is taken on the plan as it is now
        db.record_plan_version(db.slug, ws.plan_path.read_text(encoding="utf-8"))
    found = current_evidence(ws) if evidence else None
    return db.record_decision(db.slug, text, objective=objective, tactic=tactic, evidence=found,
                              author=author)


def decide_quickly(ws: WorkspaceFiles, text: str, objective: str | None = None, tactic: str | None = None,
                   author: str | None = None, url: str | None = None) -> Decision | LiteDecision:
    """`decide` (with evidence), through sqlite3 where `lite.open_lite` can (the CLI: no SQLAlchemy to
    import); the same steps in the same order on the same rows."""
    import sqlite3

    from strategyfirst.appdb.lite import open_lite

    text = decision_text(text)
    check_ids(ws, objective, tactic, strict=True)  # a plan that does not load is refused, nothing stored
    db = open_lite(ws, url)
    if db is None:
        return decide(ws, text, objective, tactic, author=author, url=url)
    with db:
        try:
            if ws.has_plan():
                db.record_plan_version(db.slug, ws.plan_path.read_text(encoding="utf-8"))
            found = current_evidence(ws)
            return db.record_decision(db.slug, text, objective=objective, tactic=tactic, evidence=found,
                                      author=author)
        except sqlite3.Error as exc:
            raise db.failed(exc) from exc


def revert_why(why: str | None, earlier: int | None) -> str | None:
    """The why of a new version: as given; for a text version `earlier` had, `reverts to version N` when none
    is given."""
    if earlier is None or why:
        return why
    return f"reverts to version {earlier}"
