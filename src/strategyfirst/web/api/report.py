"""GET /api/v1/workspaces/{slug}/report.html: the self-contained HTML report."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from strategyfirst.web import services
from strategyfirst.web.deps import ApiViewer
from strategyfirst.web.schemas import SCOPED

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["report"])


@router.get("/report.html", response_class=HTMLResponse, responses=SCOPED)
def read_report(m: ApiViewer) -> HTMLResponse:
    """The self-contained report (no network needed to open it)."""
    return HTMLResponse(services.report_html(m.ws, m.state.db, m.slug))
