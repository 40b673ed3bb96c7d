"""Text rendering of a lint report: a Rich table per severity, the fix hint under each finding."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from strategyfirst.lint.registry import SEVERITIES
from strategyfirst.lint.report import LintReport

_STYLE = {"error": "bold red", "warning": "yellow"}
_TITLE = {"error": "Errors", "warning": "Warnings"}


def render_text(report: LintReport, console: Console) -> None:
    """Print the report: one table per severity (errors first), then a one-line summary."""
    for severity in SEVERITIES:
        findings = [f for f in report.findings if f.severity == severity]
        if not findings:
            continue
        table = Table(title=f"{_TITLE[severity]} ({len(findings)})", title_style=_STYLE[severity],
                      title_justify="left", show_lines=True, expand=False)
        table.add_column("where", no_wrap=True)
        table.add_column("rule", style=_STYLE[severity], no_wrap=True)
        table.add_column("finding and how to fix it", ratio=1)
        for f in findings:
            where = Text(f"{report.file}:{f.line}:{f.column}\n", style="bold")
            where.append(f.path, style="dim")
            body = Group(Text(f.message), Text.from_markup(f"[dim]hint:[/] {escape(f.hint)}", style="italic"))
            table.add_row(where, f.rule, body)
        console.print(table)
    errors, warnings = len(report.errors), len(report.warnings)
    if not report.findings:
        console.print(f"[green]{escape(report.file)}: no findings[/] (as of {report.as_of}).")
    else:
        style = "red" if errors else "yellow"
        console.print(f"[{style}]{escape(report.file)}: {errors} error{'s' * (errors != 1)}, "
                      f"{warnings} warning{'s' * (warnings != 1)}[/] (as of {report.as_of}).")
