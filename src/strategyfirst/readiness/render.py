"""Readiness scores as a Rich table: one row per dimension, with what to do about each gap."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.readiness.score import ReadinessScore

_STYLE = {"ready": "green", "partial": "yellow", "not_ready": "red"}
_LABEL = {"ready": "ready", "partial": "partial", "not_ready": "not ready"}


def render_text(result: ReadinessScore, console: Console) -> None:
    """Print the score per dimension and the advice; a closing line points at `capacity`."""
    if not result.answered:
        console.print("No readiness answers in the plan yet: run `strategyfirst readiness` in a terminal, "
                      "or pass --answers FILE.", highlight=False)
    table = Table(title=f"Readiness: {result.overall:.0%} overall", title_justify="left", show_lines=True)
    table.add_column("dimension")
    table.add_column("score", justify="right")
    table.add_column("status")
    table.add_column("what to do")
    for d in result.dimensions:
        style = _STYLE[d.status]
        advice = "\n".join(f"• {escape(g)}" for g in d.gaps) or "—"
        table.add_row(d.title, f"{d.score:.0%}", f"[{style}]{_LABEL[d.status]}[/]", advice)
    console.print(table)
    console.print("Check the declared staffing against the measured volume: `strategyfirst capacity`.",
                  highlight=False)
