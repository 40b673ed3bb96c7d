"""The one module that opens the DuckDB warehouse (raw connection and its Ibis backend)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.errors import WorkspaceError, WorkspaceLockedError
from strategyfirst.sqltext import string_literal

# How long to wait for another program to release the warehouse file (a measure or a report of another
# process holds it for seconds; a notebook may hold it for hours).
FILE_WAIT = 10.0

# The storage format of a warehouse file this code creates. DuckDB writes new files readable by DuckDB 1.0
# unless told otherwise, without the compression its later releases brought: in 1.5's format the file of ten
# million messages is 787 MB instead of 1.1 GB (peak memory 0.1-0.2 GB lower, the import no slower; BENCHMARKS.md),
# readable by DuckDB 1.5 and later. A file written before keeps its format (DuckDB reads both).
STORAGE_VERSION = "v1.5.0"


def open_duckdb(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating when writable) the warehouse file at `path`."""
    from strategyfirst.warehouse.migrate import migrate

    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _create(path)
    con = _connect(path, read_only)
    if not read_only:
        # Dictionary compression costs a quarter of the time of writing tens of millions of mostly distinct
        # strings (ids, texts) and saves little on them: without it a 10M-message import runs ~10 s faster
        # for a file ~18% larger (BENCHMARKS.md). Reads are unaffected; FSST still compresses the strings.
        try:
            con.execute("SET disabled_compression_methods = 'dictionary'")
            migrate(con)
        except duckdb.IOException as exc:
            # A file cut short: DuckDB opens a file of its 1.5 format without reading its blocks, and the first
            # query fails to read one (the older format failed to open).
            con.close()
            raise unusable_warehouse(path, exc) from None
    return con


def _create(path: Path) -> None:
    """Create the empty warehouse file in STORAGE_VERSION's format. Attached once with the version, the file
    keeps it: every connection opens it with DuckDB's default configuration, so that another connection to it
    in the same process (a notebook's `duckdb.connect`) is not refused for a different configuration."""
    con = duckdb.connect()
    try:
        attach_new(con, path, "created")
        con.execute("DETACH created")
    except duckdb.Error:
        pass  # another process created it meanwhile, or it cannot be written: `_connect` opens it or says why
    finally:
        con.close()


def attach_new(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """ATTACH a database file to be created, in STORAGE_VERSION's format where this DuckDB writes it (the
    project asks for 1.5; an older one writes its own)."""
    try:
        con.execute(f"ATTACH {path_literal(path)} AS {alias} (STORAGE_VERSION '{STORAGE_VERSION}')")
    except duckdb.InvalidInputException:
        con.execute(f"ATTACH {path_literal(path)} AS {alias}")


def path_literal(path: Path) -> str:
    """A file's path as an SQL string literal (ATTACH takes no parameters)."""
    return string_literal(path)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, waiting a little while another process holds the file; then a one-line error."""
    from strategyfirst.warehouse.lock import lock_timeout

    wait = min(FILE_WAIT, lock_timeout())
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if "Could not set lock" not in str(exc):
                raise unusable_warehouse(path, exc) from None
            if time.monotonic() >= deadline:
                pid = re.search(r"\(PID (\d+)\)", str(exc))
                holder = f"another program (PID {pid.group(1)})" if pid else "another program"
                raise WorkspaceLockedError(
                    f"{path}: the warehouse is open in {holder} for {wait:.0f} s; close it there (a notebook, "
                    "a DuckDB shell, a running command) and run this again") from None
            time.sleep(0.2)


RECOVER = ("restore the workspace from a backup, or move the file aside and import your export files again "
           "(the files you imported are kept in .strategyfirst/raw/)")


def unusable_warehouse(path: Path, exc: BaseException) -> WorkspaceError:
    """A one-line error for a warehouse file that cannot be opened: read-only, not a warehouse, or damaged,
    with what to do about it (never DuckDB's own wording)."""
    text = str(exc)
    if "Permission denied" in text or "Read-only file system" in text:
        return WorkspaceError(f"{path}: the warehouse file is read-only for this user; make it writable "
                              "(chmod u+w, or run as its owner) and run this again")
    if "not a valid DuckDB database file" in text:
        if path.stat().st_size == 0 if path.exists() else False:
            return WorkspaceError(f"{path}: the warehouse file is empty (0 bytes): it was cut short; {RECOVER}")
        return WorkspaceError(f"{path}: this file is not a strategyfirst warehouse (not a DuckDB database); "
                              f"{RECOVER}")
    if "newer version" in text or "older version" in text or "storage version" in text:
        return WorkspaceError(f"{path}: the warehouse was written by another version of DuckDB; use the "
                              "strategyfirst version that wrote it, or export and import it again")
    return WorkspaceError(f"{path}: the warehouse file is damaged (cut short or corrupted); {RECOVER}")


def ibis_backend(con: duckdb.DuckDBPyConnection) -> Any:
    """The Ibis DuckDB backend over an open connection."""
    import ibis  # here, not at the top: opening the warehouse need not cost Ibis's import (~0.5 s)

    return ibis.duckdb.from_connection(con)


def connect(path: str | Path, *, read_only: bool = False) -> Any:
    """Ibis backend over the warehouse file."""
    return ibis_backend(open_duckdb(path, read_only=read_only))


def memory_backend() -> Any:
    """An in-memory Ibis DuckDB backend (for reading a Parquet export; see warehouse/dataset.py)."""
    import ibis

    return ibis.duckdb.connect()
