"""History (plan versions and decisions, with diffs between versions) and the report download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from strategyfirst.appdb.history import version_number
from strategyfirst.appdb.render import diff_json, history_json
from strategyfirst.web import services
from strategyfirst.web.deps import PageViewer
from strategyfirst.web.templating import render

router = APIRouter()
Text = Annotated[str, Query(max_length=200)]


@router.get("/w/{slug}/history")
def read_history_page(request: Request, m: PageViewer, a: Text = "", b: Text = "") -> Response:
    """Every plan version and decision in time order; the diff of versions `a` and `b` when given (a bad
    number is said on the page and left out)."""
    m.ws.record_plan()
    db = m.state.db
    history = history_json(db, m.slug)
    numbers = [e["number"] for e in history["entries"] if e["kind"] == "version"]
    problems: list[str] = []
    first, second = _version("a", a, problems), _version("b", b, problems)
    if first is None and second is None and len(numbers) >= 2:
        first, second = numbers[-2], numbers[-1]
    diff = None
    if first is not None and second is not None and first in numbers and second in numbers:
        diff = diff_json(m.slug, db.plan_version(m.slug, first), db.plan_version(m.slug, second))
    return render(request, "history.html", {"m": m, "tab": "history", "entries": list(reversed(
        history["entries"])), "numbers": numbers, "a": first, "b": second, "diff": diff, "view_problems": problems})


def _version(key: str, text: str, problems: list[str]) -> int | None:
    """A plan version of the URL, `v2` as the page lists it or `2`, else None (and what was wrong in
    `problems`)."""
    if not text.strip():
        return None
    number = version_number(text)
    if number is None:
        problems.append(f"{key}={text!r} is not a plan version: write it as listed below, e.g. v2 (or 2)")
    return number


@router.get("/w/{slug}/report.html")
def download_report(m: PageViewer) -> Response:
    """The self-contained HTML report, as a download."""
    html = services.report_html(m.ws, m.state.db, m.slug)
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{m.slug}-report.html"'})
