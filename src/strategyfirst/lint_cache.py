"""Lint reports kept on disk by content, so `lint` on an unchanged plan needs no plan parser and no DuckDB.

An entry is `.strategyfirst/cache/lint-<sha256 of its key>.json` holding the key and the report as `lint
--format json` prints it (with the file name). The key is what the report is a function of:

- the plan: its path and the sha256 of its bytes;
- the day the time-dependent rules judge as of (given, or today);
- the data the data rules read (the stored spend no tactic is named for): the warehouse file's version
  (diagnosis_cache.data_stamp: every import, undo or refresh writes the file);
- the code: `diagnosis_cache.code_version` (the package version and every module's path, size and mtime), so
  an edited rule or an upgrade never serves a report the code would no longer make.

Only the built-in rules are keyed by the code: a process that registered rules of its own
(`strategyfirst.lint.register`) neither reads nor writes entries. A report is kept only when the warehouse was
not written while it was made, and not when the warehouse could not be read (locked by an import: the data
rules did not run). A plan that does not load is never kept: it is parsed again to locate its problems.
Standard library only; writes atomic, a few entries kept, deleting the folder always safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst import cachefiles, diagnosis_cache

if TYPE_CHECKING:
    from strategyfirst.lint.report import LintReport

FOLDER = "cache"
PREFIX = "lint-"
KEEP = 8


def built_in_rules_only() -> bool:
    """True unless this process changed the rule registry (rules or rule modules of its own)."""
    from strategyfirst.lint import registry

    built_in = registry.BUILT_IN_RULE_MODULES
    return tuple(registry.RULE_MODULES) == built_in and all(
        getattr(rule.check, "__module__", None) in built_in for rule in registry.RULES)


def key(plan: Path, warehouse: Path, as_of: dt.date) -> dict[str, Any] | None:
    """What the report of `plan` depends on; None when the plan cannot be read (nothing is kept then)."""
    plan_sha = diagnosis_cache.plan_sha256(plan)
    if plan_sha is None:
        return None
    return {"kind": "lint", "code": diagnosis_cache.code_version(), "plan": str(plan), "plan_sha256": plan_sha,
            "as_of": as_of.isoformat(), "data": diagnosis_cache.data_stamp(warehouse)}


def _path(state_dir: Path, wanted: dict[str, Any]) -> Path:
    name = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()
    return state_dir / FOLDER / f"{PREFIX}{name}.json"


def load(state_dir: Path, wanted: dict[str, Any] | None) -> LintReport | None:
    """The report kept under `wanted`, or None (absent, unreadable, corrupt or another key)."""
    if wanted is None:
        return None
    try:
        stored = json.loads(_path(state_dir, wanted).read_text(encoding="utf-8"))
        if not isinstance(stored, dict) or stored.get("key") != wanted:
            return None
        from strategyfirst.lint.report import Finding, LintReport

        report = stored["report"]
        return LintReport(findings=tuple(Finding(**f) for f in report["findings"]),
                          as_of=dt.date.fromisoformat(report["as_of"]), file=report["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(state_dir: Path, wanted: dict[str, Any] | None, report: LintReport, warehouse: Path) -> None:
    """Keep `report` under `wanted` if the warehouse and the plan file are still at the versions the key names
    (a plan edited after the key was taken is what was linted; best effort)."""
    if wanted is None or diagnosis_cache.data_stamp(warehouse) != wanted["data"] \
            or diagnosis_cache.plan_sha256(Path(wanted["plan"])) != wanted["plan_sha256"]:
        return
    try:
        body = {"file": report.file, "as_of": report.as_of.isoformat(),
                "findings": [f.to_dict() for f in report.findings]}
        cachefiles.write_atomic(_path(state_dir, wanted), json.dumps({"key": wanted, "report": body},
                                                                     ensure_ascii=False))
        cachefiles.prune(state_dir / FOLDER, f"{PREFIX}*.json", KEEP)
    except (OSError, TypeError, ValueError):
        return
