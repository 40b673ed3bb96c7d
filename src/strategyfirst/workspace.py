"""The public library API: one `Workspace` per organisation folder; the CLI and web app are thin over it.

Each method is one call into its layer; the layers own the work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.cachefiles import file_stamp
from strategyfirst.errors import WorkspaceError
from strategyfirst.ports import WorkspaceFolder

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    import ibis.expr.types as ir

    from strategyfirst.appdb import AppDB, PlanVersion
    from strategyfirst.capacity import CapacityPlan
    from strategyfirst.diagnose import Diagnosis
    from strategyfirst.metrics import MeasureResult
    from strategyfirst.metrics.funnel import FunnelReport
    from strategyfirst.plan import Plan, PlanDocument
    from strategyfirst.readiness import ReadinessScore
    from strategyfirst.warehouse.export import Manifest
    from strategyfirst.warehouse.ingest import IngestResult

class Workspace(WorkspaceFolder):
    """A folder holding `strategy.yaml` and the `.strategyfirst/` state, and the library API over it: each CLI
    command is one call of a method here. The folder's paths live in `ports.WorkspaceFolder`, which the lower
    layers take instead of this facade."""

    def __init__(self, path: str | Path = ".", *, db_url: str | None = None) -> None:
        super().__init__(path, db_url=db_url)
        self._plans: dict[Path, tuple[tuple[int, int, int], PlanDocument]] = {}
        self._held: Any = None  # the warehouse connection `_one_connection` holds for `measure` and `query`

    @property
    def slug(self) -> str:
        """URL-safe id: the one remembered with the app database (workspace.json), else the folder name's."""
        from strategyfirst.appdb.lite import bound_slug

        found = bound_slug(self)  # the usual binding, to the workspace's own SQLite file: no SQLAlchemy import
        if found is not None:
            return found
        from strategyfirst.appdb.binding import remembered_slug

        return remembered_slug(self)

    def ensure(self) -> Workspace:
        """Create the folder and its state directory if missing."""
        super().ensure()
        return self

    # --- plan ---------------------------------------------------------------------------------------------
    def init(self) -> Workspace:
        """Create the folder with the commented starter strategy.yaml (`strategyfirst init`); never overwrites
        a plan."""
        from strategyfirst.plan.starter import starter_plan_text

        if self.plan_path.exists():
            raise WorkspaceError(f"{self.plan_path} already exists; `init` never overwrites a plan (edit it, or "
                                 "choose another folder)")
        self.ensure()
        self.plan_path.write_text(starter_plan_text(), encoding="utf-8")
        return self

    def has_plan(self) -> bool:
        return self.plan_path.is_file()

    def plan_document(self, path: str | Path | None = None) -> PlanDocument:
        """Load and validate the plan (raises PlanError with located problems). Parsed once per version of the
        file in this Workspace: a diagnosis or a report reads it a dozen times."""
        from strategyfirst.plan import load as load_plan

        target = Path(path) if path is not None else self.plan_path
        before = file_stamp(target)
        known = self._plans.get(target)
        if before is not None and known is not None and known[0] == before:
            return known[1]
        document = load_plan(target)
        if before is not None and file_stamp(target) == before:  # not rewritten while it was read
            self._plans[target] = (before, document)
        return document

    def plan_or_none(self) -> PlanDocument | None:
        return self.plan_document() if self.has_plan() else None

    def lint(self, path: str | Path | None = None, *, as_of: dt.date | None = None) -> Any:
        """Lint the plan; returns a `strategyfirst.lint.LintReport`. The workspace's own plan's report is kept
        by what it depends on (lint_cache.py) and read back while plan, day, data and code are unchanged."""
        from strategyfirst import lint_cache

        day = as_of or dt.date.today()
        own = path is None or Path(path).resolve() == self.plan_path
        wanted = lint_cache.key(self.plan_path, self.warehouse_path, day) \
            if own and lint_cache.built_in_rules_only() else None
        kept = lint_cache.load(self.state_dir, wanted)
        if kept is not None:
            self.note_plan(path)  # as a lint made now would
            return kept
        from strategyfirst.lint import lint_document

        document = self.plan_document(path)
        self.note_plan(path)
        spend = self._spend_by_campaign()
        report = lint_document(document, as_of=day, spend=spend)
        if spend is not None or not self.warehouse_path.is_file():  # else the data rules could not run
            lint_cache.store(self.state_dir, wanted, report, self.warehouse_path)
        return report

    def _spend_by_campaign(self) -> list[tuple[str, float, str | None]] | None:
        """(campaign, amount, currency) of the stored spend no tactic is named for, for lint's data rules;
        None without a warehouse or when it cannot be read now (lint then checks the plan alone)."""
        if not self.warehouse_path.is_file():
            return None
        from strategyfirst.warehouse.engine import open_duckdb

        try:
            con = open_duckdb(self.warehouse_path, read_only=True)
        except Exception:  # locked by an import, or unreadable: the plan's own rules still run
            return None
        try:
            rows = con.execute("SELECT campaign, sum(amount), currency FROM spend WHERE tactic IS NULL AND "
                               "campaign IS NOT NULL GROUP BY ALL").fetchall()
        except Exception:
            return None
        finally:
            con.close()
        return [(str(c), float(a), cur) for c, a, cur in rows]

    # --- history (app database: plan versions, decisions; see strategyfirst.appdb) -------------------------
    def history_db(self, url: str | None = None) -> AppDB:
        """The app database holding this workspace's history; `.slug` is this workspace's slug in it."""
        from strategyfirst.appdb import open_appdb

        return open_appdb(self, url)

    def record_plan(self, path: str | Path | None = None, *, loads: bool = False) -> PlanVersion | None:
        """Store the current plan text as a plan version if new (lint, measure and diagnose call this);
        `loads`: the caller knows the text loads as a plan (it is then not parsed to check it)."""
        from strategyfirst.appdb import record_plan_seen

        return record_plan_seen(self, path, loads=loads)

    def note_plan(self, path: str | Path | None = None, *, loads: bool = False) -> None:
        """`record_plan` for commands that only need it done: skipped (no app database opened) when the
        marker says this exact text is already the current version (see `strategyfirst.plan_seen`)."""
        from strategyfirst import plan_seen

        if plan_seen.is_recorded(self, path):
            return
        if path is None or Path(path).resolve() == self.plan_path:  # through sqlite3 where it can (appdb.lite)
            from strategyfirst.appdb import lite

            db = lite.open_lite(self)
            if db is not None:
                with db:
                    recorded = lite.note_plan(self, db, loads=loads)
                if recorded:
                    plan_seen.remember(self, path)
                return
        if self.record_plan(path, loads=loads) is not None:
            plan_seen.remember(self, path)

    # --- data ---------------------------------------------------------------------------------------------
    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows of one SQL read of the warehouse, as dicts: no Ibis (values written as literals; binding
        Python parameters would make DuckDB import pandas)."""
        with self._reading() as con:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description or []]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query_columns(self, sql: str) -> dict[str, Any]:
        """The columns of one SQL read of the warehouse as numpy arrays (a list column: an array of arrays),
        for reads of many numbers: no Python object per value, as `query` makes."""
        with self._reading() as con:
            return dict(con.execute(sql).fetchnumpy())

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Any]:
        """The connection a read uses: the one `_one_connection` holds, else one opened for the read alone."""
        from strategyfirst.warehouse.engine import open_duckdb

        con = self._held if self._held is not None else open_duckdb(self.warehouse_path)
        try:
            yield con
        finally:
            if con is not self._held:
                con.close()

    @contextlib.contextmanager
    def _one_connection(self) -> Iterator[None]:
        """While inside, `measure` and `query` share one warehouse connection, opened here under the workspace
        lock (a diagnosis measures four times and reads twice: opening and checking the file each time cost
        more than some of the reads). Nothing is held without a warehouse file, or when already holding."""
        from strategyfirst.warehouse.engine import open_duckdb
        from strategyfirst.warehouse.lock import workspace_lock

        if self._held is not None or not self.warehouse_path.is_file():
            yield
            return
        with workspace_lock(self.state_dir):  # measure's refresh writes; an ingest may be writing too
            con = open_duckdb(self.warehouse_path)
            try:
                con.execute("SET enable_progress_bar = false")
                self._held = con
                yield
            finally:
                self._held = None
                con.close()

    def table(self, name: str) -> ir.Table:
        """A canonical or derived warehouse table as an Ibis table, for one's own analysis."""
        from strategyfirst.warehouse.engine import connect

        return connect(self.warehouse_path).table(name)

    def ingest(self, files: Sequence[str | Path] | str | Path, *, source: str = "auto", account: str | None = None,
               strict: bool = False, keep_going: bool = False, platform: str | None = None,
               rates: dict[str, float] | None = None, exported_on: str | None = None,
               year: int | None = None, by: str | None = None,
               names: Mapping[Path, str] | None = None) -> IngestResult:
        """Import export files (or one file) into the warehouse, each in its own transaction; see `strategyfirst
        sources`. A file that fails does not stop the others; its error is raised at the end, or, with
        `keep_going`, reported in the result (`status` "failed", `error`). An identical file imported before
        with the same options is not imported again (`status` "already imported"). `rates` ({"UAH": 0.024}:
        1 UAH in the plan's currency) convert spend in another currency; `exported_on` (YYYY-MM-DD) dates the
        snapshot of member exports; `by` names who imports in the import log (default: the OS user); `names`
        calls a file something else than its path there and in the result (an upload: the name it had)."""
        from strategyfirst.warehouse.ingest import ingest_files

        result = ingest_files(self, files, source=source, account=account, strict=strict, keep_going=keep_going,
                              platform=platform, rates=rates, exported_on=exported_on,
                              year=year, by=by, names=names)
        self.note_plan_facts(result)
        return result

    def ingest_groups(self, groups: Sequence[tuple[Sequence[str | Path] | str | Path, dict[str, Any]]], *,
                      strict: bool = False, keep_going: bool = False, by: str | None = None) -> IngestResult:
        """`ingest` of several groups of files, each with its own options ({"account": ..., "year": ...}: the
        keyword arguments of `ingest` that shape what a file imports as), in one go: the derived tables are
        refreshed once, after the last file, instead of once per group."""
        from strategyfirst.warehouse.ingest import ingest_groups

        result = ingest_groups(self, groups, strict=strict, keep_going=keep_going, by=by)
        self.note_plan_facts(result)
        return result

    def note_plan_facts(self, result: IngestResult) -> None:
        """After an import that stored rows: what `measure` needs of the plan text the import read, recorded in
        the warehouse (`metrics.cached.note_facts`), so that the first measurement parses no plan. Best effort:
        a failure here costs that measurement the parse, never the import."""
        if not any(f.get("status") == "imported" for f in result.files) or not self.warehouse_path.is_file():
            return
        from strategyfirst.metrics.cached import note_facts
        from strategyfirst.warehouse.engine import open_duckdb
        from strategyfirst.warehouse.lock import workspace_lock

        try:
            with workspace_lock(self.state_dir, 1.0):  # not waiting behind another long command
                con = open_duckdb(self.warehouse_path)
                try:
                    note_facts(con, self.plan_path, self.state_dir, self._parsed_plan())
                finally:
                    con.close()
        except Exception:  # the import is done and reported; this only saves a later measurement time
            return

    def _parsed_plan(self) -> tuple[str, Plan] | None:
        """The text and plan of the plan file as this Workspace last parsed it (an import's), if it did."""
        known = self._plans.get(self.plan_path)
        return (known[1].text, known[1].plan) if known is not None else None

    def imports(self) -> list[dict[str, Any]]:
        """The import log, oldest first: id, file name, source, options, when, by whom, counts, undone."""
        from strategyfirst.warehouse.ingest import list_imports

        return list_imports(self)

    def undo_import(self, import_id: int) -> dict[str, Any]:
        """Take an import back: the rows it added removed, the values it updated restored, in one transaction;
        refused (UsageError) while a later import changed rows it wrote. Returns what was removed/restored."""
        from strategyfirst.warehouse.ingest import undo_import

        return undo_import(self, import_id)

    # --- measure (issue 4; the computation lives in strategyfirst.metrics) -----------------------------------
    def measure(self, by: str = "none", period: str = "all", since: dt.date | str | None = None,
                until: dt.date | str | None = None, metrics: Sequence[str] | None = None, *,
                platforms: Sequence[str] | None = None, accounts: Sequence[str] | None = None) -> MeasureResult:
        """Every metric (or those in `metrics`) by `by` and `period`, optionally only for some `platforms` and
        `accounts`; refreshes stale derived tables first. The compiled SQL of each measurement is kept in
        `.strategyfirst/cache/` (safe to delete) and run again without Ibis while code, schema, plan and
        arguments are the same, new data included (`strategyfirst.metrics.cached`)."""
        from strategyfirst.metrics.cached import facts_in_warehouse, kept_facts, measure_warehouse, plan_facts
        from strategyfirst.warehouse.engine import open_duckdb
        from strategyfirst.warehouse.lock import workspace_lock

        # The plan's facts: kept in the cache; else, in a warehouse, as the last import recorded them for this
        # text (read once the warehouse is open); else parsed (PlanError for an invalid plan, as before).
        # The plan text is recorded as a version once its facts are known: facts come only from a text that
        # loaded (parsed now, or by the import that kept them), so it is not parsed again to be checked.
        facts = kept_facts(self.plan_path, self.state_dir)
        if facts is None and not self.warehouse_path.is_file():
            facts = plan_facts(self.plan_path, self.state_dir)
        if self._held is not None:  # inside `_one_connection`: the lock is held already
            facts = facts or facts_in_warehouse(self._held, self.plan_path, self.state_dir)
            self.note_plan(loads=True)
            return measure_warehouse(self._held, facts, self.plan_path, self.state_dir, by=by, period=period,
                                     since=since, until=until, metrics=metrics, platforms=platforms,
                                     accounts=accounts)
        with workspace_lock(self.state_dir):  # a refresh writes; an ingest may be writing too
            con = open_duckdb(self.warehouse_path)
            try:
                con.execute("SET enable_progress_bar = false")  # stdout carries the result
                if facts is None:
                    facts = facts_in_warehouse(con, self.plan_path, self.state_dir)
                self.note_plan(loads=True)  # the app database, not the warehouse: no lock of its own
                return measure_warehouse(con, facts, self.plan_path, self.state_dir, by=by, period=period,
                                         since=since, until=until, metrics=metrics, platforms=platforms,
                                         accounts=accounts)
            finally:
                con.close()

    def funnel(self, since: dt.date | str | None = None, until: dt.date | str | None = None) -> FunnelReport:
        """The permission funnel overall and per tactic (metrics/funnel.py); refreshes stale derived tables.
        Its SQL is kept in `.strategyfirst/cache/` as a measurement's is (`strategyfirst.metrics.kept`)."""
        from strategyfirst.metrics.cached import plan_facts
        from strategyfirst.metrics.kept import funnel_warehouse
        from strategyfirst.warehouse.engine import open_duckdb
        from strategyfirst.warehouse.lock import workspace_lock

        facts = plan_facts(self.plan_path, self.state_dir)  # PlanError for an invalid plan, as before
        with workspace_lock(self.state_dir):
            con = open_duckdb(self.warehouse_path)
            try:
                con.execute("SET enable_progress_bar = false")
                return funnel_warehouse(con, facts, self.plan_path, self.state_dir, since, until)
            finally:
                con.close()

    def audience_growth(self, since: dt.date | str | None = None,
                        until: dt.date | str | None = None) -> list[dict[str, Any]]:
        """Each account's audience growth as `measure --by account` computes it, with its first and last
        snapshot (the report's permission-asset table; `metrics.measure.audience_growth_by_account`); its SQL
        is kept in `.strategyfirst/cache/` (`strategyfirst.metrics.kept`)."""
        from strategyfirst.metrics.cached import plan_facts
        from strategyfirst.metrics.kept import growth_warehouse
        from strategyfirst.warehouse.engine import open_duckdb

        facts = plan_facts(self.plan_path, self.state_dir)
        con = open_duckdb(self.warehouse_path)  # a read, as `query`'s
        try:
            return growth_warehouse(con, facts, self.plan_path, self.state_dir, since, until)
        finally:
            con.close()

    # --- export (issue 7; the work lives in strategyfirst.scale and warehouse/export.py) --------------------
    def export(self, out: str | Path, fmt: str = "parquet") -> Manifest:
        """Write every table, the plan and a manifest as Parquet to `out` (read by `measure --data`)."""
        from strategyfirst.scale import export_workspace

        return export_workspace(self, out, fmt)

    # --- diagnose -----------------------------------------------------------------------------------------
    def diagnose(self, as_of: dt.date | None = None, *, seed: int = 0) -> Diagnosis:
        """KPI status and forecasts, verdicts, budget proposals; as of the latest data by default. Its JSON is
        kept on disk for `diagnosis_json` (diagnosis_cache.py)."""
        return self._diagnose(as_of, seed, self._diagnosis_key(as_of, seed))

    def diagnosis_json(self, as_of: dt.date | None = None, *, seed: int = 0) -> dict[str, Any]:
        """`diagnose(as_of).to_json()` (the `diagnose --format json` shape), read from the on-disk cache when
        the data, the plan, the as-of and the code are those of a diagnosis made before."""
        from strategyfirst import diagnosis_cache

        found = diagnosis_cache.load(self.state_dir, self._diagnosis_key(as_of, seed))
        if found is not None:
            self.note_plan()  # as a diagnosis made now would
            return found
        result: dict[str, Any] = self.diagnose(as_of, seed=seed).to_json()
        return result

    def kept_diagnosis(self, as_of: dt.date | None = None, *,
                       seed: int = 0) -> tuple[Diagnosis, str | None] | None:
        """The diagnosis kept on disk for the current data, plan, as-of and code, with the plan's budget
        currency (what `diagnose`'s text shows), noting the plan as a diagnosis would; None when none is kept
        (then `diagnose`). Costs no DuckDB, numpy or plan parse."""
        from strategyfirst import diagnosis_cache
        from strategyfirst.diagnose.diagnosis import Diagnosis

        found = diagnosis_cache.load_kept(self.state_dir, self._diagnosis_key(as_of, seed))
        if found is None:
            return None
        try:
            diagnosis = Diagnosis.from_kept(found[0])
        except ValueError:  # not what this code keeps: diagnosed again and overwritten
            return None
        self.note_plan()
        return diagnosis, found[1]

    def _diagnose(self, as_of: dt.date | None, seed: int, wanted: dict[str, Any] | None) -> Diagnosis:
        from strategyfirst import diagnosis_cache
        from strategyfirst.diagnose import diagnose

        self.note_plan()
        with self._one_connection():  # closed before the data version is compared with the key's
            result = diagnose(self, as_of, seed=seed)
        budget = self.plan_document().plan.budget  # parsed once per version: the one diagnose read
        diagnosis_cache.store(self.state_dir, wanted, result.to_json(), self.warehouse_path, result.to_kept(),
                              budget.currency if budget is not None else None, plan=self.plan_path)
        return result

    def _diagnosis_key(self, as_of: dt.date | None, seed: int) -> dict[str, Any] | None:
        """The on-disk cache key of a diagnosis (taken before it is made); None: not cached."""
        from strategyfirst import diagnosis_cache

        return diagnosis_cache.key(self.plan_path, self.warehouse_path, as_of.isoformat() if as_of else None,
                                   seed)

    # --- report -------------------------------------------------------------------------------------------
    def report(self, path: str | Path | None = None, *, as_of: dt.date | None = None) -> Path:
        """Write the self-contained HTML report (default `report.html` in the workspace); returns its path."""
        from strategyfirst.report import write_report

        return write_report(self, path, as_of)

    # --- readiness and capacity (issue 8) -----------------------------------------------------------------
    def readiness(self) -> ReadinessScore:
        """Score the plan's readiness answers per dimension, with what to do about each gap."""
        from strategyfirst.readiness import score_readiness

        return score_readiness(self.plan_document().plan)

    def capacity(self, service_level: float = 0.9, target_minutes: float | None = None) -> CapacityPlan:
        """People needed per hour of the week (Erlang C) against the declared staffing, and the gaps."""
        from strategyfirst.capacity import plan_capacity

        return plan_capacity(self, service_level=service_level, target_minutes=target_minutes)




def new_workspace(parent: str | Path, name: str, db: AppDB, owner: str) -> Workspace:
    """A new workspace `parent/name` in `db` as `init` makes it (the starter plan), registered under `name`
    (its slug, checked as `check_slug` does), with `owner` (an existing user's email) as its owner. Nothing is
    left behind when a step fails."""
    import shutil

    from strategyfirst.appdb.binding import check_slug, write_binding
    from strategyfirst.errors import UsageError

    name = check_slug(name)
    if db.workspace(name) is not None:
        raise UsageError(f"name: a workspace named {name!r} already exists; choose another name")
    folder = Path(parent).resolve() / name
    if folder.exists():
        raise UsageError(f"name: a folder named {name!r} already exists where new workspaces are made; choose "
                         "another name")
    ws = Workspace(folder, db_url=db.url)
    try:
        ws.init()
        db.add_workspace(ws.root, name)
        try:
            write_binding(ws, db.url, name)
            db.add_user(owner, None, "owner", name)
        except BaseException:
            db.delete_workspace(name)
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ws
