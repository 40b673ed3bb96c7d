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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst import cachefiles
from strategyfirst.metrics.finish import Recipe
from strategyfirst.warehouse.sqlkeep import SmallTables, checked_tables, compile_sql, digest, small_tables

if TYPE_CHECKING:
    import ibis.expr.types as ir

FORMAT = 1  # bump when the layout of an entry changes


@dataclass
class Compiled:
    """The SQL of each query by name, the small tables it reads (name -> columns with types, rows), and the
    recipe that finishes its rows."""

    queries: dict[str, str]
    recipe: Recipe
    memtables: SmallTables = field(default_factory=dict)

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
            memtables = checked_tables(data["memtables"])
            recipe = Recipe.from_dict(dict(data["recipe"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a compiled measurement: {exc!r}") from None
        return cls(queries, recipe, memtables)


def compile_queries(backend: Any, exprs: dict[str, ir.Expr], recipe: Recipe) -> Compiled:
    """The DuckDB SQL of each expression of `exprs` (an Ibis DuckDB backend's compiler)."""
    queries, memtables = compile_sql(backend, {name: expr.as_table() for name, expr in exprs.items()})
    return Compiled(queries, recipe, memtables)


def run(con: Any, compiled: Compiled) -> dict[str, list[dict[str, Any]]]:
    """The rows of each query, by name, on a DuckDB connection (its small tables created for the while)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with small_tables(con, compiled.memtables):
        for name, sql in compiled.queries.items():
            relation = con.sql(sql)
            columns = relation.columns
            out[name] = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    return out


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
