"""`strategyfirst demo`: the main job end to end on a simulated organisation.

Until the pipeline exists (issue 5) it lints the built-in example plan and says what comes next.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rich.console import Console

from strategyfirst.workspace import Workspace


def example_plan_text() -> str:
    """The example plan of plan.md, shipped with the package."""
    return resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8")


def run_demo(directory: Path, *, out: Console, err: Console) -> None:
    ws = Workspace(directory).ensure()
    if not ws.has_plan():
        ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    report = ws.lint()
    from strategyfirst.lint.render import render_text

    render_text(report, out)
    err.print(f"Plan written to {ws.plan_path}. Next: `strategyfirst ingest FILE...` then `strategyfirst measure`.")
