"""Create and upgrade the warehouse schema; the `meta` table records the schema version."""

from __future__ import annotations

import duckdb

from strategyfirst.warehouse.schema import ALL_DDL, SCHEMA_VERSION


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the warehouse to SCHEMA_VERSION; returns the version found before."""
    for ddl in ALL_DDL:
        con.execute(ddl)
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    before = int(row[0]) if row else 0
    if before < SCHEMA_VERSION:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return before
