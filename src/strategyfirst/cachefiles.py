"""Files of `.strategyfirst/cache/`: written whole or not at all, a few of each kind kept. Standard library only.

Everything there is derived and keyed by content (diagnosis_cache.py, report/charts.py): a file that is missing,
cut short or left over is ignored by its reader, and deleting the folder is always safe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def file_stamp(path: str | Path) -> tuple[int, int, int] | None:
    """A file's identity as the file system sees it (inode, size, mtime in ns), or None when it is not there:
    any rewrite or replacement changes it, a read does not."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file renamed over it (a reader sees the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:16]}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` newest files of `folder` matching `pattern`."""
    entries = []
    for path in folder.glob(pattern):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[keep:]:
        path.unlink(missing_ok=True)
