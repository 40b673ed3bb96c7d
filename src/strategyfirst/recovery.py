"""Backup, restore, rebuild and check of a workspace (issue 16), modelled on what SQLite and PostgreSQL promise.

- `backup`: a consistent snapshot (plan, warehouse, raw files, rejects, the workspace's SQLite app database)
  taken under the workspace's import lock, so no import or derived-table refresh writes meanwhile; the SQLite
  app database through SQLite's online backup API (safe while `serve` runs). Into a folder or a `.tar.gz`, with
  a manifest of every file's sha256 and size and every warehouse table's row count.
- `restore`: into a new or empty folder only; the manifest is verified before anything is put in place.
- `rebuild`: the warehouse again from raw/ and the import log alone (each import not undone made again under
  its own id and original name, with the options it was imported with, in the original order); the log is
  carried over as it was (who, when, undone imports and their undo). The new warehouse replaces the old one
  in one rename once it is complete and matches the log; the old one is kept beside it.
- `check`: integrity of a workspace, as a list of problems (empty: all is well).

A workspace whose app database is PostgreSQL keeps its plan history, decisions, users and tokens there: back it
up with `pg_dump` (README, "Backup and recovery").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.destination import check_parent
from strategyfirst.errors import UsageError, WorkspaceError
from strategyfirst.warehouse.importlog import shown_name
from strategyfirst.warehouse.lock import workspace_lock
from strategyfirst.workspace import Workspace

MANIFEST = "manifest.json"
FORMAT = 1
SKIP = {"ingest.lock"}          # runtime files, not state
CHUNK = 8 << 20


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _state_files(ws: Workspace) -> list[Path]:
    """The files of the workspace's state folder that make up its state (no lock, no partial copies)."""
    out = []
    for path in sorted(ws.state_dir.rglob("*")):
        if not path.is_file() or path.name in SKIP or path.name.endswith((".part", ".tmp", ".before-rebuild")):
            continue
        if path.suffix in (".sqlite", ".duckdb", ".wal") or "uploads" in path.relative_to(ws.state_dir).parts:
            continue  # databases are copied consistently below; uploads are transient
        out.append(path)
    return out


def _table_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # with the views the derived tables may be (derive._attribution), counted as the tables they replace
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary UNION ALL "
                                           "SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT "
                                           "internal ORDER BY 1").fetchall()]
        return {n: int(con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}  # type: ignore[index]
    finally:
        con.close()


def _copy_warehouse(src: Path, dst: Path) -> None:
    """A consistent copy of the warehouse (checkpointed: one file, no WAL) through DuckDB itself."""
    from strategyfirst.warehouse.engine import attach_new, path_literal

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {path_literal(src)} AS src (READ_ONLY)")
        attach_new(con, dst, "dst")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")
    finally:
        con.close()


def _copy_sqlite(src: Path, dst: Path) -> None:
    """SQLite's online backup: consistent while the web app writes."""
    with sqlite3.connect(str(src)) as source, sqlite3.connect(str(dst)) as target:
        source.backup(target)
    source.close()
    target.close()


@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int
    tables: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"backup": str(self.path), "files": self.files, "bytes": self.bytes, "tables": self.tables}


def backup(ws: Workspace, out: Path) -> BackupResult:
    """Snapshot the workspace into folder `out` (new or empty) or, when `out` ends in .tar.gz, that archive."""
    if not ws.state_dir.is_dir() and not ws.plan_path.is_file():
        raise WorkspaceError(f"{ws.root}: not a strategyfirst workspace (no strategy.yaml, no .strategyfirst/)")
    archive = out.name.endswith((".tar.gz", ".tgz"))
    check_parent(out, "backup")
    if out.exists() and (archive or not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out}: already exists; give a new folder or archive name (a backup never "
                         "overwrites anything)")
    stage = Path(tempfile.mkdtemp(prefix=".sf-backup-", dir=out.parent))
    try:
        with workspace_lock(ws.state_dir):
            if ws.plan_path.is_file():
                shutil.copy2(ws.plan_path, stage / ws.plan_path.name)
            for path in _state_files(ws):
                target = stage / ".strategyfirst" / path.relative_to(ws.state_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            (stage / ".strategyfirst").mkdir(exist_ok=True)
            if ws.warehouse_path.is_file():
                from strategyfirst.warehouse.engine import open_duckdb, unusable_warehouse

                open_duckdb(ws.warehouse_path, read_only=True).close()  # damaged: one clear line, no backup
                try:
                    _copy_warehouse(ws.warehouse_path, stage / ".strategyfirst" / ws.warehouse_path.name)
                except duckdb.IOException as exc:  # cut short: DuckDB 1.5's format reads blocks when copied
                    raise unusable_warehouse(ws.warehouse_path, exc) from None
            for db in sorted(ws.state_dir.glob("*.sqlite")):
                _copy_sqlite(db, stage / ".strategyfirst" / db.name)
        result = _write_manifest(ws, stage)
        if archive:
            with tarfile.open(out, "w:gz") as tar:
                for path in sorted(stage.rglob("*")):
                    tar.add(path, arcname=str(path.relative_to(stage)), recursive=False)
        else:
            out.mkdir(exist_ok=True)
            for child in stage.iterdir():
                child.replace(out / child.name)
        result.path = out
        return result
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _write_manifest(ws: Workspace, stage: Path) -> BackupResult:
    files: dict[str, dict[str, Any]] = {str(p.relative_to(stage)): {"sha256": sha256(p), "bytes": p.stat().st_size}
                                        for p in sorted(stage.rglob("*")) if p.is_file()}
    warehouse = stage / ".strategyfirst" / ws.warehouse_path.name
    tables = _table_counts(warehouse) if warehouse.is_file() else {}
    manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "workspace": ws.slug, "files": files, "tables": tables,
                "app_database": "included (SQLite)" if any(stage.glob(".strategyfirst/*.sqlite")) else
                "not included: back up the PostgreSQL app database with pg_dump (README)"}
    (stage / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return BackupResult(stage, len(files), sum(int(f["bytes"]) for f in files.values()), tables)


def restore(backup_path: Path, target: Path) -> dict[str, Any]:
    """Put a backup (folder or .tar.gz) into `target`, a new or empty folder, after verifying its manifest."""
    Workspace(target)  # a path the warehouse cannot take (not UTF-8) is refused before anything is written
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: not empty; restore into a new or empty folder (a restore never "
                         "overwrites a workspace)")
    if not backup_path.exists():
        raise UsageError(f"{backup_path}: no such backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".sf-restore-", dir=target.parent))
    try:
        if backup_path.is_dir():
            shutil.copytree(backup_path, stage, dirs_exist_ok=True)
        else:
            try:
                with tarfile.open(backup_path, "r:*") as tar:
                    tar.extractall(stage, filter="data")
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise UsageError(f"{backup_path}: not a readable backup archive ({exc.__class__.__name__}); "
                                 "nothing was restored") from None
        problems = verify(stage)
        if problems:
            raise UsageError(f"{backup_path}: the backup does not match its manifest ({problems[0]}"
                             + (f", and {len(problems) - 1} more" if len(problems) > 1 else "")
                             + "); nothing was restored")
        (stage / MANIFEST).unlink()
        target.mkdir(exist_ok=True)
        for child in stage.iterdir():
            child.replace(target / child.name)
        manifest_files = len(list(target.rglob("*")))
        return {"restored": str(target), "files": manifest_files}
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def verify(folder: Path) -> list[str]:
    """Problems of a backup folder against its manifest (missing, changed or unlisted files)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files: dict[str, dict[str, Any]] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return ["no readable manifest.json"]
    problems = []
    for name, meta in sorted(files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != meta.get("bytes") or sha256(path) != meta.get("sha256"):
            problems.append(f"{name} has changed (sha256 differs)")
    listed = set(files) | {MANIFEST}
    problems += [f"{p.relative_to(folder)} is not in the manifest" for p in sorted(folder.rglob("*"))
                 if p.is_file() and str(p.relative_to(folder)) not in listed]
    return problems


def _log(ws: Workspace) -> list[dict[str, Any]]:
    """The import log, oldest first: id, file, sha256, options, whether it was undone, its counts, source and
    `raw_sha256` (the digest of a redacted raw copy: a member export's)."""
    from strategyfirst.warehouse.engine import open_duckdb

    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        have = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'imports' "
                                          "AND database_name = current_database()").fetchall()}
        options, source, redacted = (c if c in have else "NULL" for c in ("options", "source", "raw_sha256"))
        undone = "undone_at IS NOT NULL" if "undone_at" in have else "FALSE"
        rows = con.execute(f"SELECT import_id, file, sha256, {options}, {undone}, rows_read, rows_rejected, "
                           f"{source}, {redacted} FROM imports ORDER BY import_id").fetchall()
    finally:
        con.close()
    return [{"import_id": int(i), "file": str(f), "sha256": str(d), "options": json.loads(o or "{}"),
             "undone": bool(u), "rows_read": int(n), "rows_rejected": int(r), "source": s, "raw_sha256": rd}
            for i, f, d, o, u, n, r, s, rd in rows]


def _raw_file(ws: Workspace, digest: str) -> Path | None:
    found = sorted(ws.raw_dir.glob(f"{digest}*")) if ws.raw_dir.is_dir() else []
    return found[0] if found else None


def rebuild(ws: Workspace) -> dict[str, Any]:
    """Rebuild the warehouse from raw/ and the import log; the old file is kept as warehouse.duckdb.before-rebuild.

    Each import not undone is imported again under its own id and name with its options; the log itself (who,
    when, counts, undone imports and their undo) is carried over as it was. The new warehouse is checked against
    the log (each raw copy is the file the log names, read into as many rows and rejects) before it replaces the
    old one in one rename; until then the workspace is untouched."""
    if not ws.warehouse_path.is_file():
        raise WorkspaceError(f"{ws.root}: no warehouse to rebuild (nothing was imported)")
    with workspace_lock(ws.state_dir, doing="the rebuild of the warehouse"):  # no import lost meanwhile
        log = _log(ws)
        live = [r for r in log if not r["undone"]]
        missing = [f"#{r['import_id']} {shown_name(r['file'])}" for r in live if _raw_file(ws, r["sha256"]) is None]
        if missing:
            raise WorkspaceError(f"{ws.raw_dir}: the raw copies of {', '.join(missing)} are missing; restore the "
                                 "workspace from a backup instead")
        work = Path(tempfile.mkdtemp(prefix=".sf-rebuild-", dir=ws.state_dir))
        try:
            fresh = _replay(ws, work, live)
            redacted = _carry_log(ws, fresh, live)
            old = _swap(ws, fresh, work)
            for copy, target in redacted:  # after the swap: the new log's raw_sha256 names these copies
                copy.replace(target)
            for whole in _undone_personal(ws, log):  # nothing replays an undone import: its copy is not needed
                whole.unlink(missing_ok=True)
            _place_rejects(ws, fresh)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return {"rebuilt": str(ws.warehouse_path), "imports": len(live), "undone": len(log) - len(live),
            "previous": str(old)}


def _kept_whole(row: dict[str, Any]) -> bool:
    """Whether the raw copy of the import of log `row` is a member export as it was, personal data and all
    (kept before copies were redacted): its source redacts and the log knows no redacted copy."""
    from strategyfirst.sources.registry import BY_NAME

    return row["raw_sha256"] is None and bool(getattr(BY_NAME.get(str(row["source"])), "redacted_raw", False))


def _undone_personal(ws: Workspace, log: list[dict[str, Any]]) -> list[Path]:
    """The raw copies kept whole of member exports whose every import was undone (a rebuild replays none of
    them, so none is redacted by its replay)."""
    live = {r["sha256"] for r in log if not r["undone"]}
    found = (_raw_file(ws, r["sha256"]) for r in log if r["undone"] and r["sha256"] not in live and _kept_whole(r))
    return sorted({path for path in found if path is not None})


def _replay(ws: Workspace, work: Path, live: list[dict[str, Any]]) -> Workspace:
    """A workspace in `work` whose warehouse holds the imports of `live` made again from raw/ (or none)."""
    from strategyfirst.warehouse import derive, importlog
    from strategyfirst.warehouse.engine import open_duckdb
    from strategyfirst.warehouse.ingest import GROUP_OPTIONS, IMPORTED, Replay, _plan, ingest_groups

    fresh = Workspace(work / "ws")
    fresh.state_dir.mkdir(parents=True)
    if ws.plan_path.is_file():
        shutil.copy2(ws.plan_path, fresh.plan_path)
    groups: list[tuple[list[Path], dict[str, Any]]] = []
    replays: dict[Path, Replay] = {}
    for row in live:
        raw = _raw_file(ws, row["sha256"])
        assert raw is not None
        # under its own name: some sources read the account or the dates from it
        named = work / f"{row['import_id']:06d}" / Path(row["file"].rpartition("!")[2]).name
        named.parent.mkdir()
        os.link(raw, named) if raw.stat().st_dev == named.parent.stat().st_dev else shutil.copy2(raw, named)
        options = {k: v for k, v in row["options"].items() if k in GROUP_OPTIONS}
        if isinstance(options.get("rates"), str):  # stored as "UAH=0.024,USD=0.92"; given as a list
            options["rates"] = options["rates"].split(",")
        groups.append(([named], options))
        replays[named] = Replay(row["import_id"], row["file"])
    if not groups:  # every import undone: a warehouse without data (the log is carried over by _carry_log)
        con = open_duckdb(fresh.warehouse_path)
        try:
            importlog.ensure(con)
            derive.refresh(con, _plan(fresh))
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return fresh
    result = ingest_groups(fresh, groups, keep_going=True, replays=replays)
    for row, summary in zip(live, result.files, strict=True):
        if summary["status"] != IMPORTED:
            why = summary.get("error") or f"{summary['status']} as #{summary['import_id']}"
            raise WorkspaceError(f"import #{row['import_id']} ({shown_name(row['file'])}) could not be made again "
                                 f"from {ws.raw_dir} ({why}); the warehouse is unchanged")
    return fresh


def _carry_log(ws: Workspace, fresh: Workspace, live: list[dict[str, Any]]) -> list[tuple[Path, Path]]:
    """Check the replayed imports against the log, then put the old warehouse's log in place of theirs: every
    import as it was made (id, file as given, options, who, when, counts), undone ones too, with the
    rejects file named where the rebuild writes it in this workspace, and each replayed import's `raw_sha256` as
    the replay made it. Returns the raw copies to move into raw/: the redacted copy the replay made of a member
    export whose copy was kept whole (before copies were redacted)."""
    from strategyfirst.warehouse.engine import open_duckdb, path_literal

    con = open_duckdb(fresh.warehouse_path)
    try:
        made = {int(r[0]): r[1:] for r in con.execute(
            "SELECT import_id, sha256, rows_read, rows_rejected, rejects_file, raw_sha256 FROM imports").fetchall()}
        moves: list[tuple[Path, Path]] = []
        for row in live:
            digest, read, rejected, _, redacted = made[row["import_id"]]
            name = f"import #{row['import_id']} ({shown_name(row['file'])})"
            # The file read is the raw copy: a redacted one (member exports) has its own digest, `raw_sha256`.
            if digest != (row["raw_sha256"] or row["sha256"]):
                raise WorkspaceError(f"{_raw_file(ws, row['sha256'])}: the raw copy of {name} no longer matches "
                                     "its sha256; restore the workspace from a backup instead (the warehouse is "
                                     "unchanged)")
            # A member export's rows of counts depend on the other exports of its list stored when it was made
            # (the days of a newer one it left as they were, or that it reset), which an undo since may have
            # changed: its rejected rows are its own.
            if (int(read) if redacted is None else row["rows_read"], int(rejected)) != (row["rows_read"],
                                                                                    row["rows_rejected"]):
                raise WorkspaceError(f"{name} now reads as {read} rows ({rejected} rejected), the log says "
                                     f"{row['rows_read']} ({row['rows_rejected']} rejected): this version of "
                                     "strategyfirst reads it differently; the warehouse is unchanged")
            copy, target = _raw_file(fresh, digest), _raw_file(ws, row["sha256"])
            if redacted is not None and redacted != row["raw_sha256"] and copy is not None and target is not None:
                moves.append((copy, target))  # a member export's copy kept whole: its redacted copy replaces it
        con.execute(f"ATTACH {path_literal(ws.warehouse_path)} AS old (READ_ONLY)")
        ours = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'imports' "
                                          "AND database_name = current_database() ORDER BY column_index"
                                          ).fetchall()]
        theirs = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = "
                                            "'imports' AND database_name = 'old'").fetchall()}
        columns = ", ".join(f'"{c}"' for c in ours if c in theirs)
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM imports")
        con.execute(f"INSERT INTO imports ({columns}) SELECT {columns} FROM old.imports")
        for import_id, (_, _, _, written, redacted) in made.items():
            where = str(ws.state_dir / "rejects" / Path(written).name) if written else None
            con.execute("UPDATE imports SET rejects_file = ?, raw_sha256 = ? WHERE import_id = ?",
                        [where, redacted, import_id])
        con.execute("COMMIT")
        con.execute("DETACH old")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return moves


def _swap(ws: Workspace, fresh: Workspace, work: Path) -> Path:
    """Put the new warehouse in place in one rename (the live path always names a whole warehouse); the old one
    becomes warehouse.duckdb.before-rebuild. Returns that path."""
    old = ws.warehouse_path.with_name(ws.warehouse_path.name + ".before-rebuild")
    wal = ws.warehouse_path.with_name(ws.warehouse_path.name + ".wal")
    if wal.exists():  # left by a crash: into the file itself, so that it cannot be read beside the new one
        con = duckdb.connect(str(ws.warehouse_path))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    kept = work / "previous.duckdb"
    try:
        os.link(ws.warehouse_path, kept)
    except OSError:  # no hard links here: a copy
        shutil.copy2(ws.warehouse_path, kept)
    fresh.warehouse_path.replace(ws.warehouse_path)
    kept.replace(old)
    return old


def _place_rejects(ws: Workspace, fresh: Workspace) -> None:
    """The rejects files the rebuild wrote, into the workspace's rejects folder (where its log names them)."""
    written = sorted((fresh.state_dir / "rejects").glob("*.csv")) if (fresh.state_dir / "rejects").is_dir() else []
    if written:
        (ws.state_dir / "rejects").mkdir(exist_ok=True)
    for path in written:
        path.replace(ws.state_dir / "rejects" / path.name)


def check(ws: Workspace) -> list[str]:
    """Integrity problems of a workspace (an empty list: all is well)."""
    from strategyfirst.warehouse import derive
    from strategyfirst.warehouse.engine import open_duckdb, unusable_warehouse
    from strategyfirst.warehouse.materialise import STRAY_PREFIXES
    from strategyfirst.warehouse.schema import SCHEMA_VERSION

    problems: list[str] = []
    if not ws.root.is_dir():
        return [f"{ws.root}: no such folder"]
    plan = None
    if ws.plan_path.is_file():
        try:
            plan = ws.plan_document().plan
        except Exception as exc:  # any plan problem is a finding, not a crash of the check
            problems.append(f"{ws.plan_path}: the plan does not read ({str(exc).splitlines()[0]})")
    else:
        problems.append(f"{ws.plan_path}: no plan")
    rejects_dir = ws.state_dir / "rejects"
    problems += [f"{p}: a partial file left by an interrupted import (the next ingest, measure, export, backup "
                 "or rebuild removes it)"
                 for folder in (ws.raw_dir, rejects_dir) if folder.is_dir() for p in sorted(folder.glob(".*.part"))]
    if ws.warehouse_path.is_file():
        try:
            con = open_duckdb(ws.warehouse_path, read_only=True)
        except WorkspaceError as exc:
            problems.append(str(exc))
            con = None
        if con is not None:
            try:
                row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if not row or int(row[0]) != SCHEMA_VERSION:
                    problems.append(f"{ws.warehouse_path}: schema version {row[0] if row else 'unknown'}, "
                                    f"expected {SCHEMA_VERSION} (any write command upgrades it)")
                strays = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
                                                    ).fetchall() if str(r[0]).startswith(STRAY_PREFIXES)]
                if strays:
                    problems.append(f"{ws.warehouse_path}: work tables left by an interrupted run: "
                                    f"{', '.join(strays)} (the next measure removes them)")
                if derive.is_stale(con, plan):
                    problems.append(f"{ws.warehouse_path}: derived tables are not up to date with the data and "
                                    "plan (the next measure rebuilds them)")
                problems += _check_log(ws, con)
            except duckdb.IOException as exc:  # cut short: a block it needs lies past the file's end
                problems.append(str(unusable_warehouse(ws.warehouse_path, exc)))
            finally:
                con.close()
    try:
        ws.history_db()
    except Exception as exc:  # unreachable app database: a finding
        problems.append(f"app database: cannot be opened ({str(exc).splitlines()[0]})")
    return problems


def _check_log(ws: Workspace, con: duckdb.DuckDBPyConnection) -> list[str]:
    problems: list[str] = []
    log = _log(ws)
    rows = [r for r in log if not r["undone"]]
    known = {int(r["import_id"]) for r in rows}
    for r in rows:
        import_id, name = r["import_id"], shown_name(str(r["file"]))
        raw = _raw_file(ws, str(r["sha256"]))
        if raw is None:
            problems.append(f"import #{import_id} ({name}): its raw copy is missing from {ws.raw_dir}")
            continue
        # A redacted copy (a member export's) is verified against its own sha256, recorded as `raw_sha256`.
        if sha256(raw) != (r["raw_sha256"] or r["sha256"]):
            problems.append(f"{raw}: its content no longer matches its sha256 (import #{import_id})")
        elif _kept_whole(r):
            problems.append(f"{raw}: the raw copy of import #{import_id} ({name}) is the member export as it "
                            "was, with personal data (addresses, names, IPs); `strategyfirst rebuild` replaces "
                            "it with a redacted copy")
    for raw in _undone_personal(ws, log):
        problems.append(f"{raw}: the raw copy of an undone import is a member export as it was, with personal "
                        "data (addresses, names, IPs); `strategyfirst rebuild` removes it")
    for table in ("messages", "audience", "spend"):
        stray = con.execute(f"SELECT DISTINCT import_id FROM {table} WHERE import_id IS NOT NULL").fetchall()
        orphans = sorted(int(r[0]) for r in stray if int(r[0]) not in known)
        if orphans:
            problems.append(f"{table}: rows of imports not in the import log (or undone): "
                            f"{', '.join('#' + str(i) for i in orphans[:5])}")
    return problems
