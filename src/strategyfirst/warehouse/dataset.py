"""A Parquet export read back as Ibis tables, on DuckDB (in memory) or on Spark (local, cluster or Connect).

`measure` takes these tables as it takes the warehouse's: the metric expressions do not know which engine
runs them. The plan the export was made with (its copy next to the manifest) gives tactics and objectives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strategyfirst.errors import UsageError, WorkspaceError
from strategyfirst.plan import Plan
from strategyfirst.plan import load as load_plan
from strategyfirst.warehouse.export import PLAN_FILE, Manifest
from strategyfirst.warehouse.schema import SCHEMA_VERSION

ENGINES = ("duckdb", "spark")
# Columns the export adds for partitioning only.
_ADDED = {"messages": ("month",)}


@dataclass
class Dataset:
    """An export folder: its manifest, its plan, and (once opened) its tables on one engine."""

    folder: Path
    manifest: Manifest

    @classmethod
    def open(cls, folder: str | Path) -> Dataset:
        folder = Path(folder).resolve()
        if not folder.is_dir():
            raise WorkspaceError(f"{folder}: no such folder; --data names a folder written by "
                                 "`strategyfirst export --format parquet --out DIR`")
        manifest = Manifest.read(folder)
        if manifest.schema_version > SCHEMA_VERSION:
            raise WorkspaceError(f"{folder}: exported with warehouse schema v{manifest.schema_version}, "
                                 f"newer than this strategyfirst's v{SCHEMA_VERSION}; upgrade strategyfirst")
        for name, entry in manifest.tables.items():
            if not (folder / entry["path"]).exists():
                raise WorkspaceError(f"{folder / entry['path']}: missing (table {name} of {folder}); "
                                     "export again")
        return cls(folder, manifest)

    def plan(self) -> Plan | None:
        """The plan copied into the export, or None when the workspace had none."""
        if self.manifest.plan is None:
            return None
        path = self.folder / self.manifest.plan.get("file", PLAN_FILE)
        return load_plan(path).plan

    def tables_duckdb(self, backend: Any) -> dict[str, Any]:
        """Every table of the export as an Ibis table on an (in-memory) DuckDB backend."""
        out: dict[str, Any] = {}
        for name, entry in self.manifest.tables.items():
            path = self.folder / entry["path"]
            source = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            t = backend.read_parquet(source, table_name=f"sf_{name}", hive_partitioning=False)
            out[name] = t.drop(*_ADDED.get(name, ()))
        return out

    def tables_spark(self, backend: Any, session: Any, *, cache: bool = False) -> dict[str, Any]:
        """Every table of the export as an Ibis table on a Spark session (temporary views, unique names)."""
        from strategyfirst.warehouse.spark_engine import read_parquet

        tag = uuid.uuid4().hex[:8]
        return {name: read_parquet(backend, session, f"sf_{tag}_{name}", self.folder / entry["path"],
                                   drop=_ADDED.get(name, ()), cache=cache)
                for name, entry in self.manifest.tables.items()}


def derived_current(dataset: Dataset) -> bool:
    """Whether the export's derived tables were built from its plan by this version's rules (derive's plan hash,
    which carries the rules' version, as the manifest recorded it): an export made before a change of the rules
    (say, of how handles are normalised) holds facts `measure` would no longer compute."""
    from strategyfirst.warehouse.derive import PLAN_KEY
    from strategyfirst.warehouse.planhash import plan_hash

    recorded = (dataset.manifest.extra.get("derived") or {}).get(PLAN_KEY)
    return recorded is not None and recorded == plan_hash(dataset.plan())


def open_tables(dataset: Dataset, engine: str = "duckdb", *, spark_remote: str | None = None,
                spark_master: str | None = None, session: Any = None, cache: bool = False) -> dict[str, Any]:
    """The export's tables on `engine` (a Spark `session` may be given to reuse one; `cache` keeps the
    tables in Spark's memory for many queries); without its derived tables where they are not current
    (`derived_current`): `measure` then computes those facts from the canonical tables."""
    tables = _open_tables(dataset, engine, spark_remote=spark_remote, spark_master=spark_master, session=session,
                          cache=cache)
    if derived_current(dataset):
        return tables
    from strategyfirst.warehouse.derive import DERIVED

    return {name: t for name, t in tables.items() if name not in DERIVED}


def _open_tables(dataset: Dataset, engine: str, *, spark_remote: str | None, spark_master: str | None,
                 session: Any, cache: bool) -> dict[str, Any]:
    if engine not in ENGINES:
        raise UsageError(f"--engine {engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        if spark_remote or spark_master:
            raise UsageError("--spark-remote and --spark-master go with --engine spark")
        from strategyfirst.warehouse.engine import memory_backend

        return dataset.tables_duckdb(memory_backend())
    from strategyfirst.warehouse.spark_engine import spark_backend, spark_session

    if session is None:
        session = spark_session(remote=spark_remote, master=spark_master)
    return dataset.tables_spark(spark_backend(session), session, cache=cache)
