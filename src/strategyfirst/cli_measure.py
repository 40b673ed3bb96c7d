"""The `measure` command, registered on the main Typer app by `register`: thin over `Workspace.measure`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.cli_export import DataOpt, Engine, EngineOpt, MasterOpt, RemoteOpt, measure_with_engine
from strategyfirst.cli_options import HERE, WsOpt, day_option
from strategyfirst.errors import StrategyFirstError, UsageError
from strategyfirst.formatting import count, metric_label, number

if TYPE_CHECKING:
    from strategyfirst.metrics.result import MeasureResult


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


def quality_lines(quality: dict[str, Any]) -> list[str]:
    """The data-quality counts in words, one line each."""
    lines = [f"rows rejected at import: {count(quality.get('rows_rejected', 0))}"]
    for r in quality.get("rejected_by_import", []):
        lines.append(f"  {r['file']} ({r['source']}): {count(r['rows_rejected'])} rejected")
    lines += [f"negative reply gaps (excluded from response times): {count(quality.get('negative_reply_gaps', 0))}",
              f"messages with no timestamp: {count(quality.get('messages_without_timestamp', 0))}",
              f"replies whose parent is missing: {count(quality.get('replies_with_missing_parent', 0))}"]
    unattributed = quality.get("owned_unattributed")
    lines.append("owned messages attributed to no tactic: "
                 + ("n/a (no plan tactics)" if unattributed is None else count(unattributed)))
    if quality.get("source_owned_not_in_plan"):
        lines.append("messages of accounts their source marks as owned but the plan does not list (not "
                     f"counted as owned): {count(quality['source_owned_not_in_plan'])}"
                     + _source_owned_accounts(quality))
    for o in quality.get("audience_not_in_plan") or []:
        lines.append(f"audience data of an account the plan does not list on {o['platform']} (not counted): "
                     f"{o['account']}, {count(o['rows'])} row{'s' * (o['rows'] != 1)}")
    for g in quality.get("audience_gaps") or []:
        lines.append(f"gap in audience data ({g['platform']} {g['account']} {g['metric']}): nothing between "
                     f"{g['last_before']} and {g['first_after']} ({count(g['days'])} days): "
                     + ("a growth across it sums daily changes and misses those of the gap"
                        if g.get("growth_misses_the_gap") else "a growth across it spans the gap"))
    for u in quality.get("spend_unmatched") or []:
        what = f"campaign {u['campaign']!r} matches no tactic" if u["campaign"] else \
            "Ads Manager breakdown (campaign unknown)"
        lines.append(f"spend no tactic gets: {what}: {u['amount']:,.2f} {u['currency'] or ''}".rstrip()
                     + " (add it to a tactic's match.campaign)" * bool(u["campaign"]))
    for k in quality.get("cost_per_result_by_indicator") or []:
        cost = "n/a (no results)" if k["cost_per_result"] is None else f"{k['cost_per_result']:,.2f}"
        lines.append(f"cost per result of {k['result_indicator'] or 'no result indicator'}: {cost} "
                     f"({count(k['results'])} results); cost_per_result is left empty where indicators mix")
    return lines


def _source_owned_accounts(quality: dict[str, Any]) -> str:
    """Which accounts those messages are of, largest first: ': dealingwith@indieweb.social on mastodon
    (1,586), Tesco on x (8) and 11 more accounts (if one is yours, ...)'."""
    largest = quality.get("source_owned_not_in_plan_largest") or []
    if not largest:
        return ""
    named = ", ".join(f"{r['account']} on {r['platform']} ({count(r['messages'])})" for r in largest)
    more = int(quality.get("source_owned_not_in_plan_accounts") or len(largest)) - len(largest)
    return (f": {named}{f' and {count(more)} more account' + 's' * (more != 1) if more else ''} (if one is yours, "
            "the plan lists it under another handle: write it as its data names it)")


def _currency(ws_path: Path, data: Path | None) -> str | None:
    """The plan's budget currency, for money figures (None without a plan)."""
    try:
        if data is not None:
            from strategyfirst.warehouse.dataset import Dataset

            plan = Dataset.open(data).plan()
        else:  # the facts `measure` kept for this plan text: no second parse of the YAML
            from strategyfirst.metrics.cached import plan_facts
            from strategyfirst.workspace import Workspace

            ws = Workspace(ws_path)
            return plan_facts(ws.plan_path, ws.state_dir).currency
    except StrategyFirstError:
        return None
    return plan.budget.currency if plan is not None and plan.budget is not None else None


def not_owned_lines(quality: dict[str, Any]) -> list[str]:
    """Each --account the plan's rule does not own where the data names it, in words: nothing of it is
    measured."""
    lines = []
    for o in quality.get("accounts_not_owned") or []:
        platform, listed = o["platform"], o["plan_accounts"]
        if listed:
            lines.append(f"--account {o['account']}: the plan does not own it on {platform} (its {platform} "
                         f"account{'s' * (len(listed) != 1)}: {', '.join(listed)}), so nothing of it is "
                         "measured; add it to the plan's accounts to measure it.")
        else:
            lines.append(f"--account {o['account']}: not an owned account on {platform} (its source marks its "
                         "messages as the audience's), so nothing of it is measured.")
    return lines


def _filters_text(platforms: list[str] | None, accounts: list[str] | None) -> str:
    return " ".join([*(f"--platform {p}" for p in platforms or ()), *(f"--account {a}" for a in accounts or ())])


def _has_data(row: dict[str, Any]) -> bool:
    return row["value"] is not None


def render_table(result: MeasureResult, out: Console, *, show_all: bool = False, currency: str | None = None,
                 filters: str = "") -> None:
    """The rows as people read them: plain labels, values by unit, metrics without data hidden unless
    `show_all`. One table when it fits the console; else one narrow table per account and period."""
    with_data = {r["metric"] for r in result.rows if _has_data(r)}
    rows = result.rows if show_all else [r for r in result.rows if _has_data(r)]
    hidden_metrics = len({r["metric"] for r in result.rows} - with_data)
    hidden_rows = len(result.rows) - len(rows) - sum(1 for r in result.rows if r["metric"] not in with_data)
    grouped_by = result.by != "none"
    by_period = result.period != "all"
    title = f"measure --by {result.by} --period {result.period}" + (f" {filters}" if filters else "")

    def cells(r: dict[str, Any]) -> list[str]:
        return [metric_label(r["metric"]), number(r["value"], r["unit"], currency=currency, metric=r["metric"]),
                count(r["n"])]

    # the same widths in every table, so that the grouped tables line up
    widths = {"metric": 6, "value": 5, "n": 1}
    for r in rows:
        for name, text in zip(widths, cells(r), strict=True):
            widths[name] = max(widths[name], len(text))

    def table(columns: list[tuple[str, str]], title: str | None) -> Table:
        t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        for name, justify in columns:
            t.add_column(name, justify=justify, overflow="fold", min_width=widths.get(name))  # type: ignore[arg-type]
        return t

    by_account = result.by == "account"  # one name on two platforms is two accounts: the platform says which
    flat = table([*([(result.by, "left")] if grouped_by else []), *([("platform", "left")] if by_account else []),
                  *([("period", "left")] if by_period else []), ("metric", "left"), ("value", "right"),
                  ("n", "right")], title)
    for r in rows:
        flat.add_row(*([escape(str(r["key"]))] if grouped_by else []),
                     *([escape(str(r.get("platform") or ""))] if by_account else []),
                     *([r["period"]] if by_period else []), *map(escape, cells(r)))
    natural = out.measure(flat, options=out.options.update_width(10_000)).maximum
    if not rows:
        pass
    elif natural <= out.width:
        out.print(flat)
    else:  # too wide to read on one line: one table per (key, period), the label column alone stays wide
        out.print(f"[bold]{escape(title)}[/]", highlight=False)
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault((str(r["key"]), str(r.get("platform") or ""), r["period"]), []).append(r)
        for (key, platform, period), part in groups.items():
            heading = " · ".join([*([key] if grouped_by else []), *([f"on {platform}"] if platform else []),
                                  *([period] if by_period else [])])
            narrow = table([("metric", "left"), ("value", "right"), ("n", "right")], heading)
            for r in part:
                narrow.add_row(*map(escape, cells(r)))
            out.print(narrow)
    foreign = not_owned_lines(result.data_quality)
    if not with_data and foreign:
        out.print(f"Nothing measured for {filters}.", highlight=False, soft_wrap=False)
    elif not with_data:
        out.print("Nothing measured" + (f" for {filters}" if filters else "") + ": no data in this scope"
                  + (" (check the spelling; `strategyfirst measure --by account` lists the accounts)."
                     if filters else "."), highlight=False, soft_wrap=False)
    for line in foreign:
        out.print(line, highlight=False, soft_wrap=False)
    if with_data and not show_all and (hidden_metrics or hidden_rows):
        parts = ([f"{hidden_metrics} metric{'s' * (hidden_metrics != 1)} without data"] if hidden_metrics else []) + (
            [f"{hidden_rows} empty row{'s' * (hidden_rows != 1)}"] if hidden_rows else [])
        out.print(f"[dim]Hidden: {' and '.join(parts)} (--all lists them).[/]", highlight=False, soft_wrap=False)


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `measure` to `app`."""

    @app.command()
    def measure(
        by: Annotated[By, typer.Option("--by", help="Group by scope.")] = By.none,
        period: Annotated[Period, typer.Option("--period", help="Bucket on created_at (UTC; ISO weeks).")]
        = Period.all,
        since: Annotated[dt.date | None, day_option("--since", "First day included, YYYY-MM-DD.")] = None,
        until: Annotated[dt.date | None, day_option("--until", "Last day included, YYYY-MM-DD.")] = None,
        metric: Annotated[list[str] | None, typer.Option(
            "--metric", help="Metric id (repeatable; default: every metric of the registry).")] = None,
        platform: Annotated[list[str] | None, typer.Option(
            "--platform", help="Only this platform's messages, audience and spend (repeatable).")] = None,
        account: Annotated[list[str] | None, typer.Option(
            "--account", help="Only this owned account: the messages it writes and receives, its audience "
                              "and the spend on its posts (repeatable; '@' optional).")] = None,
        show_all: Annotated[bool, typer.Option(
            "--all", help="Table: list every metric, also those without data.")] = False,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
        show_funnel: Annotated[bool, typer.Option(
            "--funnel", help="The permission funnel per tactic and overall: reach -> engagements -> new "
                             "followers/subscribers -> site sessions -> conversions, for the latest month (up to "
                             "--until) against the month before, and where the chain breaks. Site sessions of a "
                             "tactic: GA4 rows of its campaign (Session campaign), else Session source / medium "
                             "rows whose source names its platform; overall: Organic Social, Paid Social and "
                             "Email channel groups.")] = False,
        ws_path: WsOpt = HERE,
        engine: EngineOpt = Engine.duckdb,
        data: DataOpt = None,
        spark_remote: RemoteOpt = None,
        spark_master: MasterOpt = None,
    ) -> None:
        """Metric values by scope and period, with the data-quality counts behind them."""
        from strategyfirst.metrics.result import COLUMNS

        if show_funnel:
            ignored = [f"--by {by.value}" if by is not By.none else "", f"--period {period.value}"
                       if period is not Period.all else "", *(f"--metric {m}" for m in metric or []),
                       *(f"--platform {p}" for p in platform or []), *(f"--account {a}" for a in account or []),
                       "--all" if show_all else "", "--format csv" if fmt is Format.csv else ""]
            if any(ignored):
                raise UsageError("--funnel follows the whole plan and each tactic over the latest month (up to "
                                 f"--until), as table or json: leave out {', '.join(i for i in ignored if i)}")
            _funnel(ws_path, since, until, fmt, data, engine, out)
            return
        result = measure_with_engine(  # the warehouse, or a Parquet export on DuckDB or Spark (cli_export)
            ws_path, engine, data, spark_remote, spark_master, by=by.value, period=period.value,
            since=since, until=until,
            metrics=metric or None, platforms=platform or None, accounts=account or None)
        if fmt is Format.json:
            typer.echo(result.to_json(indent=2))
            return
        if fmt is Format.csv:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
            writer.writeheader()
            writer.writerows({c: r.get(c) for c in COLUMNS} for r in result.rows)
            typer.echo(buffer.getvalue(), nl=False)
            for line in not_owned_lines(result.data_quality):
                err.print(line, highlight=False, soft_wrap=True)
            if platform or account:  # as the table says: the counts are not narrowed (metrics/filters.py)
                err.print(f"data quality of the whole workspace, not only {_filters_text(platform, account)}:",
                          highlight=False, soft_wrap=True)
            for line in quality_lines(result.data_quality):
                err.print(line, highlight=False)
            return
        render_table(result, out, show_all=show_all, currency=_currency(ws_path, data),
                     filters=_filters_text(platform, account))
        out.print("[bold]Data quality[/]" + (" (whole workspace)" if platform or account else ""))
        for line in quality_lines(result.data_quality):
            out.print(line, highlight=False)


def _funnel(ws_path: Path, since: dt.date | None, until: dt.date | None, fmt: Format, data: Path | None,
            engine: Engine, out: Console) -> None:
    """`measure --funnel`: the workspace's permission funnel as text or JSON."""
    import json

    from strategyfirst.cli_funnel import render_funnel
    from strategyfirst.workspace import Workspace

    if data is not None or engine is not Engine.duckdb:
        raise UsageError("--funnel reads the workspace's warehouse; leave out --data and --engine")
    report = Workspace(ws_path).funnel(since, until)
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
        return
    render_funnel(report, out)
