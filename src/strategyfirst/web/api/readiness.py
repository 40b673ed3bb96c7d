"""Readiness and dialogue capacity of a workspace: the JSON of `readiness --format json` and
`capacity --format json`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from strategyfirst.web import services
from strategyfirst.web.answers import json_answer
from strategyfirst.web.deps import ApiViewer
from strategyfirst.web.schemas import SCOPED, CapacityOut, ReadinessOut, documented

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["readiness"])


@router.get("/readiness", **documented(ReadinessOut, SCOPED))
def read_readiness(request: Request, m: ApiViewer) -> Response:
    """Score per readiness dimension with what to do about each gap (the JSON of `readiness`)."""
    return json_answer(request, services.answer(m.ws, ("readiness",), lambda: services.readiness_json(m.ws)))


@router.get("/capacity", **documented(CapacityOut, SCOPED))
def read_capacity(request: Request, m: ApiViewer,
                  service_level: Annotated[float, Query(allow_inf_nan=False,
                      description="Share of inbound messages to answer within the target time.")] = 0.9,
                  target_minutes: Annotated[float | None, Query(allow_inf_nan=False,
                      description="Response-time target (default: the plan's first_response_minutes "
                                  "KPI target).")] = None,
                  ) -> Response:
    """People needed per hour of the week (Erlang C) against the declared staffing, the gaps, the spikes
    the tactics announce and the model's assumptions (the JSON of `capacity`)."""
    return json_answer(request, services.answer(m.ws, ("capacity", service_level, target_minutes),
                                                lambda: services.capacity_json(m.ws, service_level, target_minutes)))
