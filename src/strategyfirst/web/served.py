"""A workspace as one server process serves it: reads go to a read-only snapshot of the warehouse (see
warehouse/snapshot.py), the plan is parsed once per version, writes (imports, undo) go to the warehouse
itself under the workspace lock and are followed by a new snapshot.

Every reader of the web app (the API, the pages, the report and diagnose through the `Workspace` methods they
call) sees one DuckDB configuration, read-only, on the snapshot; no request opens the warehouse file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.cachefiles import file_stamp
from strategyfirst.errors import PlanError
from strategyfirst.plan import PlanDocument
from strategyfirst.plan.document import loads
from strategyfirst.warehouse.snapshot import Snapshot, SnapshotKeeper, Writer
from strategyfirst.web.paths import file_name
from strategyfirst.workspace import Workspace

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from strategyfirst.appdb import PlanVersion
    from strategyfirst.capacity import CapacityPlan
    from strategyfirst.metrics import MeasureResult
    from strategyfirst.metrics.cached import PlanFacts
    from strategyfirst.metrics.funnel import FunnelReport
    from strategyfirst.metrics.tables import Tables
    from strategyfirst.plan import Plan
    from strategyfirst.warehouse.ingest import IngestResult

# The (by, period) of a /measure kept compiled by a serving process's warm-up (`ServedWorkspace.precompile`): the
# API's groupings by month, week and over all data (the dashboard's own measures name dates)
STANDARD_GROUPINGS = tuple((by, period) for by in ("none", "account", "platform", "tactic", "objective")
                           for period in ("all", "week", "month"))


class PlanCache:
    """The workspace's plan parsed once per version: keyed by the file's (inode, size, mtime), then by a hash
    of its content (a file rewritten with the same text is not parsed again)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._by_stat: tuple[Any, str, PlanDocument | PlanError | None] | None = None
        self._by_hash: dict[str, PlanDocument | PlanError] = {}

    def stamp(self) -> tuple[int, int, int] | None:
        return file_stamp(self.path)

    def fresh(self) -> bool:
        """True when the plan file as it is now has been read (`version` needs no parse)."""
        known = self._by_stat
        return known is not None and known[0] == self.stamp()

    def version(self) -> str:
        """The content hash of the plan file ('' when there is none)."""
        return self._get()[1]

    def document(self) -> PlanDocument | None:
        """The parsed plan (None without a plan file); raises the cached PlanError when it does not parse."""
        found = self._get()[2]
        if isinstance(found, PlanError):
            raise found
        return found

    def _get(self) -> tuple[Any, str, PlanDocument | PlanError | None]:
        stamp = self.stamp()
        known = self._by_stat
        if known is not None and known[0] == stamp:
            return known
        with self._lock:
            if stamp is None:
                entry: tuple[Any, str, PlanDocument | PlanError | None] = (None, "", None)
            else:
                try:
                    raw = self.path.read_bytes()
                except OSError:
                    raw = b""
                digest = hashlib.sha256(raw).hexdigest()
                if digest not in self._by_hash:
                    self._by_hash = {digest: self._parse(raw)}  # only the current version is kept
                entry = (stamp, digest, self._by_hash[digest])
            self._by_stat = entry
            return entry

    def _parse(self, raw: bytes) -> PlanDocument | PlanError:
        from strategyfirst.plan.document import load

        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return load(self.path)  # the located decoding error
            except PlanError as exc:
                return exc
        try:
            return loads(text, self.path.name)
        except PlanError as exc:
            return exc


class ServedWorkspace(Workspace):
    """`Workspace` for the server: reads from the current snapshot through this thread's cursor."""

    def __init__(self, path: str | Path, *, db_url: str | None = None) -> None:
        super().__init__(path, db_url=db_url)
        self.plans = PlanCache(self.plan_path)
        self.snapshots = SnapshotKeeper(self.warehouse_path, self.state_dir, self._plan_for_snapshot)
        self._recorded: dict[str, PlanVersion | None] = {}
        self._plan_facts: tuple[str, PlanFacts] | None = None  # (plan version, its facts) for measure

    # --- plan --------------------------------------------------------------------------------------------
    def plan_document(self, path: str | Path | None = None) -> PlanDocument:
        if path is not None and Path(path).resolve() != self.plan_path:
            return super().plan_document(path)
        document = self.plans.document()
        if document is None:
            return super().plan_document()  # the located "cannot read the plan" error
        return document

    def plan_or_none(self) -> PlanDocument | None:
        return self.plans.document()

    def _plan_for_snapshot(self) -> Plan | None:
        document = self.plans.document()
        return document.plan if document is not None else None

    def record_plan(self, path: str | Path | None = None, *, loads: bool = False) -> PlanVersion | None:
        """Record the plan file as a version once per version of it (not on every request)."""
        if path is not None:
            return super().record_plan(path, loads=loads)
        version = self.plans.version()
        if version not in self._recorded:
            recorded = super().record_plan(loads=loads)
            self._recorded = {version: recorded}
        return self._recorded[version]

    def _diagnosis_key(self, as_of: dt.date | None, seed: int) -> dict[str, Any] | None:
        return None  # the server reads a snapshot, not the file the on-disk key names: services.cached keeps it

    # --- reading the snapshot ----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        return self.snapshots.current()

    def versions_ready(self) -> bool:
        """True when the data and plan versions (`services.stamp`) can be read without waiting: a snapshot is
        open and the plan file as it is now is parsed."""
        return self.snapshots.started and self.plans.fresh()

    def writer(self) -> Writer | None:
        """The import (or other write) running now, in this process or another."""
        return self.snapshots.writer()

    def has_data(self) -> bool:
        return self.snapshot().has_data

    def _backend(self) -> Any:
        return self.snapshot().backend()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read of the snapshot (none before the first import)."""
        cur = self.snapshot().cursor().execute(sql, list(params))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query_columns(self, sql: str) -> dict[str, Any]:
        """The columns of a read of the snapshot as numpy arrays (`Workspace.query_columns`)."""
        return dict(self.snapshot().cursor().execute(sql).fetchnumpy())

    def _tables(self) -> Tables:
        """The warehouse's tables over this thread's cursor, looked up once per thread and snapshot."""
        from strategyfirst.metrics.tables import Tables

        snapshot = self.snapshot()
        tables: Tables = snapshot.local("tables", lambda: Tables.of(snapshot.backend()))
        return tables

    def table(self, name: str) -> ir.Table:
        from dataclasses import fields

        from strategyfirst.metrics.tables import Tables

        found = getattr(self._tables(), name) if name in {f.name for f in fields(Tables)} else None
        return found if found is not None else self._backend().table(name)

    def measure(self, by: str = "none", period: str = "all", since: dt.date | str | None = None,
                until: dt.date | str | None = None, metrics: Sequence[str] | None = None, *,
                platforms: Sequence[str] | None = None, accounts: Sequence[str] | None = None) -> MeasureResult:
        """Measured on the snapshot by the SQL `Workspace.measure` keeps in `.strategyfirst/cache/` (keyed by
        code, schema, what the SQL reads of the plan and arguments, not by data: the first request after an
        import or a KPI edit runs the SQL kept before it), compiled with Ibis only when there is none."""
        from strategyfirst.metrics import args
        from strategyfirst.metrics.cached import CACHE_DIR, measure_sql
        from strategyfirst.metrics.compiled import Store

        document = self.plan_or_none()
        self.record_plan()
        plan = document.plan if document else None
        request = args.request(by, period, since, until, metrics, platforms=platforms, accounts=accounts,
                               has_tactics=plan is not None and bool(plan.tactics))
        snapshot = self.snapshot()
        if not snapshot.has_data:  # an empty in-memory warehouse: nothing worth keeping
            from strategyfirst.metrics.measure import measure_request

            return measure_request(self._tables(), plan, request)
        return _file_names_only(measure_sql(snapshot.cursor(), request, self._facts(plan), lambda: plan,
                                            Store(self.state_dir / CACHE_DIR), snapshot.backend))

    def _facts(self, plan: Plan | None) -> PlanFacts:
        """The facts of the current plan version (`plan`, parsed), kept while it is current."""
        from strategyfirst.metrics.cached import PlanFacts

        version = self.plans.version()
        known = self._plan_facts
        if known is None or known[0] != version or known[1].plan is not plan:
            known = self._plan_facts = (version, PlanFacts.of(plan, version or None))
        return known[1]

    def precompile(self, groupings: Sequence[tuple[str, str]] | None = None) -> int:
        """Keep the SQL of a /measure of every metric by each (by, period) of `groupings` (STANDARD_GROUPINGS by
        default; those by tactic or objective only with a plan of tactics), without dates or filters, where none
        is kept yet: compiled, not run, so that such a request's first answer runs kept SQL (62-127 ms on the
        demo against 250-360 compiling). Nothing without data. Returns how many were compiled."""
        from strategyfirst.metrics import args
        from strategyfirst.metrics.cached import CACHE_DIR, precompile
        from strategyfirst.metrics.compiled import Store

        snapshot = self.snapshot()
        if not snapshot.has_data:
            return 0
        document = self.plan_or_none()
        plan = document.plan if document else None
        tactics = plan is not None and bool(plan.tactics)
        requests = [args.request(by, period, has_tactics=tactics) for by, period in groupings or STANDARD_GROUPINGS
                    if tactics or by not in ("tactic", "objective")]
        if os.getpid() % 2:  # the processes of `serve --workers N` (started one after another) meet halfway
            requests.reverse()
        return precompile(snapshot.cursor(), requests, self._facts(plan), lambda: plan,
                          Store(self.state_dir / CACHE_DIR), snapshot.backend)

    @contextlib.contextmanager
    def _one_connection(self) -> Iterator[None]:
        """Nothing to hold: `measure` and `query` read the snapshot (a diagnosis never opens the live file)."""
        yield

    def audience_growth(self, since: dt.date | str | None = None,
                        until: dt.date | str | None = None) -> list[dict[str, Any]]:
        """The report's audience growth per account, read from the snapshot (not the live file the workspace's
        kept SQL would open)."""
        from strategyfirst.metrics.measure import audience_growth_by_account

        document = self.plan_or_none()
        return audience_growth_by_account({"audience": self.table("audience")},
                                          document.plan if document else None, since, until)

    def funnel(self, since: dt.date | str | None = None, until: dt.date | str | None = None) -> FunnelReport:
        """The permission funnel, read from the snapshot (empty before the first import)."""
        from strategyfirst.metrics.funnel import FunnelReport as Report
        from strategyfirst.metrics.funnel import funnel

        if not self.has_data():
            return Report(None, None)
        document = self.plan_or_none()
        return funnel(self._backend(), document.plan if document else None, since, until)

    def warm_up(self) -> None:
        """Load what measure needs in this process, by measuring one metric (no plan version recorded)."""
        from strategyfirst.metrics import measure

        document = self.plan_or_none()
        measure(self._tables(), document.plan if document else None, metric_ids=["inbound_messages"])

    def capacity(self, service_level: float = 0.9, target_minutes: float | None = None) -> CapacityPlan:
        from strategyfirst.capacity import capacity_for, volume_from_connection
        from strategyfirst.capacity.volume import empty_volume

        document = self.plan_document()
        plan = document.plan
        response = plan.readiness.response if plan.readiness else None
        snapshot = self.snapshot()
        volume = (volume_from_connection(snapshot.cursor(), response.timezone if response else "UTC")
                  if snapshot.has_data else
                  empty_volume("no warehouse yet: run `strategyfirst ingest` to measure inbound volume"))
        return capacity_for(plan, volume, service_level=service_level, target_minutes=target_minutes,
                            document=document)

    def imports(self) -> list[dict[str, Any]]:
        from strategyfirst.warehouse import importlog

        snapshot = self.snapshot()
        return importlog.listing(snapshot.cursor()) if snapshot.has_data else []

    # --- writing the warehouse, then a new snapshot ------------------------------------------------------
    def ingest(self, files: Sequence[str | Path] | str | Path, *, source: str = "auto", account: str | None = None,
               strict: bool = False, keep_going: bool = False, platform: str | None = None,
               rates: dict[str, float] | None = None, exported_on: str | None = None,
               year: int | None = None, by: str | None = None,
               names: Mapping[Path, str] | None = None) -> IngestResult:
        try:
            return super().ingest(files, source=source, account=account, strict=strict, keep_going=keep_going,
                                  platform=platform, rates=rates, exported_on=exported_on, year=year, by=by,
                                  names=names)
        finally:
            self.snapshots.refresh(wait=True)  # the uploader reads what they imported

    def undo_import(self, import_id: int) -> dict[str, Any]:
        try:
            return super().undo_import(import_id)
        finally:
            self.snapshots.refresh(wait=True)


def _file_names_only(result: MeasureResult) -> MeasureResult:
    """The imports of the data quality counts named by their files' names: the import log keeps the path a file
    was imported from on the command line, but no page, report or API answer shows a server path (web.md)."""
    rows = result.data_quality.get("rejected_by_import")
    if not rows:
        return result
    quality = {**result.data_quality, "rejected_by_import": [{**r, "file": file_name(r.get("file"))} for r in rows]}
    return dataclasses.replace(result, data_quality=quality)
