"""History (plan versions and decisions, with diffs between versions) and the report download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from strategyfirst.appdb.render import diff_json, history_json
from strategyfirst.web import services
from strategyfirst.web.deps import PageViewer
from strategyfirst.web.templating import render

router = APIRouter()


@router.get("/w/{slug}/history")
def read_history_page(request: Request, m: PageViewer, a: int | None = None, b: int | None = None) -> Response:
    """Every plan version and decision in time order; the diff of versions `a` and `b` when given."""
    m.ws.record_plan()
    db = m.state.db
    history = history_json(db, m.slug)
    numbers = [e["number"] for e in history["entries"] if e["kind"] == "version"]
    if a is None and b is None and len(numbers) >= 2:
        a, b = numbers[-2], numbers[-1]
    diff = None
    if a is not None and b is not None and a in numbers and b in numbers:
        diff = diff_json(m.slug, db.plan_version(m.slug, a), db.plan_version(m.slug, b))
    return render(request, "history.html", {"m": m, "tab": "history", "entries": list(reversed(
        history["entries"])), "numbers": numbers, "a": a, "b": b, "diff": diff})


@router.get("/w/{slug}/report.html")
def download_report(m: PageViewer) -> Response:
    """The self-contained HTML report, as a download."""
    html = services.report_html(m.ws, m.state.db, m.slug)
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{m.slug}-report.html"'})
