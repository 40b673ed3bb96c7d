"""The workspace write lock: one writer at a time; the others wait, saying for what, up to a bound."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import math
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from strategyfirst.errors import WorkspaceError, WorkspaceLockedError

DEFAULT_TIMEOUT = 60.0


def lock_timeout() -> float:
    """Seconds to wait for the lock (`STRATEGYFIRST_LOCK_TIMEOUT`, default 60)."""
    try:
        return float(os.environ.get("STRATEGYFIRST_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def holder(path: Path) -> dict[str, Any]:
    """What the lock file says of the process holding it: pid, what it is doing, since when (may be empty)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return {}
    try:
        info = json.loads(text)
    except ValueError:  # an older version wrote the bare PID
        return {"pid": int(text)} if text.isdigit() else {}
    return info if isinstance(info, dict) else {}


def describe(info: dict[str, Any]) -> str:
    """'the import of twcs.csv by PID 1234, started 12:03' (as much as is known)."""
    doing = str(info.get("doing") or "another command")
    pid = f" by PID {info['pid']}" if info.get("pid") else ""
    started = ""
    if info.get("started"):
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(str(info["started"])).astimezone()
            today = dt.datetime.now().astimezone().date()
            started = f", started {when:%H:%M}" if when.date() == today else f", started {when:%Y-%m-%d %H:%M}"
    return f"{doing}{pid}{started}"


@contextlib.contextmanager
def workspace_lock(state_dir: Path, timeout: float | None = None, *, doing: str = "another command",
                   notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold `state_dir/ingest.lock` exclusively (an OS lock: released even if the process dies).

    While another process holds it, wait: `notify` is told once what is being waited for; `timeout` seconds
    bound the wait (None: STRATEGYFIRST_LOCK_TIMEOUT, default 60; `math.inf`: as long as the other runs).
    The holder writes its PID, `doing` and start time into the file for the others to say."""
    path = state_dir / "ingest.lock"
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fh = path.open("a+")
    except PermissionError:
        raise WorkspaceError(f"{state_dir}: the workspace is read-only for this user; make it writable "
                             "(chmod -R u+w, or run as its owner) and run this again") from None
    wait = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + wait
    told = False
    with fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                other = describe(holder(path))
                if notify is not None and not told:
                    bound = "" if math.isinf(wait) else f" (at most {wait:.0f} s)"
                    notify(f"waiting for {other} to finish{bound}")
                    told = True
                if time.monotonic() >= deadline:
                    raise WorkspaceLockedError(
                        f"{state_dir.parent}: {other} still holds the workspace after {wait:.0f} s; run this "
                        "again when it has finished, or wait longer (ingest --wait SECONDS)") from None
                time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps({"pid": os.getpid(), "doing": doing,
                                 "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}) + "\n")
            fh.flush()
            # What a killed import left (partial raw copies, rejects files) goes now that no import can be
            # writing it, not only at the next import: a member export's may hold what raw/ must not keep.
            from strategyfirst.warehouse.rawstore import sweep_leftovers

            with contextlib.suppress(OSError):
                sweep_leftovers(state_dir)
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
