"""Measure and diagnose a workspace: the JSON of `measure --format json` and `diagnose --format json`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from strategyfirst.web import services
from strategyfirst.web.answers import json_answer
from strategyfirst.web.deps import ApiViewer
from strategyfirst.web.limits import Day
from strategyfirst.web.schemas import SCOPED, DiagnoseOut, FunnelOut, MeasureOut, documented

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["analysis"])

By = Literal["none", "objective", "tactic", "account", "platform"]
Period = Literal["all", "day", "week", "month"]


@router.get("/measure", **documented(MeasureOut, SCOPED))
def read_measure(request: Request, m: ApiViewer, by: By = "none", period: Period = "all", since: Day | None = None,
                 until: Day | None = None,
                 metric: Annotated[list[str] | None, Query(description="Metric id (repeatable).")] = None,
                 ) -> Response:
    """Metric values by scope and period, with data-quality counts (the JSON of `measure`)."""
    key = ("measure", by, period, since, until, tuple(metric or ()))
    return json_answer(request, services.answer(m.ws, key, lambda: services.measure_json(
        m.ws, by, period, since, until, metric)))


@router.get("/funnel", **documented(FunnelOut, SCOPED))
def read_funnel(request: Request, m: ApiViewer, until: Day | None = None) -> Response:
    """The permission funnel per tactic and overall for the latest month with data, up to the month of `until`
    if given (the JSON of `measure --funnel [--until D]`)."""
    return json_answer(request, services.answer(m.ws, ("funnel", until), lambda: services.funnel_json(m.ws, until)))


@router.get("/diagnose", **documented(DiagnoseOut, SCOPED))
def read_diagnosis(request: Request, m: ApiViewer, as_of: Day | None = None) -> Response:
    """KPI status and forecasts, verdicts, budget proposals (the JSON of `diagnose`)."""
    return json_answer(request, services.answer(m.ws, ("diagnose", as_of),
                                                lambda: services.diagnose_json(m.ws, as_of)))
