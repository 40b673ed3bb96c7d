"""Ibis expressions compiled once to DuckDB SQL, to be kept and run later without Ibis. Standard library only.

An expression may read small in-memory tables (Ibis memtables: the plan's handles, tactic -> objective ...).
`compile_sql` carries their rows as data, under names derived from their content, so the same expressions
compile to the same text in any process; `small_tables` creates them on a connection for as long as the SQL
runs. What kept SQL depends on besides its inputs is the code that wrote it (`code_version`) and the tables it
reads (`warehouse_schema`): a key built from both never finds the entry of other code or another layout.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.sqltext import string_literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

# The sources kept SQL depends on: the package folders below and these files.
_CODE_FOLDERS = ("metrics", "warehouse", "plan")
_CODE_FILES = ("catalog.py", "errors.py", "handles.py")
_code_version: str | None = None
_MEMTABLE = re.compile(r"^_sf_mt_[0-9a-f]{16}$")
_TYPE = re.compile(r"^[A-Z][A-Z0-9_ ()]*$")

SmallTables = dict[str, dict[str, Any]]  # name -> {"columns": [(name, DuckDB type)], "rows": [[value, ...]]}


def code_version() -> str:
    """A hash of this package's metric, warehouse and plan sources and of the Ibis and sqlglot releases (one
    per process): an edited module, an upgrade or a checkout of other code never finds another's entries."""
    global _code_version
    if _code_version is None:
        package = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        files = [f for folder in _CODE_FOLDERS for f in sorted((package / folder).glob("*.py"))]
        for path in [*files, *(package / f for f in _CODE_FILES)]:
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        for name in ("ibis", "sqlglot"):  # their version files, found without importing them
            spec = importlib.util.find_spec(name)
            origin = Path(spec.origin) if spec is not None and spec.origin else None
            for candidate in (origin, origin.with_name("_version.py") if origin else None):
                if candidate is not None and candidate.is_file():
                    h.update(candidate.read_bytes())
        _code_version = h.hexdigest()
    return _code_version


def warehouse_schema(con: Any) -> list[list[str]]:
    """The DuckDB release and the warehouse's tables, columns and types (what compiled SQL and the columns it
    reads depend on)."""
    rows = con.execute("SELECT 'duckdb', library_version, '' FROM pragma_version() UNION ALL "
                       "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = "
                       "current_database() AND schema_name = 'main'").fetchall()
    return sorted([str(x) for x in r] for r in rows)  # sorted here: a UNION ALL keeps no order


def digest(parts: Any) -> str:
    """The key of a kept entry: sha256 of the parts as canonical JSON."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def compile_sql(backend: Any, exprs: Mapping[str, ir.Expr]) -> tuple[dict[str, str], SmallTables]:
    """The DuckDB SQL of each expression (a table's, or a scalar's one-row SELECT) by name, and the small
    tables they read (an Ibis DuckDB backend's compiler; this imports Ibis)."""
    import ibis.expr.operations as ops

    memtables: SmallTables = {}
    renamed: dict[str, str] = {}
    type_mapper = backend.compiler.type_mapper
    for expr in exprs.values():
        for op in expr.op().find(ops.InMemoryTable):
            if op.name in renamed:
                continue
            data = op.data.to_pyarrow(op.schema)
            columns = [(name, type_mapper.to_string(dtype).upper()) for name, dtype in op.schema.items()]
            rows = [list(r.values()) for r in data.to_pylist()]
            key = hashlib.sha256(json.dumps([columns, rows], default=str).encode()).hexdigest()[:16]
            renamed[op.name] = f"_sf_mt_{key}"
            memtables[renamed[op.name]] = {"columns": columns, "rows": rows}
    queries = {}
    for name, expr in exprs.items():
        sql = str(backend.compile(expr))
        for old, new in renamed.items():
            sql = sql.replace(f'"{old}"', f'"{new}"')
        queries[name] = sql
    return queries, memtables


def checked_tables(data: Any) -> SmallTables:
    """Small tables as `compile_sql` returns them, read back from JSON; ValueError for anything else."""
    memtables: SmallTables = {}
    for name, table in data.items():
        columns = [(str(c), str(t)) for c, t in table["columns"]]
        if not _MEMTABLE.match(name) or not all(_TYPE.match(t) for _, t in columns):
            raise ValueError(f"memtable {name!r}")
        rows = [list(r) for r in table["rows"]]
        if any(len(r) != len(columns) for r in rows):
            raise ValueError(f"memtable {name!r}: ragged rows")
        memtables[name] = {"columns": columns, "rows": rows}
    return memtables


@contextlib.contextmanager
def small_tables(con: Any, memtables: SmallTables) -> Iterator[None]:
    """The small tables of `compile_sql` as temp tables of `con` while the block runs."""
    made: list[str] = []
    try:
        for name, table in memtables.items():
            columns = ", ".join(f'"{c}" {t}' for c, t in table["columns"])
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" ({columns})')
            made.append(name)
            if table["rows"]:
                values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in table["rows"])
                con.execute(f'INSERT INTO "{name}" VALUES {values}')
        yield
    finally:
        for name in made:
            con.execute(f'DROP TABLE IF EXISTS "{name}"')


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    raise TypeError(f"no SQL literal for {type(value).__name__}")
