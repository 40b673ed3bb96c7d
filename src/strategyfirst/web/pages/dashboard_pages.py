"""The KPI dashboard (charts with targets and forecasts) and the dialogue view (inbound vs answered)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from strategyfirst.errors import StrategyFirstError
from strategyfirst.web import charts, services
from strategyfirst.web.deps import PageViewer
from strategyfirst.web.pages.workspace_pages import diagnosis_or_none
from strategyfirst.web.templating import render

router = APIRouter()
DIALOGUE_METRICS = ("inbound_messages", "response_rate", "first_response_minutes_median",
                    "first_response_minutes_p90", "dialogue_ratio", "sentiment_lift")


@router.get("/w/{slug}/dashboard")
def read_dashboard(request: Request, m: PageViewer) -> Response:
    """Every KPI with its status, a chart of its series, target line and forecast."""
    diagnosis, why = diagnosis_or_none(m)
    kpis = [{**k, "spec": charts.kpi_spec(k)} for k in (diagnosis or {}).get("kpis", [])]
    try:
        funnel = services.funnel_json(m.ws) if services.has_data(m.ws) else None
    except StrategyFirstError:  # the KPIs still show; the funnel says it has nothing
        funnel = None
    return render(request, "dashboard.html", {"m": m, "tab": "dashboard", "diagnosis": diagnosis,
                                              "kpis": kpis, "no_diagnosis": why, "funnel": funnel})


def _buckets(m: Any) -> list[tuple[str, int]]:
    from strategyfirst.report.gather import response_buckets

    try:
        return [(b.label, b.count) for b in response_buckets(m.ws, None)] if services.has_data(m.ws) else []
    except Exception:  # no derived tables yet: the page still shows the rest
        return []


@router.get("/w/{slug}/dialogue")
def read_dialogue(request: Request, m: PageViewer) -> Response:
    """Inbound messages vs answered ones, response times, per month and overall."""
    try:
        monthly = services.measure_json(m.ws, "none", "month", metrics=DIALOGUE_METRICS)["rows"]
        overall = services.measure_json(m.ws, "account", "all", metrics=DIALOGUE_METRICS)["rows"]
        why = None
    except StrategyFirstError as exc:
        monthly, overall, why = [], [], str(exc)
    specs = [s for s in (charts.dialogue_spec(monthly), charts.response_time_spec(monthly),
                         charts.buckets_spec(_buckets(m))) if s]
    return render(request, "dialogue.html", {"m": m, "tab": "dialogue", "specs": specs, "overall": overall,
                                             "metrics": DIALOGUE_METRICS, "problem": why})
