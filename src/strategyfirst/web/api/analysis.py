"""Measure and diagnose a workspace: the JSON of `measure --format json` and `diagnose --format json`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from strategyfirst.errors import MeasureError
from strategyfirst.metrics.registry import resolve
from strategyfirst.web import services
from strategyfirst.web.answers import json_answer
from strategyfirst.web.deps import ApiViewer
from strategyfirst.web.limits import Day, range_problems
from strategyfirst.web.schemas import BAD_FILTER, SCOPED, DiagnoseOut, FunnelOut, MeasureOut, documented
from strategyfirst.web.view import filter_problems

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["analysis"])

By = Literal["none", "objective", "tactic", "account", "platform"]
Period = Literal["all", "day", "week", "month"]


@router.get("/measure", **documented(MeasureOut, SCOPED, BAD_FILTER))
def read_measure(request: Request, m: ApiViewer, by: By = "none", period: Period = "all", since: Day | None = None,
                 until: Day | None = None,
                 metric: Annotated[list[str] | None, Query(description="Metric id (repeatable).")] = None,
                 platform: Annotated[list[str] | None, Query(description=(
                     "Only this platform's messages, audience and spend (repeatable), as `measure --platform`; "
                     "422 for a platform neither known nor in the plan's `accounts`."))] = None,
                 account: Annotated[list[str] | None, Query(description=(
                     "Only this owned account (repeatable): the messages it writes and receives, its audience and "
                     "spend, as `measure --account`; 422 for an account the plan's `accounts` do not list."))] = None,
                 ) -> Response:
    """Metric values by scope and period, with data-quality counts (the JSON of `measure`, with its
    `--platform` and `--account` filters)."""
    check_filters(m, platform, account, metric, since, until)
    key = ("measure", by, period, since, until, tuple(metric or ()), tuple(platform or ()), tuple(account or ()))
    return json_answer(request, services.answer(m.ws, key, lambda: services.measure_json(
        m.ws, by, period, since, until, metric, platforms=platform, accounts=account)))


def check_filters(m: ApiViewer, platforms: list[str] | None, accounts: list[str] | None,
                  metrics: list[str] | None = None, since: Day | None = None, until: Day | None = None) -> None:
    """422 naming each platform the address gets wrong, each account the plan does not list, each unknown metric
    and a `since` after `until`, in one line each and located as FastAPI locates a bad value (as the posts route
    and the pages answer them)."""
    listed = (services.plan_state(m.ws)[1] or {}).get("accounts") or {}
    unknown = [("platform", msg) for p in platforms or () for msg in filter_problems(p, None, listed)] + \
        [("account", msg) for a in accounts or () for msg in filter_problems(None, a, listed)] + \
        [("metric", msg) for msg in _metric_problems(metrics)]
    problems = [{"type": "value_error", "loc": ["query", key], "msg": msg} for key, msg in unknown] + \
        range_problems(since, until)
    if problems:
        raise HTTPException(422, problems)


def _metric_problems(metrics: list[str] | None) -> list[str]:
    """The registry's message for each unknown metric id."""
    problems = []
    for metric in metrics or ():
        try:
            resolve([metric])
        except MeasureError as e:
            problems.append(e.message)
    return problems


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
