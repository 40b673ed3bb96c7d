"""Derived tables written in one transaction, so that a process killed mid-rebuild leaves no stray table.

Ibis's `create_table(..., overwrite=True)` writes the rows under a temporary name (`ibis_duckdb_table_<id>`)
and renames it afterwards: killed in between, that table stays in the warehouse file for ever (one more per
kill). Here the table is created and filled in one transaction: it happens whole or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import duckdb

from strategyfirst.warehouse.schema import ID_COLUMNS, UNCOMPRESSED

STRAY_PREFIXES = ("ibis_duckdb_table_", "ibis_pandas_memtable_", "ibis_pyarrow_memtable_", "_sf_")


def materialise(con: duckdb.DuckDBPyConnection, backend: Any, name: str, expr: Any) -> Any:
    """Replace table `name` with the rows of the Ibis expression `expr`; returns the Ibis table. Its id
    columns (schema.ID_COLUMNS) are stored uncompressed, as in `messages`."""
    # What Ibis's own create_table does first: register the in-memory tables (plan handles) the query reads.
    backend._run_pre_execute_hooks(expr)
    sql = str(backend.compile(expr))
    # The query's columns and their DuckDB types (DESCRIBE binds it, ~2 ms, and runs nothing), declared before the
    # rows are inserted: `CREATE TABLE AS` cannot say how a column is compressed.
    described = con.execute(f"DESCRIBE {sql}").fetchall()
    columns = ", ".join(column_ddl(str(c), str(t)) for c, t, *_ in described)
    # Filled under a work name and renamed: a query may read the table it replaces (its old rows, as
    # `CREATE OR REPLACE TABLE ... AS` read them).
    work = f"_sf_new_{name}"
    with transaction(con):
        con.execute(f'CREATE OR REPLACE TABLE "{work}" ({columns})')
        con.execute(f'INSERT INTO "{work}" {sql}')
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.execute(f'ALTER TABLE "{work}" RENAME TO "{name}"')
    return backend.table(name)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The statements of the block in one transaction: committed at its end, rolled back if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the error that stopped it is the one to report
            con.execute("ROLLBACK")
        raise


def column_ddl(name: str, sqltype: str) -> str:
    """A derived table's column in DDL: an id column (`ID_COLUMNS`) uncompressed."""
    quoted = '"' + name.replace('"', '""') + '"'
    return f"{quoted} {sqltype}{UNCOMPRESSED if name in ID_COLUMNS and sqltype == 'VARCHAR' else ''}"


def drop_strays(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop persistent tables and views that no schema declares and only an interrupted run can have left
    (work tables of Ibis or of an import); returns their names."""
    rows = con.execute(
        "SELECT 'TABLE', table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = "
        "current_database() UNION ALL SELECT 'VIEW', view_name FROM duckdb_views() WHERE NOT temporary AND "
        "NOT internal AND database_name = current_database()").fetchall()
    dropped = []
    for kind, name in rows:
        if str(name).startswith(STRAY_PREFIXES):
            con.execute(f'DROP {kind} IF EXISTS "{name}"')
            dropped.append(str(name))
    return dropped
