"""What one server process holds: the shared app database and the workspaces it serves, by slug."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from strategyfirst.appdb import AppDB, connect, open_shared
from strategyfirst.web.answers import Answers
from strategyfirst.web.served import ServedWorkspace
from strategyfirst.web.settings import Settings
from strategyfirst.workspace import Workspace

T = TypeVar("T")
# Seconds a process of `serve --workers N` waits for its warm-up before it serves: under uvicorn's 5 s, in which
# a worker started by a rolling restart (SIGHUP) must be ready or the restart is given up
WARM_FIRST_LIMIT = 4.0
_MEMO_SIZE = 10_000  # entries (callers' credentials and roles) before the memo starts afresh


@dataclass
class AppState:
    """The app database (users, roles, history) and the served workspaces; every query names one slug."""

    settings: Settings
    db: AppDB
    workspaces: dict[str, ServedWorkspace] = field(default_factory=dict)
    answers: Answers = field(default_factory=Answers)  # the cached routes' JSON answers by URL (web/fastpath.py)
    _adding: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    _memo_version: Any = field(default=None, repr=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`'s reading of the app database, reused until the database changes: any commit by any
        process (a token revoked, a member removed or demoted, a logout) makes the next request read again.
        Where the database cannot tell (PostgreSQL) every call reads it."""
        version = self.db.change_counter()
        if version is None:
            return compute()
        with self._memo_lock:
            if self._memo_version != version:
                self._memo.clear()
                self._memo_version = version
            if key in self._memo:
                found: T = self._memo[key]
                return found
        value = compute()  # read after `version`: at least as new as the version it is kept under
        with self._memo_lock:
            if self._memo_version == version:
                if len(self._memo) >= _MEMO_SIZE:
                    self._memo.clear()
                self._memo[key] = value
        return value

    def workspace(self, slug: str) -> ServedWorkspace | None:
        """The served workspace of `slug`; one an admin created (in this process or another of `serve
        --workers N`) in the new-workspaces folder is served from its first request on."""
        found = self.workspaces.get(slug)
        if found is None and self.settings.new_workspaces is not None:
            found = self._created(slug, self.settings.new_workspaces.resolve())
        return found

    def _created(self, slug: str, parent: Path) -> ServedWorkspace | None:
        row = self.db.workspace(slug)
        if row is None or Path(row.path).parent != parent or not Path(row.path).is_dir():
            return None
        with self._adding:
            return self.workspaces.setdefault(slug, ServedWorkspace(row.path, db_url=self.db.url))

    def start(self, freeze: bool = False, wait: bool = False, precompile: bool = False) -> None:
        """Take every workspace's first warehouse snapshot in the background (the first pages need not wait)
        and warm the process up (the first measure in a process loads the metric modules and sets up Ibis:
        0.8 s of CPU against 0.25 s for the next ones). With `wait` (a process of `serve --workers N`), do it
        before returning, and compute what the dashboard and the API's first requests read (the diagnosis,
        the funnel, the default measure), so that the process answers its first requests warm: its siblings
        are serving meanwhile. It waits at most WARM_FIRST_LIMIT seconds (the warm-up goes on after that).
        With `freeze` (a serving process), what the start-up made is then moved out of the garbage
        collector's sight (`freeze_heap`). With `precompile` (a serving process), each thread then keeps the
        SQL of the API's standard measurements not kept yet (`ServedWorkspace.precompile`), which nothing
        waits for."""
        warmed = [threading.Event() for _ in self.workspaces]
        threads = [threading.Thread(target=_warm_up, args=(ws, wait, precompile, done),
                                    name=f"sf-snapshot-{ws.slug}", daemon=True)
                   for ws, done in zip(self.workspaces.values(), warmed, strict=True)]
        for thread in threads:
            thread.start()
        if wait:
            deadline = time.monotonic() + WARM_FIRST_LIMIT
            for done in warmed:
                done.wait(max(0.0, deadline - time.monotonic()))
        if freeze:
            threading.Thread(target=freeze_heap, args=(threads,), name="sf-gc-freeze", daemon=True).start()


def freeze_heap(after: list[threading.Thread]) -> None:
    """Once `after` are done, collect the garbage of the start-up and freeze what is left (`gc.freeze`): the
    modules, Ibis and DuckDB objects of a warm process (~260,000 objects) are no longer walked by every full
    collection, which otherwise stops every request for 0.2-1.3 s (measured at load 10 under wrk; issue
    17.4, p99). Objects made later are collected as usual."""
    import gc

    for thread in after:
        thread.join()
    gc.collect()
    gc.freeze()


def _warm_up(ws: ServedWorkspace, full: bool = False, precompile: bool = False,
             done: threading.Event | None = None) -> None:
    """The first snapshot, then one small measure on it (nothing is written, nothing cached); with `full`,
    the results every dashboard and the API's default routes read, cached as a request would cache them.
    Then `done` is set, and with `precompile` the standard measurements' SQL is kept (compiled, not run)."""
    from strategyfirst.web import services

    try:
        if not ws.snapshot().has_data:
            return
        ws.warm_up()
        if full:
            diagnosis = services.diagnose_json(ws)
            services.funnel_json(ws)
            # the dashboard's: its month is the report's, up to the diagnosis's as-of day
            services.funnel_json(ws, dt.date.fromisoformat(str(diagnosis["as_of"])[:10]) if diagnosis.get("as_of")
                                 else None)
            services.measure_json(ws)
    except Exception:  # a request will meet (and report) the same problem
        pass
    finally:
        if done is not None:
            done.set()
    if precompile:
        try:
            ws.precompile()  # after a failed warm-up too: a diagnosis may fail where measurements do not
        except Exception:  # a request compiles what was not kept, and reports what fails
            return


def open_state(settings: Settings) -> AppState:
    """Open the one app database of the named workspaces (or of `db_url`, serving all registered in it)."""
    if settings.workspaces:
        folders = [Workspace(p) for p in settings.workspaces]
        db = open_shared(folders, settings.db_url)
        url = db.url
        served = {ws.slug: ServedWorkspace(ws.root, db_url=url) for ws in folders}
    else:
        db = open_shared([], settings.db_url)
        url = db.url
        served = {row.slug: ServedWorkspace(row.path, db_url=url) for row in db.workspaces()
                  if Path(row.path).is_dir()}
    shared = connect(url) if db.slug else db
    shared.prune()  # expired sessions and old login attempts
    return AppState(settings=settings, db=shared, workspaces=served)
