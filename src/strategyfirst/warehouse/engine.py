"""The one module that opens the DuckDB warehouse (raw connection and its Ibis backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import ibis


def open_duckdb(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating when writable) the warehouse file at `path`."""
    from strategyfirst.warehouse.migrate import migrate

    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        # Dictionary compression costs a quarter of the time of writing tens of millions of mostly distinct
        # strings (ids, texts) and saves little on them: without it a 10M-message import runs ~10 s faster
        # for a file ~18% larger (BENCHMARKS.md). Reads are unaffected; FSST still compresses the strings.
        con.execute("SET disabled_compression_methods = 'dictionary'")
        migrate(con)
    return con


def ibis_backend(con: duckdb.DuckDBPyConnection) -> Any:
    """The Ibis DuckDB backend over an open connection."""
    return ibis.duckdb.from_connection(con)


def connect(path: str | Path, *, read_only: bool = False) -> Any:
    """Ibis backend over the warehouse file."""
    return ibis_backend(open_duckdb(path, read_only=read_only))


def memory_backend() -> Any:
    """An in-memory Ibis DuckDB backend (for reading a Parquet export; see warehouse/dataset.py)."""
    return ibis.duckdb.connect()
