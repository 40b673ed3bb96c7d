"""The capacity plan in a terminal: the gaps in words, a 7×24 shortfall grid, spikes ahead, assumptions."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from strategyfirst.capacity.planner import CapacityPlan
from strategyfirst.formatting import count, minutes, ratio


def _cell(short: float, arrivals: float) -> str:
    if short <= 0:
        return "[dim]·[/]" if arrivals > 0 else " "
    text = "+" if short > 9 else f"{short:.0f}" if short >= 1 else "½"
    return f"[bold red]{text}[/]"


def render_text(cp: CapacityPlan, console: Console) -> None:
    """Print where and when the declared team will miss the dialogue target."""
    level = cp.expected_service_level
    console.print(f"Target: {ratio(cp.service_level)} of inbound messages answered within "
                  f"{minutes(cp.target_minutes)}; {minutes(cp.handling_minutes)} per reply; hours in "
                  f"{cp.timezone}.", highlight=False)
    # the window's length, as its note tells it (under two weeks in days), not a second count in weeks
    over = f" over {cp.window.length}" if cp.window is not None else ""
    console.print(f"Volume: {count(cp.messages)} messages{over} ({cp.volume_source}).", highlight=False)
    if level is not None:
        console.print(f"With the declared team, about {ratio(level)} are answered in time.", highlight=False)
    if cp.gaps:
        console.print("\n[bold]Where the plan will miss its dialogue KPIs:[/]")
        for gap in cp.gaps:
            console.print(f"  • {escape(gap)}", highlight=False)
    else:
        console.print("\n[green]The declared team covers every hour of the week.[/]")
    console.print("\n[bold]People short by hour of the week[/] (· covered, blank: no messages)")
    console.print("     " + "".join(f"{h:<3d}" for h in range(0, 24, 3)).rstrip())
    for row in cp.heatmap():
        cells = "".join(_cell(s, a) for s, a in zip(row["shortfall"], row["arrivals_per_hour"], strict=True))
        console.print(f"  {row['weekday'].title()} {cells}", highlight=False)
    if cp.forecasts:
        console.print("\n[bold]Spikes the plan announces:[/]")
        for f in cp.forecasts:
            console.print(f"  • {escape(f.statement)}", highlight=False)
            for gap in f.gaps:
                console.print(f"      {escape(gap)}", highlight=False)
    for note in cp.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    assumptions = escape("; ".join(cp.assumptions))
    console.print(f"\n[dim]Erlang C assumptions: {assumptions}.[/]", highlight=False)
