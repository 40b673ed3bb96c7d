"""No server path leaves the app (issue 17.7): an error about an uploaded file names the file as uploaded,
one about the plan names `strategy.yaml`, and the import log shows file names, never where they were read
from. Messages are scrubbed of the served workspaces' folders (and the private upload folders in them) and
of the app database's folder at the edge, in the error handlers and the import routes."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from strategyfirst.warehouse.importlog import shown_name

_UPLOAD = r"[/\\]\.strategyfirst[/\\]uploads[/\\][0-9a-f]{32}[/\\]"


def file_name(path: Any) -> str | None:
    """The name a user knows a file by: no folders (a zip member keeps its place in the archive)."""
    return None if path is None else shown_name(str(path))


def folders(roots: Iterable[Path], db_url: str | None = None) -> list[str]:
    """The server folders to hide, longest first (a workspace inside another folder is replaced first)."""
    found = {str(root) for root in roots} | {str(Path(root).resolve()) for root in roots}
    if db_url:
        database = make_url(db_url).database
        if make_url(db_url).get_backend_name() == "sqlite" and database and database != ":memory:":
            found.add(str(Path(database).parent))
    return sorted((f for f in found if f not in ("", os.sep)), key=len, reverse=True)


def scrub(text: str, hidden: list[str]) -> str:
    """`text` without the hidden folders: an upload's copy becomes its name, anything else in a workspace
    its path inside the workspace (`strategy.yaml`)."""
    for folder in hidden:
        if folder in text:
            text = re.sub(re.escape(folder) + _UPLOAD, "", text)
            text = text.replace(folder + os.sep, "").replace(folder, ".")
    return text


def scrub_json(value: Any, hidden: list[str]) -> Any:
    """Every string inside `value` scrubbed (lists, dicts and tuples walked)."""
    if isinstance(value, str):
        return scrub(value, hidden)
    if isinstance(value, dict):
        return {k: scrub_json(v, hidden) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_json(v, hidden) for v in value]
    return value


def public_import(row: dict[str, Any]) -> dict[str, Any]:
    """An import log row as the web shows it: the file's and the rejects file's names only, and the account it
    was imported with (`--account`, the form's Account; None where the file named its own)."""
    shown = {k: v for k, v in row.items() if k != "stamp"}  # the import's own check for an unchanged file
    return {**shown, "file": file_name(row.get("file")), "rejects_file": file_name(row.get("rejects_file")),
            "account": import_options(row).get("account")}


def import_options(row: dict[str, Any]) -> dict[str, Any]:
    """The options an import log row recorded (its `options` JSON; none in a log older than them)."""
    options = row.get("options")
    if isinstance(options, str):
        with contextlib.suppress(ValueError):
            options = json.loads(options)
    return options if isinstance(options, dict) else {}
