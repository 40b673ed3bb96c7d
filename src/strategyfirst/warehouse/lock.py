"""The workspace write lock: one ingest at a time; a second one waits, then fails with WorkspaceLockedError."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from strategyfirst.errors import WorkspaceError, WorkspaceLockedError

DEFAULT_TIMEOUT = 60.0


def lock_timeout() -> float:
    """Seconds to wait for the lock (`STRATEGYFIRST_LOCK_TIMEOUT`, default 60)."""
    try:
        return float(os.environ.get("STRATEGYFIRST_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


@contextlib.contextmanager
def workspace_lock(state_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold `state_dir/ingest.lock` exclusively (an OS lock: released even if the process dies)."""
    path = state_dir / "ingest.lock"
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fh = path.open("a+")
    except PermissionError:
        raise WorkspaceError(f"{state_dir}: the workspace is read-only for this user; make it writable "
                             "(chmod -R u+w, or run as its owner) and run this again") from None
    wait = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + wait
    with fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceLockedError(
                        f"{state_dir.parent}: another ingest has held the workspace for {wait:.0f} s; wait for "
                        "it to finish and run this again (or raise STRATEGYFIRST_LOCK_TIMEOUT)") from None
                time.sleep(0.1)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"{os.getpid()}\n")
            fh.flush()
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
