"""A marker that the workspace's plan text is already the current version in its app database.

`lint`, `measure` and `diagnose` record the plan text they read (a no-op for a known text); opening the app
database for that costs SQLAlchemy, Alembic and a migration check (~0.5 s) on every command. The marker
(`.strategyfirst/plan-seen.json`) keeps the sha256 of the recorded text with what chose the database (the
`--db` URL, STRATEGYFIRST_DB, the binding file) and the SQLite file's size and modification time, so a
command can skip the database when none of these changed. Anything else (another database, a server URL, a
write by another command or the web app) means the database is opened as before. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.cachefiles import file_stamp

if TYPE_CHECKING:
    from strategyfirst.ports import WorkspaceFiles

MARKER = "plan-seen.json"
_SQLITE = "sqlite:///"


def _db_file(ws: WorkspaceFiles) -> Path | None:
    """The SQLite file of the workspace's binding, or None (no binding, not a plain SQLite file URL)."""
    try:
        url = json.loads((ws.state_dir / "workspace.json").read_text(encoding="utf-8"))["db_url"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(url, str) or not url.startswith(_SQLITE) or "?" in url or url.endswith(":memory:"):
        return None
    path = Path(url[len(_SQLITE):])
    return path if path.is_absolute() else ws.root / path


def _stamp(path: Path) -> list[int] | None:
    """`file_stamp` as the JSON list it is stored as."""
    stamp = file_stamp(path)
    return list(stamp) if stamp is not None else None


def _key(ws: WorkspaceFiles, plan: Path) -> dict[str, Any] | None:
    """What must be unchanged for the marker to hold; None when it cannot be known cheaply."""
    db = _db_file(ws)
    if db is None or ws.plan_path != plan:
        return None
    try:
        text_sha = hashlib.sha256(plan.read_bytes()).hexdigest()
        binding = hashlib.sha256((ws.state_dir / "workspace.json").read_bytes()).hexdigest()
    except OSError:
        return None
    explicit = ws.db_url or os.environ.get("STRATEGYFIRST_DB") or None
    return {"plan_sha256": text_sha, "binding_sha256": binding, "db_url": explicit,
            "cwd": os.getcwd() if explicit else None,  # a relative URL is read against the current folder
            "db": [str(db), _stamp(db), _stamp(db.with_name(db.name + "-wal"))]}


def _plan(ws: WorkspaceFiles, path: str | Path | None) -> Path:
    return Path(path).resolve() if path is not None else ws.plan_path


def is_recorded(ws: WorkspaceFiles, path: str | Path | None = None) -> bool:
    """True when the marker proves this plan text is the current version in the unchanged database."""
    try:
        stored = json.loads((ws.state_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    key = _key(ws, _plan(ws, path))
    return key is not None and stored == key


def remember(ws: WorkspaceFiles, path: str | Path | None = None) -> None:
    """Write the marker after the plan text was recorded (best effort: a marker not written costs time only)."""
    key = _key(ws, _plan(ws, path))
    if key is None or key["db"][1] is None:
        return
    marker = ws.state_dir / MARKER
    try:
        tmp = marker.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(key), encoding="utf-8")
        tmp.replace(marker)
    except OSError:
        pass
