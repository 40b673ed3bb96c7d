"""The `measure` command, registered on the main Typer app by `register`: thin over `Workspace.measure`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from strategyfirst.cli_export import DataOpt, Engine, EngineOpt, MasterOpt, RemoteOpt, measure_with_engine
from strategyfirst.cli_options import HERE, WsOpt


class By(StrEnum):
    none = "none"
    objective = "objective"
    tactic = "tactic"
    account = "account"
    platform = "platform"


class Period(StrEnum):
    all = "all"
    day = "day"
    week = "week"
    month = "month"


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _shown(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value:.1%}" if abs(value) < 10 else f"{value:.2f}"
    if unit == "count":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if unit in ("minutes", "currency"):
        return f"{value:,.1f}" if unit == "minutes" else f"{value:,.2f}"
    return f"{value:.3f}"


def quality_lines(quality: dict[str, Any]) -> list[str]:
    """The data-quality counts in words, one line each."""
    lines = [f"rows rejected at import: {quality.get('rows_rejected', 0)}"]
    for r in quality.get("rejected_by_import", []):
        lines.append(f"  {r['file']} ({r['source']}): {r['rows_rejected']} rejected")
    lines += [f"negative reply gaps (excluded from response times): {quality.get('negative_reply_gaps', 0)}",
              f"messages with no timestamp: {quality.get('messages_without_timestamp', 0)}",
              f"replies whose parent is missing: {quality.get('replies_with_missing_parent', 0)}"]
    unattributed = quality.get("owned_unattributed")
    lines.append("owned messages attributed to no tactic: "
                 + ("n/a (no plan tactics)" if unattributed is None else str(unattributed)))
    return lines


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `measure` to `app`."""

    @app.command()
    def measure(
        by: Annotated[By, typer.Option("--by", help="Group by scope.")] = By.none,
        period: Annotated[Period, typer.Option("--period", help="Bucket on created_at (UTC; ISO weeks).")]
        = Period.all,
        since: Annotated[dt.datetime | None, typer.Option(
            "--since", formats=["%Y-%m-%d"], help="First day included.")] = None,
        until: Annotated[dt.datetime | None, typer.Option(
            "--until", formats=["%Y-%m-%d"], help="Last day included.")] = None,
        metric: Annotated[list[str] | None, typer.Option(
            "--metric", help="Metric id (repeatable; default: every metric of the registry).")] = None,
        fmt: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
        ws_path: WsOpt = HERE,
        engine: EngineOpt = Engine.duckdb,
        data: DataOpt = None,
        spark_remote: RemoteOpt = None,
        spark_master: MasterOpt = None,
    ) -> None:
        """Metric values by scope and period, with the data-quality counts behind them."""
        from strategyfirst.metrics.result import COLUMNS

        result = measure_with_engine(  # the warehouse, or a Parquet export on DuckDB or Spark (cli_export)
            ws_path, engine, data, spark_remote, spark_master, by=by.value, period=period.value,
            since=since.date() if since else None, until=until.date() if until else None,
            metrics=metric or None)
        if fmt is Format.json:
            typer.echo(result.to_json(indent=2))
            return
        if fmt is Format.csv:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
            writer.writeheader()
            writer.writerows({c: r.get(c) for c in COLUMNS} for r in result.rows)
            typer.echo(buffer.getvalue(), nl=False)
            for line in quality_lines(result.data_quality):
                err.print(line, highlight=False)
            return
        table = Table(title=f"measure --by {by.value} --period {period.value}")
        for name, justify in (("metric", "left"), ("key", "left"), ("period", "left"), ("value", "right"),
                              ("n", "right"), ("unit", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for r in result.rows:
            table.add_row(r["metric"], str(r["key"]), r["period"], _shown(r["value"], r["unit"]),
                          _shown(r["n"], "count"), r["unit"])
        out.print(table)
        out.print("[bold]Data quality[/]")
        for line in quality_lines(result.data_quality):
            out.print(line, highlight=False)
