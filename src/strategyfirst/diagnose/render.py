"""Rich text rendering of a `Diagnosis` for `strategyfirst diagnose` (the JSON shape: diagnosis.py)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.diagnose.diagnosis import Diagnosis, KpiStatus
from strategyfirst.formatting import metric_label, money, number, status_label, verdict_label, verdict_likelihood

STATUS_STYLE = {"on_track": "green", "met": "bold green", "at_risk": "yellow", "off_track": "bold red",
                "no_data": "dim", "not_enough_data": "dim", "not_judged": "dim"}
VERDICT_STYLE = {"working": "green", "not_enough_data": "dim", "not_judged": "dim", "tactic_failing": "red",
                 "tactic_dead_weight": "yellow", "strategy_failing": "bold red"}


def _forecast(k: KpiStatus, currency: str | None) -> str:
    if k.forecast_at_deadline is None:
        return "—"
    shown = number(k.forecast_at_deadline, k.unit, currency=currency, metric=k.metric)
    if k.forecast_low is None or k.forecast_high is None:
        return shown
    return (f"{shown} ({number(k.forecast_low, k.unit, currency=currency, metric=k.metric)}–"
            f"{number(k.forecast_high, k.unit, currency=currency, metric=k.metric)})")


def _says_why(k: KpiStatus) -> bool:
    """Whether the KPI's reason is printed under the table: a thin or undated KPI (how much more it needs, or
    why it is not judged), a forecast raised to a floor (where and why), and any other KPI the table shows
    without a forecast (a target met before a long silence: "no data since 2014-12, so no forecast"); `no data`
    says all there is in its status."""
    if k.status in ("not_enough_data", "not_judged") or k.forecast_floor is not None:
        return True
    return k.forecast_at_deadline is None and k.status != "no_data" and bool(k.reason)


def render_text(diagnosis: Diagnosis, console: Console, currency: str | None = None) -> None:
    """KPI table, verdicts and budget proposals, most urgent first within each; money in `currency`."""

    def shown(value: float | None, unit: str, metric: str | None = None) -> str:
        return number(value, unit, currency=currency, metric=metric)

    console.print(f"[bold]Diagnosis as of {diagnosis.as_of.isoformat()}[/]")
    if diagnosis.note:  # a day outside the horizon: said first, or every KPI below just reads "no data"
        console.print(f"[yellow]Note: {escape(diagnosis.note)}.[/]", highlight=False)
    kpis = Table(title="KPIs", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    columns = ("objective", "metric", "actual", "needed now", "target", "by", "forecast (80%)", "status")
    for column in columns:
        kpis.add_column(column, overflow="fold", no_wrap=column == "status")
    for k in diagnosis.kpis:
        style = STATUS_STYLE.get(k.status, "")
        kpis.add_row(escape(k.objective), escape(metric_label(k.metric)), shown(k.actual, k.unit, k.metric),
                     shown(k.expected_now, k.unit, k.metric), shown(k.target, k.unit, k.metric),
                     k.deadline.isoformat() if k.deadline else "—", _forecast(k, currency),
                     f"[{style}]{status_label(k.status)}[/]")
    if console.measure(kpis, options=console.options.update_width(10_000)).maximum <= console.width:
        console.print(kpis)
    elif diagnosis.kpis:  # too wide to read as a table (a phone, a split pane, 80 columns): one block per KPI
        console.print("[bold]KPIs[/]")
        for k in diagnosis.kpis:
            style = STATUS_STYLE.get(k.status, "")
            console.print(f"{escape(k.objective)} · {escape(metric_label(k.metric))}: "
                          f"[{style}]{status_label(k.status)}[/]", highlight=False)
            deadline = k.deadline.isoformat() if k.deadline else "—"
            console.print(f"  actual {shown(k.actual, k.unit, k.metric)}, needed now "
                          f"{shown(k.expected_now, k.unit, k.metric)}, target {shown(k.target, k.unit, k.metric)} by "
                          f"{deadline}, forecast (80%) {_forecast(k, currency)}", highlight=False)
    for k in diagnosis.kpis:  # a KPI without a forecast (or with a bounded one) says why, as JSON and web do
        if _says_why(k):
            console.print(f"[dim]{escape(metric_label(k.metric))} ({escape(k.objective)}): {escape(k.reason)}[/]",
                          highlight=False)
    if not diagnosis.kpis:
        console.print("[dim]The plan has no KPIs.[/]")
    order = ["strategy_failing", "tactic_failing", "tactic_dead_weight", "not_enough_data", "working"]
    console.print("\n[bold]Verdicts[/]")
    if not diagnosis.verdicts:
        console.print("[dim]No tactic serves an objective yet: nothing to judge.[/]")
    for v in sorted(diagnosis.verdicts, key=lambda v: order.index(v.kind) if v.kind in order else len(order)):
        who = v.tactic or ", ".join(v.tactics) or v.objective
        chance = verdict_likelihood(v.kind, v.probability)
        p = f" ({chance})" if chance else ""
        style = VERDICT_STYLE.get(v.kind, "")
        console.print(f"[{style}]{verdict_label(v.kind)}[/] {escape(v.objective)} / {escape(who)}{p}: "
                      f"{escape(v.evidence)}", highlight=False)
    console.print("\n[bold]Budget proposals[/]")
    if not diagnosis.budget:
        console.print("[dim]None: no tactic is clearly cheaper per result than another with budget left.[/]")
    for m in diagnosis.budget:
        console.print(f"move [bold]{money(m.amount, currency)}[/] from {escape(m.source)} to {escape(m.target)} "
                      f"({escape(m.objective)}): {escape(m.why)}", highlight=False)
    console.print()
    for note in diagnosis.footnotes:
        console.print(f"[dim]{escape(note)}[/]", highlight=False)
