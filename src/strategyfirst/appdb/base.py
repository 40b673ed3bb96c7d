"""The shared core of `AppDB`: sessions on one engine, and the workspace rows every query is scoped by."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from strategyfirst.appdb.binding import slugify
from strategyfirst.appdb.engine import safe_url
from strategyfirst.appdb.models import WorkspaceRow
from strategyfirst.errors import AppDatabaseError, UsageError


class UnknownWorkspaceError(UsageError):
    """The app database has no workspace with that slug."""


class DBCore:
    """An app database: one engine, short sessions per call, ORM objects returned detached but loaded."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Reads begin a deferred transaction: on SQLite they do not take the write lock (every request of the
        # web app reads its caller's session or token and role; they must not queue behind one another).
        self._readers = sessionmaker(engine.execution_options(sf_read=True), expire_on_commit=False)
        self._watch = ChangeWatch(engine.url.database if engine.dialect.name == "sqlite" else None)

    def __repr__(self) -> str:
        return f"AppDB({safe_url(self.url)!r})"

    def change_counter(self) -> tuple[int, int, int] | None:
        """A value that differs after any commit to this database by any connection of any process (so what
        was read from it before may be reused while it stays the same); None where the database cannot tell
        (PostgreSQL, an in-memory database): then nothing read from it may be reused."""
        return self._watch.value()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and turns database failures into AppDatabaseError."""
        try:
            with self._sessions.begin() as s:
                yield s
        except IntegrityError:
            raise  # callers retry or explain these
        except SQLAlchemyError as exc:
            raise AppDatabaseError(f"{safe_url(self.url)}: {str(getattr(exc, 'orig', exc)).strip()}") from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (no write lock taken on SQLite); failures as in `session`."""
        try:
            with self._readers.begin() as s:
                yield s
        except SQLAlchemyError as exc:
            raise AppDatabaseError(f"{safe_url(self.url)}: {str(getattr(exc, 'orig', exc)).strip()}") from exc

    # --- workspaces ---------------------------------------------------------------------------------------
    def workspace_row(self, s: Session, slug: str, lock: bool = False) -> WorkspaceRow:
        """The row of `slug`; `lock` holds it until commit (PostgreSQL), serialising writers' numbering."""
        query = select(WorkspaceRow).where(WorkspaceRow.slug == slug)
        row = s.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise UnknownWorkspaceError(f"no workspace {slug!r} in the app database {safe_url(self.url)}")
        return row

    def workspace(self, slug: str) -> WorkspaceRow | None:
        with self.session() as s:
            return s.scalar(select(WorkspaceRow).where(WorkspaceRow.slug == slug))

    def workspaces(self) -> list[WorkspaceRow]:
        """Every workspace registered in this database, by slug."""
        with self.reading() as s:
            return list(s.scalars(select(WorkspaceRow).order_by(WorkspaceRow.slug)))

    def register_workspace(self, path: str | Path, slug: str | None = None) -> WorkspaceRow:
        """The row of the workspace at `path`: found by `slug` (its path updated if the folder moved) or by
        path, else created with `slug` or a unique slug made from the folder name."""
        path = str(Path(path).resolve())
        for _attempt in range(5):
            try:
                with self.session() as s:
                    row = s.scalar(select(WorkspaceRow).where(
                        WorkspaceRow.slug == slug if slug else WorkspaceRow.path == path))
                    if row is not None:
                        if row.path != path:
                            row.path = path
                        return row
                    wanted = slug or self._free_slug(s, slugify(Path(path).name))
                    row = WorkspaceRow(slug=wanted, path=path)
                    s.add(row)
                return row
            except IntegrityError:
                continue  # another process registered the same slug meanwhile: look again
        raise AppDatabaseError(f"{safe_url(self.url)}: cannot register workspace {path} (slug contention)")

    def add_workspace(self, path: str | Path, slug: str) -> WorkspaceRow:
        """Register a new workspace at `path` as `slug`; UsageError when the slug is taken (never re-points an
        existing workspace, as `register_workspace` does for a moved folder)."""
        try:
            with self.session() as s:
                row = WorkspaceRow(slug=slug, path=str(Path(path).resolve()))
                s.add(row)
            return row
        except IntegrityError:
            raise UsageError(f"name: a workspace named {slug!r} already exists; choose another name") from None

    def delete_workspace(self, slug: str) -> None:
        """Forget a workspace row (and, by cascade, its memberships and history): undoes `add_workspace`."""
        with self.session() as s:
            s.execute(delete(WorkspaceRow).where(WorkspaceRow.slug == slug))

    @staticmethod
    def _free_slug(s: Session, base: str) -> str:
        taken = set(s.scalars(select(WorkspaceRow.slug).where(WorkspaceRow.slug.like(f"{base}%"))))
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"


class ChangeWatch:
    """SQLite's `PRAGMA data_version` on a read-only connection kept for this alone: it changes whenever
    another connection (this process's engine, the CLI in another process) commits, checkpoints included;
    ~20 µs a read, no transaction, no lock taken. The file's identity is part of the value, so a database
    replaced by another file (a restore) does not look unchanged."""

    def __init__(self, path: str | None) -> None:
        self.path = path if path and path != ":memory:" and not path.startswith("file:") else None
        self._lock = threading.Lock()
        self._con: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None

    def value(self) -> tuple[int, int, int] | None:
        if self.path is None:
            return None
        try:
            st = os.stat(self.path)
            with self._lock:
                if self._con is None or self._identity != (st.st_dev, st.st_ino):
                    if self._con is not None:
                        self._con.close()
                    self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                                check_same_thread=False)
                    self._identity = (st.st_dev, st.st_ino)
                row = self._con.execute("PRAGMA data_version").fetchone()
        except (OSError, sqlite3.Error):
            with self._lock:
                if self._con is not None:
                    self._con.close()
                self._con, self._identity = None, None
            return None  # cannot tell: read the database itself
        return (st.st_dev, st.st_ino, int(row[0]))
