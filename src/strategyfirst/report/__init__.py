"""The self-contained HTML report: gather from a workspace, render with Jinja2 and inline SVG charts.

`render_report(ws)` returns the page as a string (the web app serves it); `write_report(ws, path)` writes it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from strategyfirst.destination import check_parent
from strategyfirst.errors import UsageError, WorkspaceError
from strategyfirst.report.gather import gather_report_data
from strategyfirst.report.model import ReportData
from strategyfirst.report.render import render_html

if TYPE_CHECKING:
    from strategyfirst.ports import MeasuringWorkspace

DEFAULT_NAME = "report.html"


def render_report(ws: MeasuringWorkspace, as_of: dt.date | None = None) -> str:
    """The report of `ws` as one HTML string; its charts are kept in the workspace's .strategyfirst/cache/
    (by the sha256 of each chart's spec: a report of unchanged data does not draw them again)."""
    from strategyfirst.report import charts

    data = gather_report_data(ws, as_of)
    token = charts.svg_cache.set(ws.state_dir / "cache" if ws.state_dir.is_dir() else None)
    try:
        return render_html(data)
    finally:
        charts.svg_cache.reset(token)


def check_target(target: Path) -> None:
    """UsageError unless `target` names a file in an existing folder: a mistyped folder is said, never made."""
    if target.is_dir():
        raise UsageError(f"{target} is a folder: give the report a file name, e.g. {target / DEFAULT_NAME}")
    check_parent(target, "the report")


def write_report(ws: MeasuringWorkspace, path: str | Path | None = None, as_of: dt.date | None = None) -> Path:
    """Write the report (default `report.html` in the workspace) and return its path."""
    target = Path(path) if path is not None else ws.root / DEFAULT_NAME
    check_target(target)
    html = render_report(ws, as_of)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # never leave a half-written file behind
        raise WorkspaceError(f"{target}: cannot write the report ({exc.strerror or exc})") from None
    return target


__all__ = ["DEFAULT_NAME", "ReportData", "check_target", "gather_report_data", "render_html", "render_report",
           "write_report"]
