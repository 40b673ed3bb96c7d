"""Opening the app database (SQLAlchemy): `connect`, `open_appdb` for a workspace, `open_shared` for several,
and `record_plan_seen`. Re-exported by the package (`strategyfirst.appdb`)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from strategyfirst.appdb.binding import (
    DEFAULT_SQLITE,
    ENV_VAR,
    absolute,
    read_binding,
    resolve_url,
    same_database,
    write_binding,
)
from strategyfirst.appdb.engine import open_engine
from strategyfirst.appdb.models import HistoryWarning, PlanVersion
from strategyfirst.appdb.repository import AppDB
from strategyfirst.errors import AppDatabaseError, PlanError, StrategyFirstError, UsageError, WorkspaceError
from strategyfirst.ports import WorkspaceFolder

if TYPE_CHECKING:
    from strategyfirst.ports import WorkspaceFiles


def connect(url: str) -> AppDB:
    """The app database at `url`, migrated to head; not tied to one workspace (e.g. for `serve`)."""
    return AppDB(open_engine(url), url)


def open_appdb(ws: WorkspaceFiles, url: str | None = None) -> AppDB:
    """The app database holding `ws`'s history, migrated, with `ws` registered; `db.slug` is its slug.

    `url` (else `ws.db_url`, else STRATEGYFIRST_DB) must agree with the database the workspace remembers.
    """
    if not ws.root.is_dir():
        raise WorkspaceError(f"{ws.root}: no such workspace folder (create it with `strategyfirst init`)")
    resolved = resolve_url(ws, url or ws.db_url)
    db = connect(resolved)
    bound = read_binding(ws)
    if bound is not None and bound.slug and not _inside(ws, resolved):
        _refuse_copies(ws, db, bound.slug)
    row = db.register_workspace(ws.root, bound.slug if bound else None)
    if bound is None or bound.slug != row.slug:
        try:
            write_binding(ws, resolved, row.slug)
        except OSError as exc:
            raise WorkspaceError(f"{ws.state_dir}: cannot write the database binding ({exc})") from exc
    db.slug = row.slug
    return db


def open_shared(workspaces: Sequence[WorkspaceFiles], url: str | None = None) -> AppDB:
    """One app database for several workspaces (`serve`), each registered in it. AppDatabaseError naming
    them when they keep their histories in different databases: users and roles must live in one."""
    if not workspaces:
        chosen = url or os.environ.get(ENV_VAR)
        if not chosen:
            raise UsageError(f"no workspace and no database: pass --db URL or set {ENV_VAR}")
        return connect(chosen)
    urls = [(ws.root, resolve_url(ws, url or ws.db_url)) for ws in workspaces]
    if any(not same_database(u, urls[0][1]) for _, u in urls):
        where = "; ".join(f"{root}: {make_url(u).render_as_string()}" for root, u in urls)
        raise AppDatabaseError(f"the workspaces keep their histories in different databases ({where}); "
                               "serve workspaces of one database together (see docs/app-database.md)")
    opened = [open_appdb(ws, url) for ws in workspaces]  # registers every one
    return opened[0]


def _inside(ws: WorkspaceFiles, url: str) -> bool:
    """True when `url` is the workspace's own SQLite file: a copied folder then carries its own copy of the
    history, nothing is shared, and its row simply follows the folder (as for a moved one)."""
    return same_database(url, absolute("sqlite:///" + DEFAULT_SQLITE, ws.root))


def _refuse_copies(ws: WorkspaceFiles, db: AppDB, slug: str) -> None:
    """A copied folder claims the same slug as its original: refuse rather than merge their histories."""
    row = db.workspace(slug)
    if row is None or Path(row.path) == ws.root or not Path(row.path).is_dir():
        return  # new here, the same folder, or the folder moved
    original = read_binding(WorkspaceFolder(row.path))
    if original is not None and original.slug == slug:
        raise WorkspaceError(
            f"{ws.root}: claims workspace {slug!r}, which is {row.path} in the app database (a copied "
            f"folder?); delete {ws.state_dir / 'workspace.json'} to give this folder its own history")


def record_plan_seen(ws: WorkspaceFiles, path: str | Path | None = None, *,
                     strict: bool = False, loads: bool = False) -> PlanVersion | None:
    """Store the workspace's current plan text as a version (a no-op for an unchanged text).

    Called by lint, measure and diagnose. Only the workspace's own `strategy.yaml` is recorded (a `path`
    elsewhere is not its plan). Unless `strict`, a database problem is a warning: it must not stop the
    command; and a plan that does not load is no version (None, no warning: the command reading it says why).
    """
    plan = Path(path).resolve() if path is not None else ws.plan_path
    if plan != ws.plan_path or not plan.is_file():
        return None
    try:
        db = open_appdb(ws)
        return db.record_plan_version(db.slug, plan.read_text(encoding="utf-8"), loads=loads)
    except PlanError:
        if strict:
            raise
        return None
    except (StrategyFirstError, OSError, UnicodeDecodeError) as exc:
        if strict:
            raise
        warnings.warn(f"plan history not recorded: {exc}", HistoryWarning, stacklevel=2)
        return None
