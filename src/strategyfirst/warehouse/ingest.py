"""Import export files into the warehouse: one transaction per file, idempotent, with located rejects.

`ingest_files` is what `strategyfirst ingest` and `Workspace.ingest` call. Each file has one outcome (its
`status` in the summary):
- `imported`: its rows merged (new, updated, duplicate) and its bad rows kept in `rejects`, in one transaction;
- `already imported`: the same bytes were imported before with the same options (and not undone): nothing is
  written, not even a second `imports` row or a second copy of its rejects; the summary names that import;
- `rolled back`: `--strict` and the file had rejected rows: nothing written;
- `failed`: the file could not be read (missing, not a known export, cut, undecodable ...): nothing of it
  written, the error says why; the other files still import;
- `skipped`: a file found in a folder or zip given to import that is no known export (its `error` says why).
A zip stands for its members (warehouse/archive.py), each named `archive.zip!inner/name`.
Errors that concern the whole command (an unknown `--source`, a workspace that cannot be opened or is locked)
raise before or instead of any file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from strategyfirst.errors import (
    ImportFileError,
    SourceDetectionError,
    StrategyFirstError,
    UsageError,
    WorkspaceError,
)
from strategyfirst.sources import sqlfuncs
from strategyfirst.sources.base import (
    STAGE_DDL,
    LoadContext,
    Loaded,
    check_platform,
    create_stage,
    drop_temp,
    unowned_notes,
)
from strategyfirst.sources.currency import check_spend, parse_rates, rates_option
from strategyfirst.sources.member_counts import write_raw_copy
from strategyfirst.sources.registry import check_header_complete, check_source, detect, get_source, not_recognised
from strategyfirst.sources.textfile import (
    SourceFile,
    drop_rows,
    fill_reject_raw,
    fix_reject_lines,
    open_source_file,
)
from strategyfirst.sqltext import sql_literal, string_literal
from strategyfirst.warehouse import derive, importlog, members
from strategyfirst.warehouse.archive import MEDIA, TEXT_DOCUMENTS, Media, Unpacked, unpacked
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.warehouse.lock import workspace_lock
from strategyfirst.warehouse.merge import SPECS, Counts, Prepared, apply, prepare, rehome
from strategyfirst.warehouse.rawstore import RawCopy, sweep_partials

if TYPE_CHECKING:
    from strategyfirst.plan import Plan
    from strategyfirst.ports import WorkspaceFiles
    from strategyfirst.sources.base import Source

PROGRESS_BYTES = 4 << 20  # a progress bar for files larger than this
PARALLEL_ROWS = 122_880  # DuckDB's row group: a file with no more staged rows than this merges on one thread
# A batch of files of at most this many bytes imports what the rebuild of the derived tables imports first on a
# thread, while its files are staged (`derive.import_in_background`: ~0.3-0.8 s off the import's wall time).
# Above it the import's memory peak nears its target (4 GB at 10M messages: 1.3 GB of files), and those modules
# (~130 MB) would add to it: they are imported by the rebuild itself, as before.
OVERLAP_BYTES = 512 << 20
# At most this many distinct texts of a large file are scored while it merges (derive.score_ahead): ~100 MB of
# them at most held twice (the scores, the rebuild's own list); a file of more leaves them all to the rebuild.
AHEAD_TEXTS = 1_000_000
# DuckDB's buffer pool while importing: the 10M-message bench peaks at ~3.7 GB of RSS with it (3.9-4.2 GB with
# 4500MB, at about the same speed; 3.4 GB with 3000MB, ~2 s slower), under the 4 GB of issue 19.
MEMORY_LIMIT = "3500MB"
Step = Callable[[str], None]
IMPORTED, ALREADY, ROLLED_BACK, FAILED, SKIPPED = "imported", "already imported", "rolled back", "failed", "skipped"
COUNT_KEYS = ("rows_read", "rows_new", "rows_updated", "rows_duplicate", "rows_rejected")


@dataclass
class IngestResult:
    """One summary per file, in the shape of cli.md's `ingest --format json`."""

    files: list[dict[str, Any]] = field(default_factory=list)
    # each failed file's error by its name in `files` (not in the JSON: a caller may raise it as it was)
    errors: dict[str, StrategyFirstError] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return sum(int(f["rows_rejected"]) for f in self.files)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The files that could not be imported (status `failed`), each with its `error`."""
        return [f for f in self.files if f["status"] == FAILED]

    def to_json(self) -> str:
        return json.dumps({"files": self.files})


GROUP_OPTIONS = ("source", "account", "platform", "year", "rates", "exported_on")


@dataclass(frozen=True)
class Replay:
    """An import of the log imported again (recovery.rebuild): under its own id and the name it was given as."""

    import_id: int
    name: str


@dataclass
class _Group:
    """Files given to import with the same options, and what those options make of them."""

    paths: list[Path]
    in_folder: set[Path]
    media: dict[Path, Media]
    source: str
    ctx: LoadContext
    options: dict[str, Any]
    replays: dict[Path, Replay] = field(default_factory=dict)
    names: dict[Path, str] = field(default_factory=dict)


def ingest_files(ws: WorkspaceFiles, files: Sequence[str | Path] | str | Path, *, source: str = "auto",
                 account: str | None = None, platform: str | None = None, strict: bool = False,
                 progress: bool = False, year: int | None = None,
                 keep_going: bool = False, by: str | None = None, wait: float | None = None,
                 notify: Callable[[str], None] | None = None,
                 rates: Sequence[str] | dict[str, float] | None = None,
                 exported_on: dt.date | str | None = None,
                 names: Mapping[Path, str] | None = None) -> IngestResult:
    """Import each file in its own transaction, going on past a file that fails.

    With `keep_going`, every file's outcome is in the result (a failed one with `status` "failed" and its
    `error`); without it, the first failure is raised (ImportFileError) once the other files are imported.
    `files` may be one path; a folder stands for the files under it. `by` names who imports (default: the OS
    user). A zip stands for its members (each named `archive.zip!inner/name`). While another import or refresh
    holds the workspace, this waits as long as it runs (`wait` seconds
    at most, if given), telling `notify`. `rates` ({"UAH": 0.024} or ["UAH=0.024"]) convert spend in
    another currency than the plan's (sources/currency.py); `exported_on` is the snapshot day of member exports.
    `names`: what to call a file (or a zip's members) in the summaries, errors and the import log instead of
    its path: an upload's copy is logged under the name it was uploaded as (web/uploads.py)."""
    options = {"source": source, "account": account, "platform": platform, "year": year, "rates": rates,
               "exported_on": exported_on}
    return ingest_groups(ws, [(files, options)], strict=strict, progress=progress, keep_going=keep_going,
                         by=by, wait=wait, notify=notify, names=names)


def ingest_groups(ws: WorkspaceFiles, groups: Sequence[tuple[Sequence[str | Path] | str | Path, Mapping[str, Any]]],
                  *, strict: bool = False, progress: bool = False, keep_going: bool = False,
                  by: str | None = None, wait: float | None = None,
                  notify: Callable[[str], None] | None = None,
                  replays: Mapping[Path, Replay] | None = None,
                  names: Mapping[Path, str] | None = None) -> IngestResult:
    """`ingest_files` of several groups of files, each with its own options (keys of GROUP_OPTIONS: `source`,
    `account`, `platform`, `year`, `rates`, `exported_on`), in one go: under one hold of the workspace lock and
    with one refresh of the derived tables after the last file (a folder of exports that need different
    options costs one refresh, not one per group). Each file is still its own transaction. `replays`: files
    imported under the id and name the import log gives them (recovery.rebuild), in increasing id order.
    `names`: as for `ingest_files`."""
    prepared = [_group(ws, files, options) for files, options in groups]
    for group in prepared:
        group.replays = {p: replays[p] for p in group.paths if replays and p in replays}
        group.names = {p: names[p] for p in group.paths if names and p in names}
        if group.ctx.account == "" and not group.replays:  # a rebuild replays what the log says, as it was
            # '--account " "' stored the posts of an X analytics file under an account of no name
            raise UsageError("--account is blank (spaces or a lone '@'): give the account's name (as the plan "
                             "writes it), or leave --account out where the file names its account")
    if not any(g.paths for g in prepared):
        raise UsageError("no file to import; give one or more export files")
    ws.ensure()
    plan = _LazyPlan(ws)
    result = IngestResult()
    errors: list[StrategyFirstError] = []
    paths = [p for g in prepared for p in g.paths]
    shown = [Path(names[p]) if names and p in names else p for p in paths]
    doing = ", ".join(p.name for p in shown[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    try:
        _import_all(ws, prepared, by, strict, progress, plan, result, errors, wait, notify, doing)
    except (OSError, duckdb.Error) as exc:
        if not ws.warehouse_path.is_file():
            raise _vanished(ws) from None
        raise WorkspaceError(f"{ws.warehouse_path}: the import stopped ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:160]}); nothing of the file being read was stored"
                             ) from None
    if errors and not keep_going:
        raise errors[0]
    return result


def _group(ws: WorkspaceFiles, files: Sequence[str | Path] | str | Path, given_options: Mapping[str, Any]) -> _Group:
    """One group of `ingest_groups`: its files expanded, its options checked (before anything is opened)."""
    unknown = sorted(set(given_options) - set(GROUP_OPTIONS))
    if unknown:
        raise UsageError(f"unknown import option {unknown[0]!r}; the options are {', '.join(GROUP_OPTIONS)}")
    o = {k: given_options.get(k) for k in GROUP_OPTIONS}
    source = str(o["source"] or "auto")
    given = [Path(files)] if isinstance(files, str | Path) else [Path(f) for f in files]
    paths, in_folder, media = _expand(given)
    if source != "auto":
        get_source(source)  # unknown names fail before anything is opened
    account, platform = o["account"], o["platform"]
    ctx = LoadContext(account=account.strip().lstrip("@") if account else None,
                      platform=platform.strip().lower() if platform else None,
                      rates=rates_option(parse_rates(o["rates"])), exported_on=export_day(o["exported_on"]),
                      year=o["year"])
    return _Group(paths, in_folder, media, source, ctx, _options(source, ctx))


class _LazyPlan:
    """The plan, parsed when the first file is staged (it gives the owned accounts and the budget currency):
    a re-import of files already imported, or one that fails early, does not parse it at all."""

    def __init__(self, ws: WorkspaceFiles) -> None:
        self._ws = ws
        self._loaded = False
        self._plan: Plan | None = None

    def get(self) -> Plan | None:
        if not self._loaded:
            self._plan = _plan(self._ws)
            self._loaded = True
        return self._plan

    def context(self, ctx: LoadContext) -> LoadContext:
        """`ctx` with the plan's owned accounts and budget currency."""
        plan = self.get()
        owned = {p: frozenset(h) for p, h in (plan.owned_handles() if plan else {}).items()}
        currency = plan.budget.currency if plan and plan.budget else None
        return dataclasses.replace(ctx, owned_accounts=owned, currency=currency)


def _vanished(ws: WorkspaceFiles) -> WorkspaceError:
    return WorkspaceError(f"{ws.root}: the workspace was deleted or moved during the import, so nothing is "
                          "stored; import the files again into an existing workspace")


def _import_all(ws: WorkspaceFiles, groups: list[_Group], by: str | None, strict: bool, progress: bool,
                plan: _LazyPlan, result: IngestResult, errors: list[StrategyFirstError], wait: float | None,
                notify: Callable[[str], None] | None, names: str) -> None:
    """Every file under the workspace lock, then one refresh of the derived tables; success is reported only
    for data durably stored: the warehouse file must still be the one written (not deleted or replaced)."""
    with workspace_lock(ws.state_dir, math.inf if wait is None else wait, doing=f"the import of {names}",
                        notify=notify):
        if ws.raw_dir.is_dir():
            sweep_partials(ws.raw_dir)  # what a killed import left, whatever this one will need to read
        con = open_duckdb(ws.warehouse_path)
        opened = os.stat(ws.warehouse_path)
        try:
            con.execute("SET enable_progress_bar = false")
            # Bound DuckDB's memory (peak target 6 GB at 10M messages): beyond it, it spills to temp files.
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            sqlfuncs.install(con)
            importlog.ensure(con)
            overlap = _Overlap(_batch_bytes(groups) <= OVERLAP_BYTES)
            seen = importlog.SeenSizes(con)  # one look-up of the log's file sizes for the batch
            try:
                for group in groups:
                    with unpacked(group.paths, group.in_folder, ws.state_dir / "tmp", group.media) as files_in:
                        _import_group(con, ws, files_in, group, plan, by, strict, progress, result, errors,
                                      overlap, seen)
            finally:
                # Derived tables once per batch, right after the last committed import (each file its own
                # transaction; derive.refresh runs its own), also when a later file failed.
                if any(f["status"] == IMPORTED for f in result.files):
                    derive.refresh(con, plan.get())
            con.execute("CHECKPOINT")  # committed data into the warehouse file itself, not only its log
        finally:
            derive.settle()  # no thread of `_stage_and_merge`'s imports outlives the import (a failed one too)
            con.close()
        try:
            now = os.stat(ws.warehouse_path)
        except OSError:
            raise _vanished(ws) from None
        if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            raise _vanished(ws)


def _import_group(con: duckdb.DuckDBPyConnection, ws: WorkspaceFiles, files_in: Unpacked, group: _Group,
                  plan: _LazyPlan, by: str | None, strict: bool, progress: bool, result: IngestResult,
                  errors: list[StrategyFirstError], overlap: _Overlap, seen: importlog.SeenSizes) -> None:
    """The files of one group, each in its own transaction; a failure is recorded and the next file goes on.
    `overlap`: once a file is imported, the rebuild's modules may be imported on a thread (`_Overlap`); `seen`:
    the sizes of the files the log and this batch have (`importlog.SeenSizes`)."""
    for path in files_in.paths:
        outcome: dict[str, Any] = {"source": None}
        replay = group.replays.get(path)
        name = replay.name if replay else _as_given(files_in.name(path), group.names)
        try:
            if path in files_in.failures:
                raise files_in.failures[path]
            if name != (shown := _printable_name(name)):
                name = shown
                raise ImportFileError(name, "the file's name is not UTF-8 text (written in another encoding, e.g. "
                                      "by an old zip tool or share): rename the file and import it again", 1, 1)
            with _progress(path, progress) as step:
                summary = _ingest_one(con, ws, path, name, group.source, lambda: plan.context(group.ctx),
                                      group.options, by, strict, step, outcome, seen,
                                      replay.import_id if replay else None)
        except WorkspaceError:
            raise  # the workspace itself (locked, newer schema): no later file can do better
        except SourceDetectionError as unknown:
            exc = _renamed(unknown, path, name)
            if path not in files_in.in_folder:
                errors.append(exc)
            # A source that looked right at first sight and then refused the file (a markdown file's '#' lines
            # are not GA4's) is not its source: only one the user named is.
            source = outcome["source"] if group.source != "auto" else None
            # a file of a folder or zip that is no known export is skipped, not failed
            if path in files_in.in_folder:
                summary = _failed(name, source, _skipped(exc, name), SKIPPED)
            else:
                summary = _failed(name, source, exc)
        except StrategyFirstError as failure:
            exc = _renamed(failure, path, name)
            errors.append(exc)
            summary = _failed(name, outcome["source"], exc)
            result.errors[name] = exc
        result.files.append(summary)
        if summary["status"] == IMPORTED:
            overlap.imported(con, plan)


class _Overlap:
    """The derived tables are refreshed after the batch: what a rebuild imports first is imported on a thread
    while the next files are staged, once the first file is in (past its commit: its temp tables dropped),
    in a batch of at most OVERLAP_BYTES, and unless the refresh will most likely run the SQL an earlier one
    kept, without Ibis (`derive.extension_kept`)."""

    def __init__(self, due: bool) -> None:
        self.due = due

    def imported(self, con: duckdb.DuckDBPyConnection, plan: _LazyPlan) -> None:
        if self.due:
            self.due = False
            if not derive.extension_kept(con, plan.get()):
                derive.import_in_background()


def _batch_bytes(groups: list[_Group]) -> int:
    """The bytes of the files (and zips) of a batch, as given (one missing fails on its own later)."""
    total = 0
    for group in groups:
        for path in group.paths:
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def _options(source: str, ctx: LoadContext) -> dict[str, Any]:
    """The options that shape what a file imports as (kept in `imports.options`, so that raw/ can be imported
    again the same way; an identical file with other options is imported again, not skipped)."""
    opts: dict[str, Any] = {"source": source}
    for f in dataclasses.fields(ctx):
        value = getattr(ctx, f.name)
        if f.name in ("platform", "rates", "exported_on") and value is None:
            continue  # added later (Meta overview, issue 15): imports made before them carry no such key
        if f.name == "currency":
            continue  # the plan's, not an option of the import
        if f.name == "year" and value is None:
            continue  # imports made before --year carry "year": 2014, what the UCI file still defaults to
        if f.name != "owned_accounts" and isinstance(value, str | int | float | bool | None):
            opts[f.name] = value
    return opts


# No member export (Mailchimp, Substack, beehiiv) was downloaded before this day.
EARLIEST_EXPORT = dt.date(2000, 1, 1)


def export_day(value: dt.date | str | None) -> str | None:
    """`--exported-on` as an ISO date string: a usage error unless YYYY-MM-DD, from EARLIEST_EXPORT to today
    (the later of the local and the UTC day: a file downloaded today anywhere is accepted)."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(f"--exported-on {value!r} is not a date like 2026-03-31") from None
    today = max(dt.date.today(), dt.datetime.now(dt.UTC).date())
    if day > today:
        raise UsageError(f"--exported-on {day} is after today ({today}): give the day the file was downloaded")
    if day < EARLIEST_EXPORT:
        raise UsageError(f"--exported-on {day} is before {EARLIEST_EXPORT}, older than any member export: give "
                         "the day the file was downloaded")
    return day.isoformat()


def _printable_name(name: str) -> str:
    """`name` as text DuckDB, the import log and the terminal take: the bytes of a file name that is not UTF-8
    (Python's surrogate escapes) written as `\\xff`."""
    return name.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def _as_given(name: str, names: Mapping[Path, str]) -> str:
    """A file's `name` with the path of a file given under another name replaced by that name (a zip's members
    too: `archive.zip!inner/name`)."""
    for path, given in names.items():
        where = str(path)
        if name == where or name.startswith(where + "!"):
            return given + name[len(where):]
    return name


def _renamed(exc: StrategyFirstError, path: Path, name: str) -> StrategyFirstError:
    """The error of a zip's member naming it as `archive.zip!inner/name`, not by its extracted copy."""
    if name == str(path) or str(path) not in exc.message:
        return exc
    exc.message = exc.message.replace(str(path), name)
    exc.args = (exc.message,)
    if isinstance(exc, ImportFileError) and exc.file == str(path):
        exc.file = name
    return exc


def _skipped(exc: StrategyFirstError, name: str) -> StrategyFirstError:
    """Why a file of a folder or zip is skipped, in a few words (README.md, LICENSE: there are many such files
    beside the exports; the full explanation, which names every source, is for a file given on its own)."""
    if Path(name).suffix.lower() in TEXT_DOCUMENTS:
        return ImportFileError(name, "a text document, not an export")
    short = getattr(exc, "short", None)
    return ImportFileError(name, short) if short else exc


def _failed(name: str, source: str | None, exc: StrategyFirstError, status: str = FAILED) -> dict[str, Any]:
    """The summary of a file that could not be imported: zero counts, the one-line error and where."""
    where = {k: getattr(exc, k, None) for k in ("line", "column")}
    return {"file": name, "source": source, **dict.fromkeys(COUNT_KEYS, 0), "rejects_file": None,
            "imported": False, "status": status, "import_id": None, "error": str(exc), **where}


def _expand(given: list[Path]) -> tuple[list[Path], set[Path], dict[Path, Media]]:
    """The files to import: a folder stands for every file under it (sorted, hidden ones left out); returns
    them with the set of those that came from a folder (an unknown kind of file there is skipped, not failed),
    and per folder its media files by subfolder (not read: listed as skipped, one line a subfolder)."""
    paths: list[Path] = []
    in_folder: set[Path] = set()
    media: dict[Path, Media] = {}
    for path in given:
        if not path.is_dir():
            paths.append(path)
            continue
        members = sorted(f for f in path.rglob("*") if f.is_file()
                         and not any(part.startswith(".") for part in f.relative_to(path).parts))
        if not members:
            paths.append(path)  # an empty folder: reported as such by _ingest_one
        for f in (f for f in members if f.suffix.lower() in MEDIA):
            where = f"{f.parent.relative_to(path).as_posix()}/".removeprefix("./")
            count, kinds = media.setdefault(path, {}).get(where, (0, set()))
            media[path][where] = (count + 1, kinds | {f.suffix.lower()})
        members = [f for f in members if f.suffix.lower() not in MEDIA]
        paths.extend(members)
        in_folder.update(members)
    return paths, in_folder, media


def _plan(ws: WorkspaceFiles) -> Plan | None:
    """The plan if it loads; ingest works without one (owned then comes from the source's own flag)."""
    try:
        doc = ws.plan_or_none()
    except StrategyFirstError:
        return None
    except Exception:  # a broken plan must not block importing data
        return None
    return doc.plan if doc is not None else None


def _ingest_one(con: duckdb.DuckDBPyConnection, ws: WorkspaceFiles, path: Path, name: str, source_name: str,
                ctx: Callable[[], LoadContext], options: dict[str, Any], by: str | None, strict: bool, step: Step,
                outcome: dict[str, Any], seen: importlog.SeenSizes, import_id: int | None = None) -> dict[str, Any]:
    """One file (`name` is how summaries, errors and the import log call it) in its own transaction, as import
    `import_id` if given (else the next one). `seen`: the sizes the log (and this batch) may have."""
    if not path.is_file():
        what = ("is an empty folder" if path.is_dir() else
                "is not a regular file (a pipe, socket or device): save the export to a file and import that"
                if path.exists() else "no such file; check the path")
        raise ImportFileError(str(path), f"{what} (nothing of it was imported)")
    step("reading")
    st = path.stat()
    size = st.st_size
    # The stamp (path, inode, size, times) of a file read from where it was given (not a zip's member).
    stamp = importlog.file_stamp(path, st) if name == str(path) else None
    # A file of a size already imported may be the same bytes: then its hash decides first (here, at normal
    # priority; the copying thread yields to DuckDB), and an identical file with the same options is not read
    # again: a re-import changes nothing. A file whose stamp an import recorded is not even hashed again.
    earlier: list[int] = []
    if seen.maybe(size):
        digest = importlog.stamped_digest(con, stamp) or _sha256(path)
        defaults = _options("auto", LoadContext())
        same = importlog.same_file(con, digest, size, source_name, options, defaults)
        if same is not None:
            outcome["source"] = same["source"]
            return _already(name, same)
        earlier = importlog.other_options(con, digest, options, defaults)  # the same file, another --account
    seen.add(size)  # read below: the log may hold its size from now on (a later file of the batch is looked up)
    raw: RawCopy | None = None
    try:
        sf = open_source_file(path, ws.state_dir / "tmp")
        try:
            src = detect(sf) if source_name == "auto" else get_source(source_name)
            outcome["source"] = src.name
            if source_name != "auto":
                check_source(src, sf)
            # Hashed and copied on a thread while DuckDB reads the file; a member export is only hashed: its
            # bytes (addresses, names) are never written into raw/, not even for the moment before redaction.
            raw = RawCopy(path, ws.raw_dir, copy=not src.redacted_raw)
            summary = _stage_and_merge(con, ws, sf, name, raw, src, ctx(), options, by, size, strict, step,
                                       earlier, stamp, import_id, guessed=source_name == "auto")
        finally:
            _cleanup(sf)
    except duckdb.Error as exc:
        raise ImportFileError(name, f"could not be imported ({str(exc).splitlines()[0]}); check that "
                              "it is an unmodified export", 1, 1) from exc
    finally:
        if raw is not None:
            raw.discard()  # no-op once kept
    return summary


def _sha256(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise ImportFileError(str(path), f"could not be read ({exc.strerror}); check its permissions "
                              "(nothing of it was imported)") from exc


def _already(name: str, same: dict[str, Any]) -> dict[str, Any]:
    """The summary of a file imported before, unchanged: every row it had is a duplicate of itself."""
    rejected = same["rows_rejected"]
    return {"file": name, "source": same["source"], "rows_read": same["rows_read"], "rows_new": 0,
            "rows_updated": 0, "rows_duplicate": same["rows_read"] - rejected, "rows_rejected": rejected,
            "rejects_file": same["rejects_file"], "imported": False, "status": ALREADY,
            "import_id": same["import_id"], "already_imported_as": same["import_id"]}


def _stage_and_merge(con: duckdb.DuckDBPyConnection, ws: WorkspaceFiles, sf: SourceFile, name: str, raw: RawCopy,
                     src: Source, ctx: LoadContext, options: dict[str, Any], by: str | None, size: int,
                     strict: bool, step: Step, earlier: list[int], stamp: str | None,
                     given_id: int | None = None, *, guessed: bool = False) -> dict[str, Any]:
    """Stage the file, then merge it into the warehouse in one transaction (as import `given_id` if given).
    `guessed`: the source was detected, not named (a loader's refusal then means no known export)."""
    if given_id is None:  # a replay (rebuild) reproduces what the log says was imported, as it was
        check_header_complete(sf)
    else:
        ctx = dataclasses.replace(ctx, replay=True)
    # Staging and the merge's comparisons write only this connection's temp tables, so they run before the
    # transaction: DuckDB scans tables written inside an open transaction on one thread, which halved the
    # speed of typing, mapping and linking millions of rows on two cores. The transaction holds every write
    # to the warehouse.
    try:
        create_stage(con)
        try:
            loaded = src.load(con, sf, ctx)
        except SourceDetectionError:
            if not guessed:
                raise
            raise not_recognised(sf, src) from None  # only a guess from its header: no known export
        if ctx.platform and not ctx.replay:  # a replay imports as the log says, as it was imported then
            check_platform(con, sf, src.name, ctx.platform)
        if src.redacted_raw:  # a member export: raw/ keeps what its loader needs, nothing personal
            raw.redact(lambda path: write_raw_copy(con, path))
        staged, import_id = _staged(con)
        if staged["messages"] > PARALLEL_ROWS:  # a large file: its texts scored while it merges
            texts = _texts_to_score(con)
            if texts:
                derive.score_ahead(texts)
        if given_id is not None:
            if given_id < import_id:  # a replay out of order would write under an id the log already has
                raise ValueError(f"import #{given_id} replayed after #{import_id - 1}")
            import_id = given_id
        notes = (*loaded.notes, *check_spend(con, sf, ctx.currency, parse_rates((ctx.rates or "").split(",")
                                                                                 if ctx.rates else None),
                                             rows=staged["spend"]))
        if not ctx.replay:  # data the plan's rule owns no account of: said at once, not only by measure
            notes = (*notes, *unowned_notes(con, ctx))
        if staged["rejects"]:  # both only change rejected rows
            fill_reject_raw(con, sf.delimiter)
            fix_reject_lines(con)
        step("merging")
        # Row order matters while reading (line numbers), not while merging: let DuckDB work in parallel (a
        # file of fewer rows than DuckDB's row group is merged on one thread either way).
        parallel = max(staged.values()) > PARALLEL_ROWS
        if parallel:
            drop_rows(con)  # its rows as read, before the merge holds more; a small file's go with drop_temp
            con.execute("SET preserve_insertion_order = false")
        try:
            prepared = _prepare_all(con, loaded, staged)  # temp tables only, like the staging
            part: Path | None = None  # the import's rejects file until its commit
            con.execute("BEGIN TRANSACTION")
            try:
                moved = {t: rehome(con, p.spec, earlier, import_id) if p else 0 for t, p in prepared.items()}
                counts = {t: _moved(apply(con, p, import_id), moved[t]) if p else Counts()
                          for t, p in prepared.items()}
                if src.redacted_raw:  # a member export: what it said, for the next ones of its list and undo
                    members.record(con, import_id)
                summary = _summary(ws, name, src.name, counts[loaded.primary], import_id, staged["rejects"])
                if notes:  # what the file held besides its rows (GA4 tables skipped, spend converted)
                    summary["notes"] = list(notes)
                if strict and summary["rows_rejected"]:
                    # Why the file was refused is what the user needs next; it is no import, so its rejects
                    # file claims no import id (the next import takes that id and writes its own).
                    refused = _rejects_path(ws, name, None, raw.digest)
                    con.execute("ROLLBACK")
                    summary.update(imported=False, status=ROLLED_BACK, import_id=None, rejects_file=str(refused))
                else:
                    _record(con, import_id, name, raw.digest, raw.stored_digest, size, options, by, summary, stamp)
                    if summary["rejects_file"]:
                        # Written before the commit (a full disk fails the import, nothing stored) under a name
                        # no import has, and named as the import's only once it is committed.
                        target = Path(summary["rejects_file"])
                        part = target.with_name(f".{target.name}.part")
                        _write_rejects(con, part, name)
                    raw.keep()
                    con.execute("COMMIT")
                    summary.update(imported=True, status=IMPORTED)
            except BaseException:
                if part is not None:
                    part.unlink(missing_ok=True)
                con.execute("ROLLBACK")
                raise
        finally:
            if parallel:
                con.execute("SET preserve_insertion_order = true")
        if part is not None:
            part.replace(Path(summary["rejects_file"]))  # a rename within one folder
        elif summary["rejects_file"]:  # refused by --strict: no import, so written once it is rolled back
            _write_rejects(con, Path(summary["rejects_file"]), name)
    finally:
        drop_temp(con)
    return summary


def _texts_to_score(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The distinct texts of the staged messages not owned (by the flag the loader gave them, the plan's rule)
    that no stored message has a score for: what the rebuild will most likely score (`update_sentiment`); none
    when they are more than AHEAD_TEXTS: the rebuild scores them, as it did, without a second copy of them all
    held in memory while the file merges."""
    rows = con.execute("SELECT DISTINCT s.text FROM stage_messages AS s ANTI JOIN (SELECT text FROM messages "
                       "WHERE sentiment IS NOT NULL) AS k ON s.text = k.text "
                       f"WHERE s.text IS NOT NULL AND NOT s.owned LIMIT {AHEAD_TEXTS + 1}").fetchall()
    return [] if len(rows) > AHEAD_TEXTS else [str(r[0]) for r in rows]


def _moved(counts: Counts, moved: int) -> Counts:
    """Rows re-homed from another account count as updated (the same rows, corrected), not as new."""
    shift = min(moved, counts.new)
    return Counts(new=counts.new - shift, updated=counts.updated + shift, duplicate=counts.duplicate,
                  lower=counts.lower)


def _staged(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], int]:
    """The rows of every staging table by name without `stage_` (rejects included), and the next import's id,
    in one statement (a UNION ALL: as scalar subqueries of one SELECT the counts cost three times what seven
    statements do)."""
    tables = list(STAGE_DDL)
    rows = dict(con.execute(" UNION ALL ".join(
        [f"SELECT {i} AS i, count(*) AS n FROM {t}" for i, t in enumerate(tables)]
        + [f"SELECT {len(tables)}, coalesce(max(import_id), 0) + 1 FROM imports"])).fetchall())
    return {t.removeprefix("stage_"): int(rows[i]) for i, t in enumerate(tables)}, int(rows[len(tables)])


def _prepare_all(con: duckdb.DuckDBPyConnection, loaded: Loaded, staged: dict[str, int]) -> dict[str, Prepared | None]:
    """The merge of every staging table with rows, the primary one first (its counts are the file's)."""
    primary = loaded.primary
    tables = [primary] + [t for t, n in staged.items() if t not in (primary, "rejects") and n]
    return {t: prepare(con, SPECS[t], staged[t], unique_lines=loaded.unique_lines and t == primary) for t in tables}


def _summary(ws: WorkspaceFiles, name: str, source: str, counts: Counts, import_id: int,
             rejected: int) -> dict[str, Any]:
    """The file's line of cli.md's `ingest --format json`, naming its rejects file if there are rejects."""
    summary: dict[str, Any] = {
        "file": name, "source": source, "rows_read": counts.new + counts.updated + counts.duplicate + rejected,
        "rows_new": counts.new, "rows_updated": counts.updated, "rows_duplicate": counts.duplicate,
        "rows_rejected": rejected, "rejects_file": None, "import_id": import_id,
        "rows_lower_figures": counts.lower}
    if rejected:
        summary["rejects_file"] = str(_rejects_path(ws, name, import_id))
    return summary


def _record(con: duckdb.DuckDBPyConnection, import_id: int, name: str, digest: str, raw_digest: str | None,
            size: int, options: dict[str, Any], by: str | None, summary: dict[str, Any], stamp: str | None) -> None:
    """The import's row of the log (and its rejects); `raw_digest`: the sha256 of its redacted raw copy."""
    values = {"import_id": import_id, "file": name, "sha256": digest, "source": summary["source"],
              "started_at": dt.datetime.now(dt.UTC).replace(tzinfo=None), "rows_read": summary["rows_read"],
              "rows_new": summary["rows_new"], "rows_updated": summary["rows_updated"],
              "rows_duplicate": summary["rows_duplicate"], "rows_rejected": summary["rows_rejected"],
              "rejects_file": summary["rejects_file"], "options": json.dumps(options, sort_keys=True), "bytes": size,
              "imported_by": by or importlog.current_user(), "rows_lower_figures": summary["rows_lower_figures"],
              "stamp": stamp, "raw_sha256": raw_digest}
    # Values as literals: binding them as parameters imports pandas (sqltext).
    con.execute("INSERT INTO imports BY NAME SELECT " + ", ".join(f"{sql_literal(v)} AS {k}"
                                                                  for k, v in values.items()))
    if raw_digest is not None:  # the redacted copy replaces the one earlier imports of the same file kept
        raw = string_literal(raw_digest)
        con.execute(f"UPDATE imports SET raw_sha256 = {raw} WHERE sha256 = {string_literal(digest)} "
                    f"AND raw_sha256 IS DISTINCT FROM {raw}")
    if summary["rows_rejected"]:
        con.execute(f"INSERT INTO rejects BY NAME SELECT {int(import_id)} AS import_id, {string_literal(name)} AS "
                    f"file, line, reason, raw, {sql_literal(summary['source'])} AS source FROM stage_rejects")


def _rejects_path(ws: WorkspaceFiles, name: str, import_id: int | None, digest: str = "") -> Path:
    """Where a file's rejected rows go: `00012-posts.rejects.csv` for import 12 (`undone-00012-...` once it is
    undone: importlog.undo); a file refused by --strict, which is no import, `refused-<sha256 prefix>-posts.rejects.csv`
    (the same file refused again, the same name)."""
    stem = Path(name.rpartition("!")[2]).stem
    prefix = f"{import_id:05d}" if import_id is not None else f"refused-{digest[:12]}"
    return ws.state_dir / "rejects" / f"{prefix}-{stem}.rejects.csv"


def _write_rejects(con: duckdb.DuckDBPyConnection, out: Path, name: str) -> None:
    """The staged rejected rows of one file as CSV (file, line, reason, raw) next to the warehouse."""
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY (SELECT {string_literal(name)} AS file, line, reason, raw FROM stage_rejects ORDER BY line) "
                f"TO {string_literal(out)} (HEADER, DELIMITER ',')")


def _cleanup(sf: SourceFile) -> None:
    if sf.text_path != sf.path:
        sf.text_path.unlink(missing_ok=True)


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


def list_imports(ws: WorkspaceFiles) -> list[dict[str, Any]]:
    """The import log, oldest first (see importlog.listing); empty before the first import."""
    if not ws.warehouse_path.exists():
        return []
    con = open_duckdb(ws.warehouse_path)
    try:
        return importlog.listing(con)
    finally:
        con.close()


def undo_import(ws: WorkspaceFiles, import_id: int, *, by: str | None = None) -> dict[str, Any]:
    """Take one import back (importlog.undo) under the workspace lock, then rebuild the derived tables."""
    if not ws.warehouse_path.exists():
        raise UsageError(f"there is no import #{import_id}: nothing was imported into {ws.root} yet")
    plan = _plan(ws)
    with workspace_lock(ws.state_dir, doing=f"undoing import #{import_id}"):
        con = open_duckdb(ws.warehouse_path)
        try:
            con.execute("SET enable_progress_bar = false")
            summary = importlog.undo(con, import_id, by, rejects_dir=ws.state_dir / "rejects")
            from strategyfirst.warehouse import derive

            derive.refresh(con, plan, force="messages" in summary["by_table"])
            return summary
        finally:
            con.close()
