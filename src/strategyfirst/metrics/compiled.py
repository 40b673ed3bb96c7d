"""A measurement as SQL: its named queries compiled once, run on a DuckDB connection, kept on disk.

`compile_queries` turns the Ibis expressions of `measure.build` into DuckDB SQL (Ibis is imported there
only); `run` executes that SQL on the warehouse's connection and returns the rows by query name. The plan's
small tables (Ibis memtables: tactic -> objective, account -> tactic, ...) are carried as data and created
as temporary tables under names derived from their content, so that the same measurement compiles to the
same text in any process.

`Store` keeps compiled measurements under `.strategyfirst/cache/` keyed by everything their SQL depends on
(`Workspace.measure` builds the key: code version, warehouse schema, the plan's SQL shape, arguments).
Writes are atomic (a temporary file renamed); an entry that cannot be read, fails its checksum, is not what
`Compiled` writes, or was written under another key is ignored and rebuilt, never trusted. Standard library
only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst import cachefiles
from strategyfirst.metrics.finish import Recipe
from strategyfirst.sqltext import string_literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

FORMAT = 1  # bump when the layout of an entry changes
_MEMTABLE = re.compile(r"^_sf_mt_[0-9a-f]{16}$")
_TYPE = re.compile(r"^[A-Z][A-Z0-9_ ()]*$")


@dataclass
class Compiled:
    """The SQL of each query by name, the small tables it reads (name -> columns with types, rows), and the
    recipe that finishes its rows."""

    queries: dict[str, str]
    recipe: Recipe
    memtables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "queries": self.queries, "memtables": self.memtables,
                "recipe": self.recipe.to_dict()}

    @classmethod
    def from_dict(cls, data: Any) -> Compiled:
        """From `to_dict`'s output; ValueError for anything else."""
        try:
            if data["format"] != FORMAT:
                raise ValueError("another format")
            queries = {str(k): str(v) for k, v in data["queries"].items()}
            memtables = {}
            for name, table in data["memtables"].items():
                columns = [(str(c), str(t)) for c, t in table["columns"]]
                if not _MEMTABLE.match(name) or not all(_TYPE.match(t) for _, t in columns):
                    raise ValueError(f"memtable {name!r}")
                rows = [list(r) for r in table["rows"]]
                if any(len(r) != len(columns) for r in rows):
                    raise ValueError(f"memtable {name!r}: ragged rows")
                memtables[name] = {"columns": columns, "rows": rows}
            recipe = Recipe.from_dict(dict(data["recipe"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a compiled measurement: {exc!r}") from None
        return cls(queries, recipe, memtables)


def compile_queries(backend: Any, exprs: dict[str, ir.Expr], recipe: Recipe) -> Compiled:
    """The DuckDB SQL of each expression of `exprs` (an Ibis DuckDB backend's compiler)."""
    import ibis.expr.operations as ops

    memtables: dict[str, dict[str, Any]] = {}
    renamed: dict[str, str] = {}
    type_mapper = backend.compiler.type_mapper
    for expr in exprs.values():
        for op in expr.op().find(ops.InMemoryTable):
            if op.name in renamed:
                continue
            data = op.data.to_pyarrow(op.schema)
            columns = [(name, type_mapper.to_string(dtype).upper()) for name, dtype in op.schema.items()]
            rows = [list(r.values()) for r in data.to_pylist()]
            digest = hashlib.sha256(json.dumps([columns, rows], default=str).encode()).hexdigest()[:16]
            renamed[op.name] = f"_sf_mt_{digest}"
            memtables[renamed[op.name]] = {"columns": columns, "rows": rows}
    queries = {}
    for name, expr in exprs.items():
        sql = str(backend.compile(expr.as_table()))
        for old, new in renamed.items():
            sql = sql.replace(f'"{old}"', f'"{new}"')
        queries[name] = sql
    return Compiled(queries, recipe, memtables)


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


def run(con: Any, compiled: Compiled) -> dict[str, list[dict[str, Any]]]:
    """The rows of each query, by name, on a DuckDB connection (its small tables created for the while)."""
    made: list[str] = []
    try:
        for name, table in compiled.memtables.items():
            columns = ", ".join(f'"{c}" {t}' for c, t in table["columns"])
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" ({columns})')
            made.append(name)
            if table["rows"]:
                values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in table["rows"])
                con.execute(f'INSERT INTO "{name}" VALUES {values}')
        out: dict[str, list[dict[str, Any]]] = {}
        for name, sql in compiled.queries.items():
            relation = con.sql(sql)
            columns = relation.columns
            out[name] = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
        return out
    finally:
        for name in made:
            con.execute(f'DROP TABLE IF EXISTS "{name}"')


def digest(parts: Any) -> str:
    """The key of a cache entry: sha256 of the parts as canonical JSON."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class Store:
    """Compiled measurements and plan facts in `.strategyfirst/cache/` (beside the diagnoses and report charts
    of `strategyfirst.cachefiles`), one file per key: `measure-<key>.json`, `plan-<key>.json`."""

    KEEP = 200  # entries kept; the oldest beyond this are removed when one is written

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}.json"

    def get(self, kind: str, key: str) -> Any:
        """The entry stored under `key`, or None (missing, unreadable, or written under another key)."""
        try:
            data = json.loads(self._path(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key or data.get("sha256") != digest(data.get("value")):
            return None
        return data.get("value")

    def put(self, kind: str, key: str, value: Any) -> None:
        """Write an entry atomically; best effort (a cache not written costs time only)."""
        try:
            text = json.dumps({"key": key, "sha256": digest(value), "value": value}, default=str)
            cachefiles.write_atomic(self._path(kind, key), text)
            cachefiles.prune(self.folder, f"{kind}-*.json", self.KEEP)
        except (OSError, TypeError, ValueError):
            pass

    def compiled(self, key: str) -> Compiled | None:
        value = self.get("measure", key)
        if value is None:
            return None
        try:
            return Compiled.from_dict(value)
        except ValueError:
            return None

    def put_compiled(self, key: str, compiled: Compiled) -> None:
        self.put("measure", key, compiled.to_dict())
