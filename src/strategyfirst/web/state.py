"""What one server process holds: the shared app database and the workspaces it serves, by slug."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from strategyfirst.appdb import AppDB, connect, open_shared
from strategyfirst.web.served import ServedWorkspace
from strategyfirst.web.settings import Settings
from strategyfirst.workspace import Workspace


@dataclass
class AppState:
    """The app database (users, roles, history) and the served workspaces; every query names one slug."""

    settings: Settings
    db: AppDB
    workspaces: dict[str, ServedWorkspace] = field(default_factory=dict)
    _adding: threading.Lock = field(default_factory=threading.Lock, repr=False)

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

    def start(self) -> None:
        """Take every workspace's first warehouse snapshot in the background (the first pages need not wait)
        and warm the process up (the first measure in a process loads the metric modules and sets up Ibis:
        0.8 s of CPU against 0.25 s for the next ones)."""
        for ws in self.workspaces.values():
            threading.Thread(target=_warm_up, args=(ws,), name=f"sf-snapshot-{ws.slug}", daemon=True).start()


def _warm_up(ws: ServedWorkspace) -> None:
    """The first snapshot, then one small measure on it (nothing is written, nothing cached)."""
    try:
        if ws.snapshot().has_data:
            ws.warm_up()
    except Exception:  # a request will meet (and report) the same problem
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
