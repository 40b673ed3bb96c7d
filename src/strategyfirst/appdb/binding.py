"""Which app database holds a workspace's history, remembered in `WORKSPACE/.strategyfirst/workspace.json`.

The URL is chosen once — `--db URL`, else `STRATEGYFIRST_DB`, else the workspace's own SQLite file
(`.strategyfirst/app.sqlite`) — and written down with the workspace's slug, so the CLI and the web app never
keep two histories of one workspace. Asking for a different database later is refused with what to do.
The file never holds a password: give it through `STRATEGYFIRST_DB`, `--db` or `~/.pgpass`. A relative
SQLite path in the file is relative to the workspace folder, so the folder can be moved.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from strategyfirst.errors import AppDatabaseError, UsageError, WorkspaceError

if TYPE_CHECKING:
    from strategyfirst.ports import WorkspaceFiles

ENV_VAR = "STRATEGYFIRST_DB"
BINDING_FILE = "workspace.json"
DEFAULT_SQLITE = ".strategyfirst/app.sqlite"  # relative to the workspace folder


@dataclass(frozen=True)
class Binding:
    """A workspace's remembered database: `url` to connect with, `slug` its identity in that database."""

    url: str
    slug: str | None


def binding_path(ws: WorkspaceFiles) -> Path:
    return ws.state_dir / BINDING_FILE


def slugify(name: str) -> str:
    """A URL-safe slug from a folder name: `My Client (2026)` → `my-client-2026`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "workspace"


SLUG_MAX = 80


def check_slug(name: str) -> str:
    """A new workspace's name, which is its slug and folder name: what `slugify` would make of it (lowercase
    letters, digits, single hyphens inside; at most 80 characters), so the web and `init` agree."""
    name = name.strip()
    if not name or len(name) > SLUG_MAX or slugify(name) != name:
        hint = f" (e.g. {slugify(name)!r})" if name and slugify(name) != "workspace" else ""
        raise UsageError(f"name: {name!r} is not a workspace name: use lowercase letters, digits and single "
                         f"hyphens, at most {SLUG_MAX} characters{hint}")
    return name


def _parse(url: str, source: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise AppDatabaseError(f"{source}: {url!r} is not a SQLAlchemy URL; use e.g. "
                               "sqlite:///path/app.sqlite or postgresql+psycopg://user@host:5432/db") from exc


def absolute(url: str, base: Path, source: str = "--db") -> str:
    """The URL with a relative SQLite path made absolute against `base`."""
    parsed = _parse(url, source)
    db = parsed.database
    if parsed.get_backend_name() == "sqlite" and db and db != ":memory:" and not db.startswith("file:"):
        path = Path(db)
        if not path.is_absolute():
            parsed = parsed.set(database=str((base / path).resolve()))
    return parsed.render_as_string(hide_password=False)


def same_database(a: str, b: str) -> bool:
    """True when two (absolute) URLs name the same database, whatever the password."""
    return _parse(a, "url")._replace(password=None) == _parse(b, "url")._replace(password=None)


def read_binding(ws: WorkspaceFiles) -> Binding | None:
    """The remembered database of `ws` (absolute URL, without password), or None if it has none yet."""
    path = binding_path(ws)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url, slug = data["db_url"], data.get("slug")
        if not isinstance(url, str) or not (slug is None or isinstance(slug, str)):
            raise TypeError("db_url must be a string and slug a string")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WorkspaceError(f"{path}: unreadable ({exc}); fix it or delete it to bind the workspace anew "
                             "(deleting it starts a new history)") from exc
    return Binding(absolute(url, ws.root, str(path)), slug)


def write_binding(ws: WorkspaceFiles, url: str, slug: str) -> None:
    """Remember `url` (password dropped; the default file kept relative) and `slug` for `ws`."""
    parsed = _parse(url, "url")
    stored = parsed._replace(password=None).render_as_string(hide_password=False)
    default = absolute("sqlite:///" + DEFAULT_SQLITE, ws.root)
    if same_database(url, default):
        stored = "sqlite:///" + DEFAULT_SQLITE
    path = binding_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"db_url": stored, "slug": slug}, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def resolve_url(ws: WorkspaceFiles, url: str | None = None) -> str:
    """The URL to open for `ws`: the remembered one, checked against an explicit `url` or STRATEGYFIRST_DB."""
    explicit, source = (url, "--db") if url else (os.environ.get(ENV_VAR) or None, ENV_VAR)
    wanted = absolute(explicit, Path.cwd(), source) if explicit else None
    bound = read_binding(ws)
    if bound is None:
        return wanted or absolute("sqlite:///" + DEFAULT_SQLITE, ws.root)
    if wanted is None:
        return bound.url
    if not same_database(wanted, bound.url):
        raise AppDatabaseError(
            f"{ws.root}: this workspace keeps its history in {make_url(bound.url).render_as_string()}, "
            f"not in {make_url(wanted).render_as_string()} (from {source}); use that database, or delete "
            f"{binding_path(ws)} to start a new history in the other one")
    return wanted  # the same database, possibly with the password the binding does not keep


def remembered_slug(ws: WorkspaceFiles) -> str:
    """The slug `ws` has in its app database, or (not bound yet, or unreadable binding) its folder's slug."""
    try:
        bound = read_binding(ws)
    except (WorkspaceError, AppDatabaseError):
        bound = None
    return bound.slug if bound and bound.slug else slugify(ws.root.name)
