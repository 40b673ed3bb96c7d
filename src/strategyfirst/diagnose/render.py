"""Rich text rendering of a `Diagnosis` for `strategyfirst diagnose` (the JSON shape: diagnosis.py)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.diagnose.diagnosis import Diagnosis, KpiStatus

STATUS_STYLE = {"on_track": "green", "met": "bold green", "at_risk": "yellow", "off_track": "bold red",
                "no_data": "dim", "not_enough_data": "dim"}
VERDICT_STYLE = {"working": "green", "not_enough_data": "dim", "not_judged": "dim", "tactic_failing": "red",
                 "tactic_dead_weight": "yellow", "strategy_failing": "bold red"}


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _forecast(k: KpiStatus) -> str:
    if k.forecast_at_deadline is None:
        return "—"
    band = (f" ({fmt(k.forecast_low, k.unit)}–{fmt(k.forecast_high, k.unit)})"
            if k.forecast_low is not None and k.forecast_high is not None else "")
    return fmt(k.forecast_at_deadline, k.unit) + band


def render_text(diagnosis: Diagnosis, console: Console) -> None:
    """KPI table, verdicts and budget proposals, most urgent first within each."""
    console.print(f"[bold]Diagnosis as of {diagnosis.as_of.isoformat()}[/]")
    kpis = Table(title="KPIs", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    columns = ("objective", "metric", "actual", "needed now", "target", "by", "forecast (80%)", "status")
    for column in columns:
        kpis.add_column(column, overflow="fold", no_wrap=column == "status")
    for k in diagnosis.kpis:
        style = STATUS_STYLE.get(k.status, "")
        kpis.add_row(escape(k.objective), escape(k.metric), fmt(k.actual, k.unit),
                     fmt(k.expected_now, k.unit), fmt(k.target, k.unit),
                     k.deadline.isoformat() if k.deadline else "—", _forecast(k), f"[{style}]{k.status}[/]")
    console.print(kpis)
    if not diagnosis.kpis:
        console.print("[dim]The plan has no KPIs.[/]")
    order = ["strategy_failing", "tactic_failing", "tactic_dead_weight", "not_enough_data", "working"]
    console.print("\n[bold]Verdicts[/]")
    if not diagnosis.verdicts:
        console.print("[dim]No tactic serves an objective yet: nothing to judge.[/]")
    for v in sorted(diagnosis.verdicts, key=lambda v: order.index(v.kind) if v.kind in order else len(order)):
        who = v.tactic or ", ".join(v.tactics) or v.objective
        p = f" (P = {v.probability:.2f})" if v.probability is not None else ""
        style = VERDICT_STYLE.get(v.kind, "")
        console.print(f"[{style}]{v.kind}[/] {escape(v.objective)} / {escape(who)}{p}: {escape(v.evidence)}",
                      highlight=False)
    console.print("\n[bold]Budget proposals[/]")
    if not diagnosis.budget:
        console.print("[dim]None: no tactic is clearly cheaper per result than another with budget left.[/]")
    for m in diagnosis.budget:
        console.print(f"move [bold]{m.amount:,.0f}[/] from {escape(m.source)} to {escape(m.target)} "
                      f"({escape(m.objective)}): {escape(m.why)}", highlight=False)
    console.print()
    for note in diagnosis.footnotes:
        console.print(f"[dim]{escape(note)}[/]", highlight=False)
