"""Running at scale: export a workspace to Parquet, and measure an export on DuckDB or Spark.

The same metric registry runs on both engines; only where the tables come from changes::

    from strategyfirst import Workspace
    from strategyfirst.scale import measure_parquet

    Workspace("acme").export("acme-parquet")
    measure_parquet("acme-parquet", engine="spark", by="tactic", period="month").to_pandas()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.destination import check_parent
from strategyfirst.errors import UsageError

if TYPE_CHECKING:
    from strategyfirst.metrics import MeasureResult
    from strategyfirst.ports import WorkspaceFiles
    from strategyfirst.warehouse.export import Manifest

FORMATS = ("parquet",)


def export_workspace(ws: WorkspaceFiles, out: str | Path, fmt: str = "parquet") -> Manifest:
    """Refresh the derived tables of `ws` and write every table, the plan and a manifest to `out`."""
    from strategyfirst.warehouse import derive
    from strategyfirst.warehouse.engine import open_duckdb
    from strategyfirst.warehouse.export import export_parquet
    from strategyfirst.warehouse.lock import workspace_lock

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if not ws.warehouse_path.is_file():
        raise UsageError(f"{ws.root}: no warehouse yet; import exports first with `strategyfirst ingest`")
    check_parent(Path(out), "export")  # before the derived tables are refreshed: nothing is written
    document = ws.plan_or_none()
    plan = document.plan if document is not None else None
    plan_text = ws.plan_path.read_text(encoding="utf-8") if document is not None else None
    with workspace_lock(ws.state_dir):  # a refresh writes; an ingest may be writing too
        con = open_duckdb(ws.warehouse_path)
        try:
            con.execute("SET enable_progress_bar = false")
            derive.refresh(con, plan)  # export what `measure` would read: derived tables up to date
            return export_parquet(con, Path(out), plan_text=plan_text, source=str(ws.root))
        finally:
            con.close()


def measure_parquet(data: str | Path, *, engine: str = "duckdb", spark_remote: str | None = None,
                    spark_master: str | None = None, session: Any = None, by: str = "none",
                    period: str = "all", since: dt.date | str | None = None,
                    until: dt.date | str | None = None,
                    metrics: Sequence[str] | None = None, platforms: Sequence[str] | None = None,
                    accounts: Sequence[str] | None = None) -> MeasureResult:
    """Every metric (or those in `metrics`) over a Parquet export, on DuckDB or Spark (`session` to reuse);
    `platforms`/`accounts` narrow what the metrics read."""
    from strategyfirst.metrics import measure
    from strategyfirst.warehouse.dataset import Dataset, open_tables

    dataset = Dataset.open(data)
    tables = open_tables(dataset, engine, spark_remote=spark_remote, spark_master=spark_master,
                         session=session)
    return measure(tables, dataset.plan(), by, period, since, until, metrics, platforms=platforms,
                   accounts=accounts)
