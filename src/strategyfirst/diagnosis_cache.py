"""Diagnoses kept on disk by content, so `decide` (and `diagnose --format json`) need not diagnose again.

An entry is `.strategyfirst/cache/diagnosis-<sha256 of its key>.json` holding the key, the diagnosis as
`diagnose --format json` prints it, the whole diagnosis unrounded (`Diagnosis.to_kept`: what `diagnose`'s text
shows) and the plan's budget currency (its money is written in it). The key is what all of these are a
function of:

- the data version: the warehouse file's (inode, size, mtime) and its WAL's — every import, undo, rebuild,
  restore or derived-table refresh writes the file; reading it does not;
- the plan: the sha256 of the plan file's bytes;
- the as-of day asked for (`None`: the latest data) and the seed;
- the code: the package version and the (path, size, mtime) of its modules, so an upgrade or an edited
  module never serves a diagnosis the code would no longer make.

A diagnosis is stored only when the warehouse was not written while it was computed (a refresh or an import
in between means its data version is not known for sure: the next run stores it). Writes are atomic (a temp
file renamed); an entry that does not parse, or whose stored key differs from the one asked for, is ignored
and overwritten. Standard library only: a hit costs no DuckDB, Ibis or plan parse. A few entries are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from strategyfirst import cachefiles
from strategyfirst.cachefiles import file_stamp

FOLDER = "cache"
PREFIX = "diagnosis-"
KEEP = 8  # entries kept: a few as-of days of the current data and plan
_code: str | None = None


def _stamp(path: Path) -> list[int] | None:
    """`file_stamp` as the JSON list it is stored as."""
    stamp = file_stamp(path)
    return list(stamp) if stamp is not None else None


def data_stamp(warehouse: Path) -> list[Any]:
    """The warehouse's version as the file system sees it: the file and its write-ahead log."""
    return [_stamp(warehouse), _stamp(warehouse.with_name(warehouse.name + ".wal"))]


def code_version() -> str:
    """The package version and its modules' (path, size, mtime): changes with any change of the code."""
    global _code
    if _code is None:
        from strategyfirst.version import __version__

        root = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256(__version__.encode())
        for path in sorted(root.rglob("*.py")):
            st = path.stat()
            digest.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _code = digest.hexdigest()
    return _code


def plan_sha256(plan: Path) -> str | None:
    """The sha256 of the plan file's bytes; None when it cannot be read."""
    try:
        return hashlib.sha256(plan.read_bytes()).hexdigest()
    except OSError:
        return None


def key(plan: Path, warehouse: Path, as_of: str | None, seed: int) -> dict[str, Any] | None:
    """What the diagnosis depends on; None when the plan cannot be read (then nothing is cached). Without an
    as-of, today's date too: an empty warehouse is diagnosed as of today."""
    plan_sha = plan_sha256(plan)
    if plan_sha is None:
        return None
    return {"kind": "diagnosis", "code": code_version(), "plan_sha256": plan_sha, "data": data_stamp(warehouse),
            "as_of": as_of, "today": None if as_of else dt.date.today().isoformat(), "seed": seed}


def _path(state_dir: Path, wanted: dict[str, Any]) -> Path:
    name = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()
    return state_dir / FOLDER / f"{PREFIX}{name}.json"


def _entry(state_dir: Path, wanted: dict[str, Any] | None, part: str) -> dict[str, Any] | None:
    """The entry stored under `wanted` when it holds `part` (a JSON object), else None (absent, unreadable,
    corrupt, another key, or written without it)."""
    if wanted is None:
        return None
    try:
        stored = json.loads(_path(state_dir, wanted).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != wanted or not isinstance(stored.get(part), dict):
        return None
    return stored


def load(state_dir: Path, wanted: dict[str, Any] | None) -> dict[str, Any] | None:
    """The diagnosis stored under `wanted`, or None (absent, unreadable, corrupt or another key)."""
    stored = _entry(state_dir, wanted, "diagnosis")
    return None if stored is None else stored["diagnosis"]


def load_kept(state_dir: Path, wanted: dict[str, Any] | None) -> tuple[dict[str, Any], str | None] | None:
    """The unrounded diagnosis (`Diagnosis.to_kept`) and the plan's currency stored under `wanted`, or None
    (absent, unreadable, corrupt, another key, or written by a `store` without them)."""
    stored = _entry(state_dir, wanted, "kept")
    if stored is None:
        return None
    currency = stored.get("currency")
    return stored["kept"], currency if isinstance(currency, str) else None


def store(state_dir: Path, wanted: dict[str, Any] | None, diagnosis: dict[str, Any], warehouse: Path,
          kept: dict[str, Any] | None = None, currency: str | None = None, *, plan: Path) -> None:
    """Keep `diagnosis` (and the unrounded `kept` with the plan's `currency`) under `wanted` if the warehouse
    and the plan file are still at the versions the key names (an edit saved while the diagnosis waited for
    the workspace lock is what it read: not to be kept under the older text). Best effort: an entry not
    written costs time only."""
    if wanted is None or data_stamp(warehouse) != wanted["data"] or wanted["data"][0] is None \
            or plan_sha256(plan) != wanted["plan_sha256"]:
        return
    try:
        entry: dict[str, Any] = {"key": wanted, "diagnosis": diagnosis}
        if kept is not None:
            entry.update(kept=kept, currency=currency)
        text = json.dumps(entry, ensure_ascii=False, allow_nan=True)
        cachefiles.write_atomic(_path(state_dir, wanted), text)
        cachefiles.prune(state_dir / FOLDER, f"{PREFIX}*.json", KEEP)
    except (OSError, TypeError, ValueError):
        return
