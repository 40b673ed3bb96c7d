"""The head revision of the shipped migrations, read from their files with the standard library: the app
database is at head when its `alembic_version` says so, and then neither Alembic (~0.3 s of imports) nor, for
the commands `lite` serves, SQLAlchemy is needed to know it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations")

_REVISION = re.compile(r"^revision(?:\s*:\s*[\w| \[\],.]+)?\s*=\s*[\"']([^\"']+)[\"']\s*$", re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:\s*[\w| \[\],.]+)?\s*=\s*(?:[\"']([^\"']+)[\"']|None)\s*$", re.M)


@functools.cache
def shipped_head() -> str | None:
    """The head of the shipped migrations read from their files without Alembic: the one revision no other
    names as its down revision; None unless the files form one plain chain (then Alembic decides)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        if path.name.startswith("__"):
            continue
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None  # a merge (tuple of down revisions) or a form not read here: Alembic decides
        revisions.add(revision.group(1))
        if down.group(1):
            downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None
