"""Read-only snapshots of the warehouse for a long-running reader (the web server).

DuckDB lets one process write a database file or many read it, never both: a server holding
`warehouse.duckdb` open would make every CLI import wait for it, and an import (holding the file for seconds)
would make every page wait. So a reader never keeps the warehouse itself open. Under the workspace lock (held
by every writer: ingest, undo, measure's refresh) the warehouse's derived tables are brought up to date and the
committed file is copied to `.strategyfirst/snapshots/<token>.duckdb`; the reader opens that copy read-only,
once per process, and hands out a cursor per thread. While a writer holds the lock, readers keep the last
snapshot (and can say since when); the next snapshot is taken as soon as the lock is free again.

The token is the warehouse file's identity and the plan's attribution hash, so several server processes find
and share the same copy (many read-only processes on one file are fine for DuckDB).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.cachefiles import file_stamp
from strategyfirst.errors import StrategyFirstError, WorkspaceLockedError
from strategyfirst.plan import Plan
from strategyfirst.warehouse.lock import holder, workspace_lock

SNAPSHOT_DIR = "snapshots"
RETRY = 0.25  # seconds between attempts to take a snapshot while a writer holds the workspace
SNAPSHOT_DOING = "a snapshot for the web server"
PROBE = 0.2  # seconds a "is a writer running?" answer is reused


@dataclass
class Snapshot:
    """One committed state of the warehouse, open read-only in this process."""

    token: str
    path: Path | None  # None: no warehouse yet (an empty in-memory one, so that reads find empty tables)
    con: duckdb.DuckDBPyConnection
    as_of: dt.datetime  # when the copied warehouse was last written (its last commit)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def has_data(self) -> bool:
        return self.path is not None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the snapshot (a DuckDB connection object is not shared between threads)."""
        cur: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cursor = cur
        return cur

    def local(self, key: str, make: Callable[[], Any]) -> Any:
        """`make()`, once per thread and snapshot (e.g. Ibis tables over this thread's backend)."""
        memo: dict[str, Any] | None = getattr(self._local, "memo", None)
        if memo is None:
            memo = self._local.memo = {}
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def backend(self) -> Any:
        """This thread's Ibis backend over its cursor."""
        backend = getattr(self._local, "backend", None)
        if backend is None:
            from strategyfirst.warehouse.engine import ibis_backend

            backend = ibis_backend(self.cursor())
            self._local.backend = backend
        return backend


@dataclass(frozen=True)
class Writer:
    """A process (this one or another) holding the workspace for writing: what it does, since when."""

    doing: str
    started: dt.datetime | None

    @property
    def importing(self) -> bool:
        return "import" in self.doing


class Unusable:
    """The plan does not parse: snapshots keep the derived tables as they are."""


UNUSABLE = Unusable()


def clone(src: Path, dst: Path) -> None:
    """Copy a file with copy_file_range (on btrfs, XFS and other filesystems with shared extents the copy
    shares the blocks: instant, no extra space until the warehouse changes); else an ordinary copy."""
    try:
        with src.open("rb") as fin, dst.open("wb") as fout:
            left = os.fstat(fin.fileno()).st_size
            while left > 0:
                done = os.copy_file_range(fin.fileno(), fout.fileno(), left)
                if done <= 0:
                    break
                left -= done
            if left <= 0:
                return
    except (AttributeError, OSError):  # no copy_file_range here (or not between these filesystems)
        pass
    shutil.copyfile(src, dst)


def _empty() -> Snapshot:
    """A snapshot of no warehouse: an in-memory database with the warehouse's tables, all empty."""
    from strategyfirst.warehouse.migrate import migrate

    con = duckdb.connect(":memory:")
    migrate(con)
    return Snapshot("empty", None, con, dt.datetime.now(dt.UTC))




class SnapshotKeeper:
    """The current snapshot of one workspace's warehouse, replaced after each committed change.

    `plan` returns the plan the derived tables are to follow (parsed once per version by the caller).
    `current()` never waits for a writer of another process; only the very first snapshot of a process is
    taken in the caller's thread (or an earlier snapshot file left on disk is opened meanwhile).
    """

    def __init__(self, warehouse: Path, state_dir: Path, plan: Callable[[], Plan | None]) -> None:
        self.warehouse = warehouse
        self.state_dir = state_dir
        self.folder = state_dir / SNAPSHOT_DIR
        self._plan = plan
        self._snapshot: Snapshot | None = None
        self._seen: tuple[Any, ...] | None = None  # the warehouse and plan the snapshot was taken from
        self._mutex = threading.Lock()  # one refresh at a time in this process
        self._retry_at = 0.0
        self._probe: tuple[float, Writer | None] = (0.0, None)
        self._refreshing = False
        self._flag = threading.Lock()
        self._scheduled = False  # a background refresh is on its way
        self._hashed: tuple[Any, str | None] = (None, None)

    # --- reading -------------------------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        """True once a snapshot is open (`current()` will not take the first one in the caller's thread)."""
        return self._snapshot is not None

    def current(self) -> Snapshot:
        """The snapshot to read now (an empty one before the first import). Starts a refresh when the warehouse
        or the plan changed since it was taken, serving the previous snapshot until the new one is ready."""
        snapshot = self._snapshot
        if snapshot is None:
            if not self.refresh() and self._snapshot is None:
                self.refresh(wait=True)  # the first ever: nothing older to show
            return self._snapshot or _empty()
        if self._want() != self._seen and time.monotonic() >= self._retry_at:
            with self._flag:
                if self._scheduled:
                    return snapshot
                self._scheduled = True
            threading.Thread(target=self._background, name="sf-snapshot", daemon=True).start()
        return snapshot

    def _background(self) -> None:
        try:
            self.refresh()
        finally:
            self._scheduled = False

    def writer(self) -> Writer | None:
        """The process holding the workspace for writing (an import), or None; probed at most every 0.2 s."""
        at, known = self._probe
        now = time.monotonic()
        if now - at < PROBE:
            return known
        found = self._held_by()
        self._probe = (now, found)
        return found

    def _held_by(self) -> Writer | None:
        path = self.state_dir / "ingest.lock"
        if not path.exists():
            return None
        try:
            fh = path.open("rb")
        except OSError:
            return None
        with fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                pass
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
                return None
        if self._refreshing:  # this process's own snapshot, not a writer
            return None
        info = holder(path)
        if info.get("doing") == SNAPSHOT_DOING:  # another server process taking the same snapshot
            return None
        started = None
        with contextlib.suppress(TypeError, ValueError):
            started = dt.datetime.fromisoformat(str(info.get("started")))
        return Writer(str(info.get("doing") or "another command"), started)

    def _want(self) -> tuple[Any, ...]:
        wal = self.warehouse.with_name(self.warehouse.name + ".wal")
        return (file_stamp(self.warehouse), file_stamp(wal), self._plan_hash(self._plan_or_unusable()))

    def _plan_or_unusable(self) -> Plan | Unusable | None:
        try:
            return self._plan()
        except StrategyFirstError:  # a plan that does not parse: the derived tables stay as they are
            return UNUSABLE

    def _plan_hash(self, plan: Plan | Unusable | None) -> str:
        from strategyfirst.warehouse.attribution import plan_hash

        if isinstance(plan, Unusable):
            return "unusable"
        known, digest = self._hashed
        if known is not plan or digest is None:
            digest = plan_hash(plan)
            self._hashed = (plan, digest)
        return digest

    # --- taking a snapshot ----------------------------------------------------------------------------------
    def refresh(self, *, wait: bool = False) -> bool:
        """Take a new snapshot if the warehouse or plan changed. Without `wait`, give up at once while a writer
        holds the workspace (the previous snapshot stays); with it, wait for the writer (the lock's bound).
        Returns True when a new snapshot is in place."""
        with self._mutex:
            self._refreshing = True
            try:
                return self._refresh(wait)
            except WorkspaceLockedError:
                self._retry_at = time.monotonic() + RETRY
                if self._snapshot is None:
                    self._adopt_latest_file()
                return False
            finally:
                self._refreshing = False

    def _refresh(self, wait: bool) -> bool:
        want = self._want()
        if want == self._seen:
            return False
        with workspace_lock(self.state_dir, None if wait else 0.0, doing=SNAPSHOT_DOING):
            want = self._want()
            if want[0] is None:
                self._swap(_empty(), want)
                return True
            plan = self._plan_or_unusable()
            if not isinstance(plan, Unusable):
                self._bring_up_to_date(plan)
            path, as_of = self._copy(self._plan_hash(plan))
            want = self._want()
        con = duckdb.connect(str(path), read_only=True)
        token = path.stem
        self._swap(Snapshot(token, path, con, as_of), want)
        self._sweep(keep=path)
        return True

    def _bring_up_to_date(self, plan: Plan | None) -> None:
        """Schema migrated, derived tables rebuilt for the data and plan, everything checkpointed into the file
        (a WAL left by a killed process is replayed): the file alone is the committed state. Opening it this
        way changes nothing in the file when all was up to date, so the token stays the same."""
        from strategyfirst.warehouse import derive
        from strategyfirst.warehouse.engine import open_duckdb

        con = open_duckdb(self.warehouse)
        try:
            con.execute("SET enable_progress_bar = false")
            # a no-op unless data or plan changed since the last one; a file never derived (imports derive at
            # their end, so: written by hand or by other tools) is left as it is, as derive.refresh_file does
            if derive.meta(con, derive.DATA_KEY) is not None:
                derive.refresh(con, plan)
            con.execute("CHECKPOINT")
        finally:
            con.close()

    def _copy(self, digest: str) -> tuple[Path, dt.datetime]:
        st = self.warehouse.stat()
        ident = f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{digest}"
        token = hashlib.sha256(ident.encode()).hexdigest()[:20]
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{token}.duckdb"
        if not path.exists():  # another server process may have taken this one already
            tmp = self.folder / f".{token}.{os.getpid()}.{threading.get_ident()}.tmp"
            try:
                clone(self.warehouse, tmp)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        return path, dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)

    def _swap(self, snapshot: Snapshot | None, seen: tuple[Any, ...]) -> None:
        # The old connection is not closed here: requests still reading it hold it, and it closes when the
        # last of them lets go of it.
        self._snapshot, self._seen = snapshot, seen

    def _sweep(self, keep: Path) -> None:
        """Remove older snapshot files (a process still reading one keeps its open file until it lets go)."""
        try:
            limit = keep.stat().st_mtime
            for old in self.folder.glob("*.duckdb"):
                if old != keep and old.stat().st_mtime < limit - 60:
                    old.unlink(missing_ok=True)
        except OSError:
            pass

    def _adopt_latest_file(self) -> None:
        """Open the newest snapshot file on disk (left by an earlier server) while a writer holds the
        workspace at start-up, rather than waiting for it."""
        try:
            files = sorted(self.folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return
        if files:
            path = files[-1]
            with contextlib.suppress(duckdb.Error, OSError):
                con = duckdb.connect(str(path), read_only=True)
                as_of = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
                self._swap(Snapshot(path.stem, path, con, as_of), ("adopted",))
