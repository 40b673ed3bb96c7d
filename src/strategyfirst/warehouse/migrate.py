"""Create and upgrade the warehouse schema; the `meta` table records the schema version."""

from __future__ import annotations

from pathlib import Path

import duckdb

from strategyfirst.errors import WorkspaceError
from strategyfirst.warehouse import importlog, members
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
        _record_members(con)
        return before
    con.execute("BEGIN TRANSACTION")
    try:
        for ddl in ALL_DDL:
            con.execute(ddl)
        for version in range(max(before, 1) + 1, SCHEMA_VERSION + 1):
            for step in UPGRADES.get(version, ()):
                con.execute(step)
        importlog.ensure(con)  # the import log's columns and tables of previous values (kept up to date there)
        if 1 <= before < 8:  # member exports imported before v8: recorded from their raw copies, next
            con.execute(f"INSERT OR REPLACE INTO meta VALUES ('{members.PENDING}', 'true')")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _record_members(con)
    return before


def _record_members(con: duckdb.DuckDBPyConnection) -> None:
    """Record the member exports imported before schema v8 (`members.record_earlier`) while the upgrade says
    some are to be: each in its own transaction after the schema's, so that a raw copy that does not read
    leaves that one unrecorded and the warehouse opens; an upgrade cut short goes on at the next opening."""
    # the key as a literal: binding a parameter imports pandas (sqltext), which a cached measurement avoids
    if con.execute(f"SELECT 1 FROM meta WHERE key = '{members.PENDING}'").fetchone() is None:
        return
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    path = row[0] if row else None
    # raw/ is beside the warehouse file in the workspace's state folder (ports.WorkspaceFolder)
    members.record_earlier(con, Path(path).parent / "raw" if path else None)
