"""Saving a plan without losing anyone's work: a save names the version it was based on (the sha256 of the
text its author started from) and is refused while another version has become current since.

The plan file is the source of truth (the CLI edits it too), so the check compares the base with the file's
text, under a lock file held from reading the file to writing it: two servers or a server and a CLI on the
same folder serialise their saves.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from strategyfirst.appdb.history import text_sha256
from strategyfirst.appdb.models import PlanVersion
from strategyfirst.appdb.render import iso, plan_diff
from strategyfirst.appdb.repository import AppDB
from strategyfirst.errors import ConflictError, PlanError


def etag(sha256: str) -> str:
    """The HTTP entity tag of a plan version (its text's sha256, quoted)."""
    return f'"{sha256}"'


def parse_if_match(header: str | None) -> list[str] | None:
    """The sha256 values of an `If-Match` header; None when absent or `*` (any version will do)."""
    if header is None or header.strip() == "*":
        return None
    return [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",") if tag.strip()]


@contextmanager
def plan_lock(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def unloadable_conflict(db: AppDB, slug: str, on_disk: str, problem: PlanError, bases: list[str]) -> ConflictError:
    """409's body for an edit on disk that does not load as a plan (so no version): nothing is overwritten as for
    any edit on disk; `current` names no version, the diff runs from the base to the file."""
    from strategyfirst.plan.diff import diff_plans

    base = next((v for v in db.plan_versions(slug) if v.sha256 in bases), None)
    details: dict[str, object] = {
        "current": {"version": None, "sha256": text_sha256(on_disk), "author": None, "created_at": None,
                    "why": None},
        "base": base.number if base else None,
        "diff": diff_plans(base.text, on_disk, old_name=f"strategy.yaml@v{base.number}",
                           new_name="strategy.yaml") if base else None,
    }
    first = problem.problems[0] if problem.problems else problem
    return ConflictError(f"strategy.yaml was edited outside the app and does not load as a plan ({first}); "
                         "nothing was overwritten — fix it there, or merge your change into it and save again",
                         details)


def conflict(db: AppDB, slug: str, current: PlanVersion, bases: list[str]) -> ConflictError:
    """409's body: the current version's number, author, time and why, and the diff from the base to it."""
    base = next((v for v in db.plan_versions(slug) if v.sha256 in bases), None)
    who = current.author or "someone editing strategy.yaml directly"
    details: dict[str, object] = {
        "current": {"version": current.number, "sha256": current.sha256, "author": current.author,
                    "created_at": iso(current.created_at), "why": current.why},
        "base": base.number if base else None,
        "diff": plan_diff(base, current) if base else None,
    }
    moved = (f"the plan changed since version {base.number}, which this save was based on" if base else
             "the plan is no longer the version this save was based on")
    return ConflictError(f"{moved}: version {current.number} was saved by {who} at {iso(current.created_at)}; "
                         "nothing was overwritten — merge your change into the current text and save again", details)


def save_plan(db: AppDB, slug: str, plan_path: Path, lock_path: Path, text: str, author: str | None,
              why: str | None, bases: list[str] | None) -> PlanVersion:
    """Store `text` as the plan's new version and write it to `plan_path`; ConflictError (nothing written)
    when `bases` is given and the current text is none of them (unless it already is `text`)."""
    with plan_lock(lock_path):
        on_disk = plan_path.read_text(encoding="utf-8") if plan_path.is_file() else None
        if on_disk is not None:
            stale = bases is not None and text_sha256(on_disk) not in bases and on_disk != text
            try:
                current = db.record_plan_version(slug, on_disk)  # an edit outside the app is a version too
            except PlanError as exc:  # ... once it loads: a broken one is never stored, but still not overwritten
                if stale:
                    raise unloadable_conflict(db, slug, on_disk, exc, bases or []) from None
            else:
                if stale:
                    raise conflict(db, slug, current, bases or [])
        version = db.record_plan_version(slug, text, author=author, why=why)
        plan_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(plan_path, text)
        return version
