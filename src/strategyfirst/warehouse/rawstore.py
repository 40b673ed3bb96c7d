"""The raw folder: every imported file kept as it was, named by its sha256, so the warehouse can be rebuilt.

`RawCopy` hashes and copies a file in one pass on a thread (file I/O and hashing release the GIL) while
DuckDB reads it (a file of at most INLINE_BYTES at once, without a thread); the copy becomes
`<sha256><suffix>` only when the import commits.

A member export's copy is redacted (`redact`: sources/member_counts.py writes what its loader needs, no personal
value): it is still named by the sha256 of the file as imported (the import log's `sha256`, which recognises a
re-import), and its own sha256 is `stored_digest` (the log's `raw_sha256`, which `check` verifies).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from strategyfirst.errors import ImportFileError

CHUNK = 8 << 20
INLINE_BYTES = 1 << 20  # files up to this size are hashed and copied by the caller, without a thread


def sweep_partials(folder: Path) -> int:
    """Remove the `.<name>.part` files a killed import left in `folder` (raw copies in raw/, rejects files in
    rejects/; called under the workspace's lock, so no live import is writing one); returns how many."""
    removed = 0
    for part in folder.glob(".*.part"):
        with contextlib.suppress(OSError):
            part.unlink()
            removed += 1
    return removed


def sweep_leftovers(state_dir: Path) -> int:
    """`sweep_partials` of the workspace's raw/ and rejects/ (what `workspace_lock` does on taking the lock):
    a partial copy never waits for the next import to go; returns how many files were removed."""
    return sum(sweep_partials(state_dir / name) for name in ("raw", "rejects") if (state_dir / name).is_dir())


class RawCopy:
    """One file on its way into `raw_dir`: `digest` waits for the pass, `keep` files it, `discard` drops it."""

    def __init__(self, path: Path, raw_dir: Path, *, copy: bool = True) -> None:
        raw_dir.mkdir(parents=True, exist_ok=True)
        sweep_partials(raw_dir)
        self.path = path
        self._copy = copy  # False: only hashed (a member export, whose kept copy is `redact`'s)
        self._raw_dir = raw_dir
        self._part = raw_dir / f".{uuid.uuid4().hex}.part"
        self._digest: str | None = None
        self._redacted: str | None = None  # the sha256 of the redacted copy in `_part`, once written
        self._error: OSError | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            small = path.stat().st_size <= INLINE_BYTES
        except OSError:
            small = True  # _run records the error
        if small:  # a few kB: copied at once, cheaper than starting a thread (~3 ms of waiting when busy)
            self._run(background=False)
            return
        self._thread = threading.Thread(target=self._run, name=f"raw-copy {path.name}", daemon=True)
        self._thread.start()

    def _run(self, background: bool = True) -> None:
        h = hashlib.sha256()
        if background:
            with contextlib.suppress(OSError, AttributeError):  # the copy yields the cores to DuckDB's threads
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        try:
            with self.path.open("rb") as src, \
                    self._part.open("wb") if self._copy else contextlib.nullcontext() as dst:
                while (chunk := src.read(CHUNK)) and not self._cancel.is_set():
                    h.update(chunk)
                    if dst is not None:
                        dst.write(chunk)
        except OSError as exc:
            self._error = exc
            return
        self._digest = h.hexdigest()

    @property
    def digest(self) -> str:
        """The file's sha256 (waits for the pass to end)."""
        return self._finished()

    def _finished(self) -> str:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None or self._digest is None:
            self._part.unlink(missing_ok=True)
            raise ImportFileError(str(self.path), f"could not be copied into {self._raw_dir} ({self._error}); "
                                  "check the disk space and permissions (nothing was imported)")
        return self._digest

    @property
    def stored_digest(self) -> str | None:
        """The sha256 of the redacted copy (None: the copy is the file itself)."""
        return self._redacted

    def redact(self, write: Callable[[Path], None]) -> None:
        """Keep what `write` writes to the path it is given instead of the file's bytes (the file's digest is
        still taken); the copy gets the file's modification time (a source may date a snapshot by it)."""
        self._finished()  # the byte copy's pass gave the file's digest; the copy itself is replaced
        self._part.unlink(missing_ok=True)
        try:
            write(self._part)
            with self._part.open("rb") as fh:
                self._redacted = hashlib.file_digest(fh, "sha256").hexdigest()
            st = self.path.stat()
            os.utime(self._part, ns=(st.st_atime_ns, st.st_mtime_ns))
        except OSError as exc:
            self._part.unlink(missing_ok=True)
            raise ImportFileError(str(self.path), f"its redacted copy could not be written into {self._raw_dir} "
                                  f"({exc}); check the disk space and permissions (nothing was imported)") from None

    def keep(self) -> Path:
        """Move the copy to its content address (an identical file already kept is left as it is; a redacted
        copy replaces what is there, which may be an unredacted copy kept before copies were redacted)."""
        target = self._raw_dir / (self.digest + "".join(self.path.suffixes[-1:]).lower())
        if target.exists() and self._redacted is None:
            self._part.unlink(missing_ok=True)
        else:
            self._part.replace(target)
        return target

    def discard(self) -> None:
        """Drop the copy (the import failed or was rolled back); stops a pass still running."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.join()
        self._part.unlink(missing_ok=True)
