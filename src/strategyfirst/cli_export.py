"""The `export` command, and the engine options of `measure` (--engine, --data, --spark-remote/-master).

Both are thin over `strategyfirst.scale`; `register` adds `export` to the main Typer app, and `cli_measure`
takes the option declarations below so that `measure` reads a Parquet export on DuckDB or Spark.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import WsOpt, require_workspace
from strategyfirst.dates import check_range
from strategyfirst.errors import UsageError
from strategyfirst.workspace import Workspace

if TYPE_CHECKING:
    from strategyfirst.metrics import MeasureResult



class ExportFormat(StrEnum):
    parquet = "parquet"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="duckdb (the workspace's warehouse, or --data on DuckDB) or spark (reads --data).")]
DataOpt = Annotated[Path | None, typer.Option(
    "--data", help="A Parquet export (strategyfirst export) to measure instead of the warehouse.")]
RemoteOpt = Annotated[str | None, typer.Option(
    "--spark-remote", help="Spark Connect server, sc://HOST:PORT (with --engine spark).")]
MasterOpt = Annotated[str | None, typer.Option(
    "--spark-master", help="Spark master URL, e.g. spark://HOST:7077 (default local[*]).")]


def measure_with_engine(ws_path: Path, engine: Engine, data: Path | None, spark_remote: str | None,
                        spark_master: str | None, *, by: str, period: str, since: dt.date | None,
                        until: dt.date | None, metrics: list[str] | None, platforms: list[str] | None = None,
                        accounts: list[str] | None = None) -> MeasureResult:
    """`Workspace.measure`, or `measure_parquet` when an engine other than the warehouse is asked for."""
    check_range(since, until)
    if engine is Engine.duckdb and data is None:
        if spark_remote or spark_master:
            raise UsageError("--spark-remote and --spark-master go with --engine spark")
        require_workspace(ws_path)
        return Workspace(ws_path).measure(by=by, period=period, since=since, until=until, metrics=metrics,
                                          platforms=platforms, accounts=accounts)
    if data is None:
        raise UsageError("--engine spark reads a Parquet export: give --data DIR (write one with "
                         "`strategyfirst export --format parquet --out DIR`)")
    from strategyfirst.scale import measure_parquet

    return measure_parquet(data, engine=engine.value, spark_remote=spark_remote, spark_master=spark_master,
                           by=by, period=period, since=since, until=until, metrics=metrics,
                           platforms=platforms, accounts=accounts)


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `export` to `app`."""

    @app.command()
    def export(
        out_dir: Annotated[Path, typer.Option("--out", help="Folder to write (new, empty, or an earlier "
                                                             "export, which is replaced).")],
        fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="parquet")] = ExportFormat.parquet,
        ws_path: WsOpt = Path("."),
    ) -> None:
        """Write the warehouse's tables as Parquet (messages by platform and month) with a manifest."""
        manifest = Workspace(ws_path).export(out_dir, fmt.value)
        for name, entry in manifest.tables.items():
            typer.echo(f"{name}\t{entry['rows']}\t{len(entry['files'])} file(s)\t{entry['path']}")
        err.print(f"Wrote {escape(str(out_dir))}/manifest.json; measure it with `strategyfirst measure "
                  f"--engine spark --data {escape(str(out_dir))}`", highlight=False)
