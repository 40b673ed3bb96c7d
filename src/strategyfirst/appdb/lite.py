"""`history` and `decide` on a workspace's own SQLite app database through the standard library's sqlite3.

Opening the app database through SQLAlchemy costs its import, the models' mapping and a migration check
(~0.3 s) before a command reads a row. When nothing of that is needed — the workspace is bound to a plain
SQLite file that exists, is at the shipped migration head and already holds this workspace's row at this
folder, and no `--db` or STRATEGYFIRST_DB asks for another database — `open_lite` reads and writes the
history's tables with sqlite3 as `AppDB` does: the same rows, the same numbering in a write transaction
taken up front (BEGIN IMMEDIATE), datetimes stored as SQLAlchemy stores them on SQLite (naive UTC,
`YYYY-MM-DD HH:MM:SS.ffffff`) and JSON as its JSON type writes it (`json.dumps`). Anything else (another
database, PostgreSQL, a first run that registers or migrates, a moved folder) gets None: the caller opens
`AppDB` as always. tests/appdb/test_lite.py checks both against each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.appdb.decide import check_plan_text, decision_text, revert_why
from strategyfirst.appdb.head import shipped_head
from strategyfirst.errors import AppDatabaseError, UsageError

if TYPE_CHECKING:
    from strategyfirst.ports import WorkspaceFiles

ENV_VAR = "STRATEGYFIRST_DB"  # as binding.ENV_VAR (which imports SQLAlchemy)
_SQLITE = "sqlite:///"


@dataclass
class LitePlanVersion:
    id: int
    number: int
    sha256: str
    text: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    author: str | None
    why: str | None


@dataclass
class LiteChange:
    action: str
    author: str | None
    at: dt.datetime
    why: str | None
    before: Any
    after: Any


@dataclass
class LiteDecision:
    id: int
    number: int
    text: str
    objective: str | None
    tactic: str | None
    plan_version: LitePlanVersion | None
    evidence: Any
    author: str | None
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None
    changes: list[LiteChange] = field(default_factory=list)


def _stored(at: dt.datetime) -> str:
    """An aware datetime as SQLAlchemy's DateTime stores it on SQLite (naive UTC, always microseconds)."""
    return at.astimezone(dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _read_time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _time(value: str) -> dt.datetime:
    found = _read_time(value)
    assert found is not None
    return found


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _db_file(ws: WorkspaceFiles) -> tuple[Path, str] | None:
    """(the SQLite file, the slug) the workspace is bound to, or None when the binding names anything else."""
    try:
        data = json.loads((ws.state_dir / "workspace.json").read_text(encoding="utf-8"))
        url, slug = data["db_url"], data.get("slug")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(url, str) or not isinstance(slug, str) or not slug or not url.startswith(_SQLITE):
        return None
    path = url[len(_SQLITE):]
    if not path or "?" in path or path.startswith("file:") or path == ":memory:" or "%" in path:
        return None
    file = Path(path) if Path(path).is_absolute() else ws.root / path
    return (file, slug) if file.is_file() else None


def bound_slug(ws: WorkspaceFiles) -> str | None:
    """The slug of a workspace bound to an SQLite file that exists (what `binding.remembered_slug` gives
    then), read without SQLAlchemy; None otherwise (ask `remembered_slug`)."""
    found = _db_file(ws)
    return found[1] if found is not None else None


class LiteDB:
    """The history tables of one workspace of an SQLite app database (see the module's docstring)."""

    def __init__(self, con: sqlite3.Connection, url: str, slug: str, workspace_id: int) -> None:
        self.con = con
        self.url = url
        self.slug = slug
        self.workspace_id = workspace_id

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> LiteDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, slug: str) -> int:
        if slug != self.slug:
            raise UsageError(f"no workspace {slug!r} in this app database")
        return self.workspace_id

    # --- reads --------------------------------------------------------------------------------------------
    def _versions(self, where: str, params: tuple[Any, ...]) -> list[LitePlanVersion]:
        rows = self.con.execute("SELECT id, number, sha256, text, created_at, last_seen_at, author, why "
                                f"FROM plan_versions WHERE {where}", params).fetchall()
        return [LitePlanVersion(r[0], r[1], r[2], r[3], _time(r[4]), _time(r[5]), r[6], r[7]) for r in rows]

    def plan_versions(self, slug: str) -> list[LitePlanVersion]:
        return self._versions("workspace_id = ? ORDER BY number", (self._check(slug),))

    def current_plan_version(self, slug: str) -> LitePlanVersion | None:
        found = self._versions("workspace_id = ? ORDER BY last_seen_at DESC, number DESC LIMIT 1",
                               (self._check(slug),))
        return found[0] if found else None

    def decisions(self, slug: str) -> list[LiteDecision]:
        wid = self._check(slug)
        versions = {v.id: v for v in self._versions("workspace_id = ?", (wid,))}
        changes: dict[int, list[LiteChange]] = {}
        for r in self.con.execute(
                "SELECT c.decision_id, c.action, c.author, c.at, c.why, c.before, c.after FROM decision_changes c "
                "JOIN decisions d ON d.id = c.decision_id WHERE d.workspace_id = ? ORDER BY c.id", (wid,)):
            changes.setdefault(r[0], []).append(LiteChange(r[1], r[2], _time(r[3]), r[4], _json(r[5]), _json(r[6])))
        rows = self.con.execute("SELECT id, number, text, objective, tactic, plan_version_id, evidence, author, "
                                "created_at, withdrawn_at FROM decisions WHERE workspace_id = ? ORDER BY number",
                                (wid,)).fetchall()
        return [LiteDecision(r[0], r[1], r[2], r[3], r[4], versions.get(r[5]) if r[5] is not None else None,
                             _json(r[6]), r[7], _time(r[8]), _read_time(r[9]), changes.get(r[0], []))
                for r in rows]

    def history(self, slug: str) -> list[LitePlanVersion | LiteDecision]:
        """Plan versions and decisions in time order, as `AppDB.history`."""
        entries: list[LitePlanVersion | LiteDecision] = [*self.plan_versions(slug), *self.decisions(slug)]
        return sorted(entries, key=lambda e: (e.created_at, isinstance(e, LiteDecision), e.number))

    # --- writes (each its own transaction, the write lock taken up front as the engine's BEGIN IMMEDIATE) ----
    def _next(self, table: str) -> int:
        row = self.con.execute(f"SELECT coalesce(max(number), 0) FROM {table} WHERE workspace_id = ?",
                               (self.workspace_id,)).fetchone()
        return int(row[0] or 0) + 1

    def record_plan_version(self, slug: str, text: str, author: str | None = None,
                            why: str | None = None, *, loads: bool = False) -> LitePlanVersion:
        """As `AppDB.record_plan_version`: the current text is seen again, any other a new version (a revert
        to an earlier text saying so; PlanError, nothing stored, when a new text does not load as a plan)."""
        wid = self._check(slug)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._writing():
            now = _utcnow()
            current = self.current_plan_version(slug)
            if current is not None and current.sha256 == digest:
                self.con.execute("UPDATE plan_versions SET last_seen_at = ? WHERE id = ?",
                                 (_stored(now), current.id))
                current.last_seen_at = now
                return current
            row = self.con.execute("SELECT max(number) FROM plan_versions WHERE workspace_id = ? AND sha256 = ?",
                                   (wid, digest)).fetchone()
            earlier = int(row[0]) if row and row[0] is not None else None
            if earlier is None and not loads:
                check_plan_text(text)
            why = revert_why(why, earlier)
            number = self._next("plan_versions")
            cur = self.con.execute(
                "INSERT INTO plan_versions (workspace_id, number, sha256, text, created_at, last_seen_at, author, "
                "why) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (wid, number, digest, text, _stored(now), _stored(now),
                                                         author, why))
            return LitePlanVersion(int(cur.lastrowid or 0), number, digest, text, now, now, author, why)

    def record_decision(self, slug: str, text: str, objective: str | None = None, tactic: str | None = None,
                        evidence: Any = None, author: str | None = None) -> LiteDecision:
        """As `AppDB.record_decision`: linked to the current plan version, numbered next."""
        text = decision_text(text)
        wid = self._check(slug)
        with self._writing():
            version = self.current_plan_version(slug)
            number = self._next("decisions")
            now = _utcnow()
            cur = self.con.execute(
                "INSERT INTO decisions (workspace_id, number, text, objective, tactic, plan_version_id, evidence, "
                "author, created_at, withdrawn_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (wid, number, text, objective, tactic, version.id if version else None,
                 None if evidence is None else json.dumps(evidence), author, _stored(now)))
            return LiteDecision(int(cur.lastrowid or 0), number, text, objective, tactic, version, evidence, author,
                                now, None, [])

    def _writing(self) -> _Transaction:
        return _Transaction(self.con)

    def failed(self, exc: sqlite3.Error) -> AppDatabaseError:
        """A sqlite3 failure said as `AppDB` says database failures."""
        path = self.url[len(_SQLITE):] if self.url.startswith(_SQLITE) else None  # no SQLAlchemy to parse it
        return AppDatabaseError(f"{self.url}: {str(exc).strip()}", file=path or None)


class _Transaction:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.con.execute("COMMIT")
        elif self.con.in_transaction:
            self.con.execute("ROLLBACK")


def open_lite(ws: WorkspaceFiles, url: str | None = None) -> LiteDB | None:
    """The workspace's history through sqlite3, or None when `open_appdb` must open it (see the module)."""
    if url or ws.db_url or os.environ.get(ENV_VAR):
        return None
    found = _db_file(ws)
    head = shipped_head()
    if found is None or head is None:
        return None
    file, slug = found
    try:
        con = sqlite3.connect(f"{file.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except (sqlite3.Error, ValueError):
        return None
    try:
        for pragma in ("foreign_keys=ON", "busy_timeout=10000", "journal_mode=WAL"):  # as engine._sqlite_connect
            con.execute(f"PRAGMA {pragma}")
        at = [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
        row = con.execute("SELECT id, path FROM workspaces WHERE slug = ?", (slug,)).fetchone()
    except sqlite3.Error:
        con.close()
        return None
    if at != [head] or row is None or row[1] != str(ws.root.resolve()):
        con.close()
        return None
    return LiteDB(con, f"{_SQLITE}{file.resolve()}", slug, int(row[0]))


def note_plan(ws: WorkspaceFiles, db: LiteDB, *, loads: bool = False) -> bool:
    """`Workspace.note_plan` on `db`: record the plan text unless the plan-seen marker proves it current; True
    when it was recorded here (then `plan_seen.remember(ws)` once `db` is closed: closing checkpoints the
    SQLite log, which the marker's stamp must see). A failure is a warning, as in `record_plan_seen`; a plan
    that does not load is no version (False): the command that reads it says why."""
    import warnings

    from strategyfirst import plan_seen
    from strategyfirst.errors import HistoryWarning, PlanError, StrategyFirstError

    if plan_seen.is_recorded(ws) or not ws.plan_path.is_file():
        return False
    try:
        db.record_plan_version(db.slug, ws.plan_path.read_text(encoding="utf-8"), loads=loads)
    except sqlite3.Error as exc:
        warnings.warn(f"plan history not recorded: {db.failed(exc)}", HistoryWarning, stacklevel=2)
        return False
    except PlanError:
        return False
    except (StrategyFirstError, OSError, UnicodeDecodeError) as exc:
        warnings.warn(f"plan history not recorded: {exc}", HistoryWarning, stacklevel=2)
        return False
    return True
