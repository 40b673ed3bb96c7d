"""History as JSON (the shape `history --format json` prints and the web API returns) and as text; diffs.

`history --format json`::

    {"workspace": "acme",
     "entries": [{"kind": "version", "number": 1, "sha256": "…", "created_at": "2026-11-23T22:18:14Z",
                  "author": "ana@acme.org", "why": "first draft", "current": true},
                 {"kind": "decision", "number": 1, "text": "…", "objective": "dialogue", "tactic": null,
                  "plan_version": 1, "evidence": {"as_of": "…", "verdicts": […], "kpis": […]},
                  "author": "ana", "created_at": "…"}]}

`history --diff A B --format json`: `{"workspace", "from": A, "to": B, "diff": "<unified diff>",
"changes": {"objectives": {"added", "removed", "changed"}, "tactics": {…}, "kpis": {…}, "other": […]}}`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from strategyfirst.errors import PlanError
from strategyfirst.formatting import verdict_label

if TYPE_CHECKING:  # the plan's parser and models are imported for a diff only: listing the history needs neither;
    # the history is read through SQLAlchemy (`AppDB`) or sqlite3 (`lite.LiteDB`), with entries alike
    from typing_extensions import TypeIs

    from strategyfirst.appdb.lite import LiteDecision, LitePlanVersion
    from strategyfirst.appdb.models import Decision, PlanVersion
    from strategyfirst.plan.diff import PlanChanges

    Version = PlanVersion | LitePlanVersion
    DecisionEntry = Decision | LiteDecision
    HistoryEntry = Version | DecisionEntry


class HistorySource(Protocol):
    def history(self, slug: str) -> list[Any]: ...
    def current_plan_version(self, slug: str) -> Any: ...

PLAN_NAME = "strategy.yaml"


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def is_version(e: HistoryEntry) -> TypeIs[Version]:
    """A plan version (a decision otherwise): only versions have a sha256."""
    return hasattr(e, "sha256")


def version_json(v: Version, current: bool = False) -> dict[str, Any]:
    return {"kind": "version", "number": v.number, "sha256": v.sha256, "created_at": iso(v.created_at),
            "author": v.author, "why": v.why, "current": current}


def decision_json(d: DecisionEntry) -> dict[str, Any]:
    """A decision as `decide --format json` prints it; `changes` lists its corrections and withdrawal
    (action, author, at, why, before, after) and `withdrawn_at` is set once it is withdrawn."""
    return {"kind": "decision", "number": d.number, "text": d.text, "objective": d.objective,
            "tactic": d.tactic, "plan_version": d.plan_version.number if d.plan_version else None,
            "evidence": d.evidence, "author": d.author, "created_at": iso(d.created_at),
            "withdrawn_at": iso(d.withdrawn_at) if d.withdrawn_at else None,
            "changes": [{"action": c.action, "author": c.author, "at": iso(c.at), "why": c.why,
                         "before": c.before, "after": c.after} for c in d.changes]}


def history_json(db: HistorySource, slug: str) -> dict[str, Any]:
    """Plan versions and decisions of `slug` in time order; the current version is flagged."""
    current = db.current_plan_version(slug)
    entries = [version_json(e, current is not None and e.id == current.id) if is_version(e)
               else decision_json(e) for e in db.history(slug)]
    return {"workspace": slug, "entries": entries}


def plan_diff(old: Version, new: Version) -> str:
    """A unified diff of two versions' texts ("" when equal)."""
    from strategyfirst.plan.diff import diff_plans

    return diff_plans(old.text, new.text, old_name=f"{PLAN_NAME}@v{old.number}",
                      new_name=f"{PLAN_NAME}@v{new.number}")


def plan_changes(old: Version, new: Version) -> PlanChanges | None:
    """Objectives, tactics and KPIs added/removed/changed; None when either version does not parse."""
    from strategyfirst.plan.diff import summarise_changes

    try:
        return summarise_changes(old.text, new.text)
    except PlanError:
        return None


def diff_json(slug: str, old: Version, new: Version) -> dict[str, Any]:
    """`{"workspace", "from", "to", "diff", "changes"}`; `changes` is null when a version does not parse."""
    changes = plan_changes(old, new)
    return {"workspace": slug, "from": old.number, "to": new.number, "diff": plan_diff(old, new),
            "changes": changes.to_dict() if changes else None}


def _evidence_summary(evidence: Any) -> str:
    if not isinstance(evidence, dict):
        return "no evidence" if evidence is None else "evidence kept"
    verdicts = evidence.get("verdicts") or []
    kinds = sorted({verdict_label(str(v.get("kind"))) for v in verdicts if isinstance(v, dict)})
    listed = f": {', '.join(kinds)}" if kinds else ""
    return f"{len(verdicts)} verdict(s) as of {evidence.get('as_of')}{listed}"


def entry_line(e: HistoryEntry, current_id: int | None = None) -> str:
    """One line of `history`: a version (`v3`) or a decision (`d2`), with its time, author and why/text."""
    when = e.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    by = f" by {e.author}" if e.author else ""
    if is_version(e):
        mark = " (current)" if e.id == current_id else ""
        why = f" — {e.why}" if e.why else ""
        return f"v{e.number}  {when}  plan {e.sha256[:12]}{by}{why}{mark}"
    scope = ", ".join(f"{k} {v}" for k, v in (("objective", e.objective), ("tactic", e.tactic)) if v)
    on = f"v{e.plan_version.number}" if e.plan_version else "no plan version"
    edits = sum(c.action == "edit" for c in e.changes)
    marks = (f"  [edited {edits}x]" if edits else "") + (
        f"  [withdrawn {e.withdrawn_at.astimezone(dt.UTC):%Y-%m-%d %H:%M}]" if e.withdrawn_at else "")
    return (f"d{e.number}  {when}  decision on {on}{by}{f' [{scope}]' if scope else ''}: {e.text}"
            f"  ({_evidence_summary(e.evidence)}){marks}")


def history_text(db: HistorySource, slug: str) -> str:
    entries = db.history(slug)
    if not entries:
        return f"{slug}: no plan versions or decisions yet (lint the plan or run `strategyfirst decide`)\n"
    current = db.current_plan_version(slug)
    return "".join(entry_line(e, current.id if current else None) + "\n" for e in entries)
