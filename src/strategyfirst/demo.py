"""`strategyfirst demo`: the main job end to end on a simulated organisation.

simulate → lint → ingest → measure → diagnose → report, then a short summary: what is working, what is not,
what to change, and where the report is. The same pipeline runs on a user's own exports.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.errors import WorkspaceError
from strategyfirst.formatting import metric_label, money, number, status_label, verdict_label
from strategyfirst.ports import WorkspaceFolder
from strategyfirst.workspace import Workspace

DEMO_EVENTS = 40_000
DEMO_SEED = 7
TRUTH_FILE = "truth.json"


def example_plan_text() -> str:
    """The example plan of plan.md, shipped with the package."""
    return resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8")


@dataclass
class DemoResult:
    """What the demo built and found."""

    workspace: Workspace
    report: Path
    lint: Any
    ingest: Any
    diagnosis: Any
    capacity: Any = None
    seconds: dict[str, float] = field(default_factory=dict)
    funnel: Any = None


def _check_target(directory: Path) -> None:
    """Refuse to build into a folder that holds something other than an earlier demo."""
    WorkspaceFolder(directory)  # a path the warehouse cannot take (not UTF-8) is refused before anything is written
    if directory.exists() and not directory.is_dir():
        raise WorkspaceError(f"{directory}: is a file; give `strategyfirst demo` a folder")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / TRUTH_FILE).is_file():
        raise WorkspaceError(
            f"{directory}: folder is not empty and holds no earlier demo; give `strategyfirst demo` a new folder"
        )


def build_demo(directory: Path, *, events: int = DEMO_EVENTS, seed: int = DEMO_SEED,
               err: Console | None = None) -> DemoResult:
    """Run the whole pipeline on a fresh simulated organisation in `directory` (an earlier demo is replaced)."""
    from strategyfirst.simulate import simulate

    _check_target(directory)
    err = err or Console(stderr=True, quiet=True)
    seconds: dict[str, float] = {}

    @contextmanager
    def step(name: str, what: str) -> Iterator[None]:
        start = time.perf_counter()
        with err.status(what):
            yield
        seconds[name] = time.perf_counter() - start
        err.print(f"[green]✓[/] {what} [dim]({seconds[name]:.1f} s)[/]")

    if (directory / TRUTH_FILE).is_file():
        # An earlier demo: start again from nothing so the numbers are the simulator's alone.
        import shutil

        shutil.rmtree(directory)
    with step("simulate", f"simulating a year of one organisation ({events:,} messages)"):
        summary = simulate(directory, events=events, seed=seed)
    ws = Workspace(directory).ensure()
    with step("lint", "linting the strategy"):
        lint = ws.lint()
    with step("ingest", f"importing {len(summary.every_file)} export files"):
        ingest = summary.ingest_into(ws)
    with step("measure", "measuring every metric by tactic and month"):
        ws.measure(by="tactic", period="month")
    with step("diagnose", "diagnosing KPIs, tactics and budget"):
        diagnosis = ws.diagnose()
    capacity = None
    with step("capacity", "checking dialogue capacity by hour of week"):
        try:
            capacity = ws.capacity()
        except Exception as exc:  # capacity is advisory; the demo goes on without it
            err.print(f"[yellow]capacity not available:[/] {escape(str(exc))}")
    with step("funnel", "following the permission funnel per tactic"):
        funnel = ws.funnel()
    with step("report", "writing the HTML report"):
        report = ws.report(directory / "report.html")
    return DemoResult(ws, report, lint, ingest, diagnosis, capacity, seconds, funnel)


_WORKING = {"working"}
_NOT_WORKING = {"tactic_failing", "strategy_failing", "tactic_dead_weight"}


def render_summary(result: DemoResult, out: Console) -> None:
    """The short summary: what is working, what is not, what to change."""
    d = result.diagnosis
    plan = result.workspace.plan_document().plan
    org = plan.organisation or result.workspace.slug
    currency = plan.budget.currency if plan.budget is not None else None
    out.print(f"\n[bold]{escape(org)}[/] — diagnosis as of {d.as_of.isoformat()}")

    kpis = Table(title="KPIs", show_lines=False)
    for col, justify in (("objective", "left"), ("metric", "left"), ("actual", "right"), ("target", "right"),
                         ("status", "left")):
        kpis.add_column(col, justify=justify)  # type: ignore[arg-type]
    colours = {"on_track": "green", "met": "green", "at_risk": "yellow", "off_track": "red", "no_data": "dim",
               "not_judged": "dim"}
    for k in d.kpis:
        c = colours.get(k.status, "white")
        kpis.add_row(escape(k.objective), escape(metric_label(k.metric)),
                     number(k.actual, k.unit, currency=currency), number(k.target, k.unit, currency=currency),
                     f"[{c}]{status_label(k.status)}[/]")
    out.print(kpis)

    working = [v for v in d.verdicts if v.kind in _WORKING]
    failing = [v for v in d.verdicts if v.kind in _NOT_WORKING]
    unsure = [v for v in d.verdicts if v.kind == "not_enough_data"]
    out.print("[bold green]What is working[/]")
    for v in working:
        out.print(f"  • {escape(v.tactic or v.objective)} ({escape(v.objective)}): {escape(v.evidence)}")
    if not working:
        out.print("  • nothing yet, with confidence")
    out.print("[bold red]What is not[/]")
    for v in failing:
        who = f"objective {v.objective}" if v.kind == "strategy_failing" else f"{v.tactic} ({v.objective})"
        # the evidence says how likely
        out.print(f"  • [bold]{verdict_label(v.kind)}[/] {escape(who)}: {escape(v.evidence)}")
    if not failing:
        out.print("  • no failing tactic or strategy found")
    for v in unsure:
        out.print(f"  • [dim]not enough data for {escape(v.tactic or v.objective)}: {escape(v.evidence)}[/]")
    out.print("[bold]What to change[/]")
    changes = 0
    for m in d.budget:
        out.print(f"  • move {money(m.amount, currency)} from {escape(m.source)} to {escape(m.target)}: "
                  f"{escape(m.why)}")
        changes += 1
    gaps = list(getattr(result.capacity, "gaps", []) or [])
    for gap in gaps:
        out.print(f"  • staff the dialogue: {escape(gap)}")
        changes += 1
    for v in d.verdicts:
        if v.kind == "strategy_failing":
            out.print(f"  • review the premise of objective {escape(v.objective)}: another tactic will not save it")
            changes += 1
    if not changes:
        out.print("  • nothing urgent: keep going and review at the next cadence")
    _render_funnel(result.funnel, out)
    out.print(f"\nReport: [bold]{result.report}[/]")


def _render_funnel(report: Any, out: Console) -> None:
    """The permission funnel in short: overall in full, then where each tactic's chain breaks."""
    if report is None or report.period is None:
        return
    from strategyfirst.cli_funnel import funnel_lines

    out.print(f"[bold]Permission funnel[/], {report.period} against {report.previous} "
              "(`strategyfirst measure --funnel` for every tactic)")
    for f in report.funnels:
        if f.scope == "overall":
            for line in funnel_lines(f):
                out.print(escape(line), highlight=False)
        elif f.breaks_at:
            out.print(f"  • {escape(f.scope)} breaks at {escape(f.breaks_at['step'].replace('_', ' '))}: "
                      f"{escape(f.breaks_at['why'])}", highlight=False)


def run_demo(directory: Path, *, out: Console, err: Console, events: int = DEMO_EVENTS,
             seed: int = DEMO_SEED) -> DemoResult:
    """`strategyfirst demo`: build, diagnose, report and print the summary."""
    result = build_demo(directory, events=events, seed=seed, err=err)
    render_summary(result, out)
    return result
