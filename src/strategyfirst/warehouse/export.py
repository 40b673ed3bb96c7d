"""Parquet export of the warehouse: the canonical and derived tables, a copy of the plan, and a manifest.

The layout (`strategyfirst export --format parquet --out DIR`)::

    DIR/manifest.json                       schema version, metric versions, row counts, sha256 of every file
    DIR/strategy.yaml                       the plan the derived tables (attribution) were built from
    DIR/messages/platform=x/month=2026-05/data_0.parquet   messages, partitioned by platform and month
    DIR/<table>.parquet                     every other table, one file each

Partition columns are also written inside the files (DuckDB's WRITE_PARTITION_COLUMNS) so that a reader needs
no path parsing: the values, types and nulls come from the files themselves. The export is written to a
sibling temporary folder and renamed into place, so a failed export never leaves a half-written dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.catalog import METRICS
from strategyfirst.destination import check_parent
from strategyfirst.errors import WorkspaceError
from strategyfirst.sqltext import string_literal
from strategyfirst.warehouse.schema import SCHEMA_VERSION

FORMAT = "strategyfirst-parquet"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PLAN_FILE = "strategy.yaml"
PARTITIONED = {"messages": ("platform", "month")}
# Canonical tables, then the derived facts `measure` aggregates (so Spark reads them instead of recomputing).
TABLES = ("messages", "audience", "spend", "imports", "rejects", "account_daily", "video_daily", "site_traffic",
          "inbound", "attribution", "owned_messages", "conversations", "conversation_accounts", "meta")
# `meta` rows that only save a process work (`metrics.cached.FACTS_KEY`: what measure needs of the plan text the
# last import read, keyed by the code version): not the data's, so neither exported nor in the manifest, which
# would otherwise change with every code change.
CACHE_KEYS = ("measure_plan_facts",)


@dataclass
class Manifest:
    """What an export holds; `tables`: name -> {"path", "rows", "partition_by", "files": {rel: sha256}}."""

    schema_version: int
    metrics: dict[str, int]
    tables: dict[str, dict[str, Any]]
    plan: dict[str, str] | None = None
    exported_at: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": self.schema_version,
                "exported_at": self.exported_at, "source": self.source, "metrics": self.metrics,
                "plan": self.plan, "tables": self.tables, **self.extra}

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of an export folder, or a WorkspaceError saying what to run."""
        shown = os.fsencode(folder).decode("utf-8", errors="backslashreplace")
        if shown != str(folder):  # DuckDB and Spark read UTF-8 paths only (the bytes shown as \xe9)
            raise WorkspaceError(f"{shown}: the folder's path is not UTF-8 text (written in another encoding): "
                                 "rename the folder and give --data the new name")
        path = folder / MANIFEST
        if not path.is_file():
            raise WorkspaceError(f"{folder}: no {MANIFEST} here; write one with "
                                 f"`strategyfirst export --format parquet --out {folder}`")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"{path}: unreadable manifest ({exc}); export again") from None
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise WorkspaceError(f"{path}: not a {FORMAT} v{FORMAT_VERSION} manifest; export again "
                                 "with this version of strategyfirst")
        known = {"format", "format_version", "schema_version", "exported_at", "source", "metrics", "plan",
                 "tables"}
        return cls(int(data["schema_version"]), dict(data["metrics"]), dict(data["tables"]), data.get("plan"),
                   str(data.get("exported_at", "")), str(data.get("source", "")),
                   {k: v for k, v in data.items() if k not in known})


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> dict[str, Any]:
    """COPY one table to Parquet under `folder`; returns its manifest entry."""
    rows_row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    rows = int(rows_row[0]) if rows_row else 0
    partition_by = PARTITIONED.get(table)
    if partition_by is not None:
        target = folder / table
        # month = the UTC calendar month of created_at ('none' for undated messages, a valid folder name).
        select = f"SELECT *, coalesce(strftime(created_at, '%Y-%m'), 'none') AS month FROM \"{table}\""
        options = f"FORMAT parquet, PARTITION_BY ({', '.join(partition_by)}), WRITE_PARTITION_COLUMNS true"
        if rows == 0:  # DuckDB writes no file for an empty partitioned copy: keep the schema in one file
            target.mkdir()
            con.execute(f"COPY ({select}) TO {string_literal(target / 'empty.parquet')} (FORMAT parquet)")
        else:
            con.execute(f"COPY ({select}) TO {string_literal(target)} ({options})")
        files = sorted(p for p in target.rglob("*.parquet") if p.is_file())
    else:
        target = folder / f"{table}.parquet"
        where = f" WHERE key NOT IN ({', '.join(repr(k) for k in CACHE_KEYS)})" if table == "meta" else ""
        con.execute(f'COPY (SELECT * FROM "{table}"{where}) TO {string_literal(target)} (FORMAT parquet)')
        files = [target]
    return {"path": target.relative_to(folder).as_posix() + ("/" if partition_by else ""), "rows": rows,
            "partition_by": list(partition_by or ()),
            "files": {p.relative_to(folder).as_posix(): sha256_file(p) for p in files}}


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall() if k not in CACHE_KEYS}


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path, *, plan_text: str | None = None,
                   source: str = "") -> Manifest:
    """Write every table of the open (refreshed) warehouse `con` to `out` as Parquet with its manifest.

    `out` must be absent, empty, or an earlier export (which is replaced once the new one is complete).
    """
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise WorkspaceError(f"{out}: exists and is not an earlier strategyfirst export; choose an empty "
                             "or new folder for --out")
    check_parent(out, "export")
    # `attribution` is a view where the plan's rules allow (derive._attribution): exported as its rows.
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM "
                                         "duckdb_views() WHERE NOT internal").fetchall()}
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tables = {t: _copy(con, t, work) for t in TABLES if t in present}
        plan = None
        if plan_text is not None:
            (work / PLAN_FILE).write_text(plan_text, encoding="utf-8")
            plan = {"file": PLAN_FILE, "sha256": sha256_file(work / PLAN_FILE)}
        meta = _meta(con) if "meta" in present else {}
        manifest = Manifest(SCHEMA_VERSION, {m.id: m.version for m in METRICS}, tables, plan,
                            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), source,
                            {"derived": {k: v for k, v in meta.items() if k != "data_quality"}})
        (work / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def verify(folder: Path) -> list[str]:
    """Problems with an export folder (missing, unlisted or changed files); empty when it is intact."""
    folder = Path(folder)
    manifest = Manifest.read(folder)
    problems: list[str] = []
    listed: set[str] = set()
    for name, entry in manifest.tables.items():
        for rel, digest in entry["files"].items():
            listed.add(rel)
            path = folder / rel
            if not path.is_file():
                problems.append(f"{rel}: missing (table {name})")
            elif sha256_file(path) != digest:
                problems.append(f"{rel}: changed since export (sha256 differs)")
    for path in folder.rglob("*.parquet"):
        rel = path.relative_to(folder).as_posix()
        if rel not in listed:
            problems.append(f"{rel}: not in {MANIFEST}")
    if manifest.plan is not None:
        plan = folder / manifest.plan["file"]
        if not plan.is_file() or sha256_file(plan) != manifest.plan["sha256"]:
            problems.append(f"{manifest.plan['file']}: missing or changed since export")
    return problems
