"""Import export files into the warehouse: one transaction per file, idempotent, with located rejects.

`ingest_files` is what `strategyfirst ingest` and `Workspace.ingest` call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from strategyfirst.errors import ImportFileError, StrategyFirstError
from strategyfirst.sources import sqlfuncs
from strategyfirst.sources.base import STAGE_DDL, LoadContext, create_stage, drop_temp
from strategyfirst.sources.registry import check_source, detect, get_source
from strategyfirst.sources.textfile import (
    SourceFile,
    drop_rows,
    fill_reject_raw,
    fix_reject_lines,
    open_source_file,
)
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.warehouse.lock import workspace_lock
from strategyfirst.warehouse.merge import SPECS, Counts, Prepared, apply, prepare
from strategyfirst.warehouse.rawstore import RawCopy

if TYPE_CHECKING:
    from strategyfirst.plan import Plan
    from strategyfirst.workspace import Workspace

PROGRESS_BYTES = 4 << 20  # a progress bar for files larger than this
MEMORY_LIMIT = "4500MB"  # DuckDB's buffer pool while importing: with the Python process (~1 GB at 10M rows) under 6 GB
Step = Callable[[str], None]


@dataclass
class IngestResult:
    """One summary per file, in the shape of cli.md's `ingest --format json`."""

    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return sum(int(f["rows_rejected"]) for f in self.files)

    def to_json(self) -> str:
        return json.dumps({"files": self.files})


def ingest_files(ws: Workspace, files: Sequence[Path], *, source: str = "auto", account: str | None = None,
                 strict: bool = False, progress: bool = False) -> IngestResult:
    """Import each file in its own transaction; raises ImportFileError (nothing of that file written)."""
    if source != "auto":
        get_source(source)  # unknown names fail before anything is opened
    for path in files:  # a mistyped path fails the whole command before any file is imported
        if not Path(path).is_file():
            what = "is a folder, not a file" if Path(path).is_dir() else "no such file; check the path"
            raise ImportFileError(str(path), f"{what} (nothing was imported)")
    ws.ensure()
    plan = _plan(ws)
    ctx = LoadContext(account=account.strip().lstrip("@") if account else None,
                      owned_accounts={p: frozenset(h) for p, h in (plan.owned_handles() if plan else {}).items()})
    result = IngestResult()
    with workspace_lock(ws.state_dir):
        con = open_duckdb(ws.warehouse_path)
        try:
            con.execute("SET enable_progress_bar = false")
            # Bound DuckDB's memory (peak target 6 GB at 10M messages): beyond it, it spills to temp files.
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            sqlfuncs.install(con)
            try:
                for path in files:
                    with _progress(Path(path), progress) as step:
                        result.files.append(_ingest_one(con, ws, Path(path), source, ctx, plan, strict, step))
            finally:
                # Derived tables once per batch, right after the last committed import (each file its own
                # transaction; derive.refresh runs its own), also when a later file failed.
                if any(f.get("imported") for f in result.files):
                    from strategyfirst.warehouse import derive

                    derive.refresh(con, plan)
        finally:
            con.close()
    return result


def _plan(ws: Workspace) -> Plan | None:
    """The plan if it loads; ingest works without one (owned then comes from the source's own flag)."""
    try:
        doc = ws.plan_or_none()
    except StrategyFirstError:
        return None
    except Exception:  # a broken plan must not block importing data
        return None
    return doc.plan if doc is not None else None


def _ingest_one(con: duckdb.DuckDBPyConnection, ws: Workspace, path: Path, source_name: str,
                ctx: LoadContext, plan: Plan | None, strict: bool, step: Step) -> dict[str, Any]:
    step("reading")
    raw = RawCopy(path, ws.raw_dir)  # hashed and copied on a thread while DuckDB reads the file
    try:
        sf = open_source_file(path, ws.state_dir / "tmp")
        try:
            summary = _stage_and_merge(con, ws, sf, raw, source_name, ctx, strict, step)
        finally:
            _cleanup(sf)
    except duckdb.Error as exc:
        raise ImportFileError(str(path), f"could not be imported ({str(exc).splitlines()[0]}); check that "
                              "it is an unmodified export", 1, 1) from exc
    finally:
        raw.discard()  # no-op once kept
    return summary


def _stage_and_merge(con: duckdb.DuckDBPyConnection, ws: Workspace, sf: SourceFile, raw: RawCopy,
                     source_name: str, ctx: LoadContext, strict: bool, step: Step) -> dict[str, Any]:
    """Stage the file, then merge it into the warehouse in one transaction."""
    src = detect(sf) if source_name == "auto" else get_source(source_name)
    if source_name != "auto":
        check_source(src, sf)
    # Staging and the merge's comparisons write only this connection's temp tables, so they run before the
    # transaction: DuckDB scans tables written inside an open transaction on one thread, which halved the
    # speed of typing, mapping and linking millions of rows on two cores. The transaction holds every write
    # to the warehouse.
    try:
        create_stage(con)
        loaded = src.load(con, sf, ctx)
        fill_reject_raw(con, sf.delimiter)
        fix_reject_lines(con)
        drop_rows(con)
        step("merging")
        # Row order matters while reading (line numbers), not while merging: let DuckDB work in parallel.
        con.execute("SET preserve_insertion_order = false")
        try:
            prepared = _prepare_all(con, loaded.primary)  # temp tables only, like the staging
            con.execute("BEGIN TRANSACTION")
            try:
                import_id = _next_import_id(con)
                counts = {t: apply(con, p, import_id) if p else Counts() for t, p in prepared.items()}
                summary = _summary(con, ws, sf.path, src.name, counts[loaded.primary], import_id)
                if strict and summary["rows_rejected"]:
                    con.execute("ROLLBACK")
                    summary["imported"] = False
                    return summary
                _record(con, import_id, sf.path, raw.digest, summary)
                raw.keep()
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.execute("SET preserve_insertion_order = true")
    finally:
        drop_temp(con)
    summary["imported"] = True
    return summary


def _prepare_all(con: duckdb.DuckDBPyConnection, primary: str) -> dict[str, Prepared | None]:
    """The merge of every staging table with rows, the primary one first (its counts are the file's)."""
    tables = [primary] + [t.removeprefix("stage_") for t in STAGE_DDL
                          if t.removeprefix("stage_") not in (primary, "rejects") and _count(con, t)]
    return {t: prepare(con, SPECS[t]) for t in tables}


def _summary(con: duckdb.DuckDBPyConnection, ws: Workspace, path: Path, source: str, counts: Counts,
             import_id: int) -> dict[str, Any]:
    """The file's line of cli.md's `ingest --format json`; writes the rejects file if there are rejects."""
    rejected = _count(con, "stage_rejects")
    summary: dict[str, Any] = {
        "file": str(path), "source": source, "rows_read": counts.new + counts.updated + counts.duplicate + rejected,
        "rows_new": counts.new, "rows_updated": counts.updated, "rows_duplicate": counts.duplicate,
        "rows_rejected": rejected, "rejects_file": None}
    if rejected:
        summary["rejects_file"] = str(_write_rejects(con, ws, import_id, path))
    return summary


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()
    return int(row[0]) if row else 1


def _record(con: duckdb.DuckDBPyConnection, import_id: int, path: Path, digest: str,
            summary: dict[str, Any]) -> None:
    con.execute("INSERT INTO imports BY NAME SELECT ? AS import_id, ? AS file, ? AS sha256, ? AS source, "
                "? AS started_at, ? AS rows_read, ? AS rows_new, ? AS rows_updated, ? AS rows_duplicate, "
                "? AS rows_rejected, ? AS rejects_file",
                [import_id, str(path), digest, summary["source"], dt.datetime.now(dt.UTC).replace(tzinfo=None),
                 summary["rows_read"], summary["rows_new"], summary["rows_updated"], summary["rows_duplicate"],
                 summary["rows_rejected"], summary["rejects_file"]])
    con.execute("INSERT INTO rejects BY NAME SELECT ? AS import_id, ? AS file, line, reason, raw, ? AS source "
                "FROM stage_rejects", [import_id, str(path), summary["source"]])


def _write_rejects(con: duckdb.DuckDBPyConnection, ws: Workspace, import_id: int, path: Path) -> Path:
    """The rejected rows of one import as CSV (file, line, reason, raw) next to the warehouse."""
    folder = ws.state_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{import_id:05d}-{path.stem}.rejects.csv"
    con.execute(f"COPY (SELECT ? AS file, line, reason, raw FROM stage_rejects ORDER BY line) TO "
                f"'{_sql_path(out)}' (HEADER, DELIMITER ',')", [str(path)])
    return out


def _cleanup(sf: SourceFile) -> None:
    if sf.text_path != sf.path:
        sf.text_path.unlink(missing_ok=True)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@contextlib.contextmanager
def _progress(path: Path, enabled: bool) -> Iterator[Step]:
    """A Rich progress bar on stderr for large files; a no-op otherwise."""
    size = path.stat().st_size if path.is_file() else 0
    if not enabled or size < PROGRESS_BYTES:
        yield lambda _name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    steps = ("reading", "merging")
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{path.name}: reading", total=len(steps))

        def step(name: str) -> None:
            done = steps.index(name) if name in steps else 0
            bar.update(task, completed=done, description=f"{path.name}: {name}")

        yield step
        bar.update(task, completed=len(steps))
