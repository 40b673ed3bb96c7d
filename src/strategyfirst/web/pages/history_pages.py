"""History (plan versions and decisions, with diffs between versions) and the report download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from strategyfirst.appdb.history import text_sha256, version_number
from strategyfirst.appdb.render import diff_json, history_json, plan_changes
from strategyfirst.web import services
from strategyfirst.web.deps import PageViewer
from strategyfirst.web.templating import render

router = APIRouter()
Text = Annotated[str, Query(max_length=200)]


@router.get("/w/{slug}/history")
def read_history_page(request: Request, m: PageViewer, a: Text = "", b: Text = "",
                      diff_from: Annotated[str, Query(alias="from", max_length=200)] = "",
                      diff_to: Annotated[str, Query(alias="to", max_length=200)] = "") -> Response:
    """Every plan version and decision in time order; the diff of versions `a` and `b` when given (`from` and
    `to`, as the API names them, when they are not; a bad number is said on the page, with 422, and left out), with the
    lines `history --diff` prints above it."""
    m.ws.record_plan()
    db = m.state.db
    history = history_json(db, m.slug)
    numbers = [e["number"] for e in history["entries"] if e["kind"] == "version"]
    problems: list[str] = []
    first_key, first_text = ("a", a) if a.strip() or not diff_from.strip() else ("from", diff_from)
    second_key, second_text = ("b", b) if b.strip() or not diff_to.strip() else ("to", diff_to)
    first, second = _version(first_key, first_text, problems), _version(second_key, second_text, problems)
    if first is None and second is None and len(numbers) >= 2:
        first, second = numbers[-2], numbers[-1]
    diff, lines = None, []
    if first is not None and second is not None and first in numbers and second in numbers:
        old, new = db.plan_version(m.slug, first), db.plan_version(m.slug, second)
        diff = diff_json(m.slug, old, new)
        changes = plan_changes(old, new)
        lines = changes.lines() if changes else []
    return render(request, "history.html", {"m": m, "tab": "history", "entries": list(reversed(
        history["entries"])), "numbers": numbers, "a": first, "b": second, "diff": diff, "changes": lines,
        "view_problems": problems, "base": text_sha256(text) if (text := services.plan_state(m.ws)[0]) else ""},
        status=422 if problems else 200)


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
