"""Create and upgrade the warehouse schema; the `meta` table records the schema version."""

from __future__ import annotations

import duckdb

from strategyfirst.errors import WorkspaceError
from strategyfirst.warehouse import importlog
from strategyfirst.warehouse.schema import ALL_DDL, META, SCHEMA_VERSION, UPGRADES


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version recorded in `meta` (0 for a new or pre-versioning file)."""
    con.execute(META)
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the warehouse to SCHEMA_VERSION in one transaction; returns the version found before."""
    before = schema_version(con)
    if before > SCHEMA_VERSION:
        raise WorkspaceError(f"the warehouse has schema version {before}, newer than this strategyfirst "
                             f"({SCHEMA_VERSION}); upgrade strategyfirst")
    if before == SCHEMA_VERSION:
        for ddl in ALL_DDL:  # tables added to the DDL without a version bump (derived tables)
            con.execute(ddl)
        importlog.ensure(con)
        return before
    con.execute("BEGIN TRANSACTION")
    try:
        for ddl in ALL_DDL:
            con.execute(ddl)
        for version in range(max(before, 1) + 1, SCHEMA_VERSION + 1):
            for step in UPGRADES.get(version, ()):
                con.execute(step)
        importlog.ensure(con)  # the import log's columns and tables of previous values (kept up to date there)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return before
