"""The one module that opens the DuckDB warehouse (raw connection and its Ibis backend)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import duckdb
import ibis

from strategyfirst.errors import WorkspaceLockedError

# How long to wait for another program to release the warehouse file (a measure or a report of another
# process holds it for seconds; a notebook may hold it for hours).
FILE_WAIT = 10.0


def open_duckdb(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating when writable) the warehouse file at `path`."""
    from strategyfirst.warehouse.migrate import migrate

    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only)
    if not read_only:
        # Dictionary compression costs a quarter of the time of writing tens of millions of mostly distinct
        # strings (ids, texts) and saves little on them: without it a 10M-message import runs ~10 s faster
        # for a file ~18% larger (BENCHMARKS.md). Reads are unaffected; FSST still compresses the strings.
        con.execute("SET disabled_compression_methods = 'dictionary'")
        migrate(con)
    return con


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, waiting a little while another process holds the file; then a one-line error."""
    from strategyfirst.warehouse.lock import lock_timeout

    wait = min(FILE_WAIT, lock_timeout())
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                pid = re.search(r"\(PID (\d+)\)", str(exc))
                holder = f"another program (PID {pid.group(1)})" if pid else "another program"
                raise WorkspaceLockedError(
                    f"{path}: the warehouse is open in {holder} for {wait:.0f} s; close it there (a notebook, "
                    "a DuckDB shell, a running command) and run this again") from None
            time.sleep(0.2)


def ibis_backend(con: duckdb.DuckDBPyConnection) -> Any:
    """The Ibis DuckDB backend over an open connection."""
    return ibis.duckdb.from_connection(con)


def connect(path: str | Path, *, read_only: bool = False) -> Any:
    """Ibis backend over the warehouse file."""
    return ibis_backend(open_duckdb(path, read_only=read_only))


def memory_backend() -> Any:
    """An in-memory Ibis DuckDB backend (for reading a Parquet export; see warehouse/dataset.py)."""
    return ibis.duckdb.connect()
