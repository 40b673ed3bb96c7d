"""Where a command writes what it makes (`backup OUT`, `export --out DIR`): into a folder that exists. OUT itself
may be new; a mistyped folder above it is said, never created (as `report -o` refuses a missing folder)."""

from __future__ import annotations

import os
from pathlib import Path

from strategyfirst.errors import UsageError


def check_parent(target: Path, command: str) -> None:
    """UsageError unless the folder `target` goes in exists and is a folder; `command` names who writes."""
    shown = os.fsencode(target).decode("utf-8", errors="backslashreplace")
    if shown != str(target):  # DuckDB takes UTF-8 paths only, and the path is printed (its bytes shown as \xe9)
        raise UsageError(f"{shown}: the name is not UTF-8 text (written in another encoding): choose another name "
                         f"for what {command} writes")
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: choose where {command} writes")
    if not folder.exists():
        raise UsageError(f"{folder}: no such folder; check the path, or create the folder first ({command} never "
                         "creates the folders it writes into)")
