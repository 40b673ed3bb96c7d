"""The KPI dashboard (charts with targets and forecasts) and the dialogue view (inbound vs answered), both for
the view the URL asks for (web/view.py: dates, as-of, platform and account)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from strategyfirst.dates import horizon_note
from strategyfirst.errors import StrategyFirstError
from strategyfirst.web import charts, services
from strategyfirst.web.deps import PageViewer, checked_as_of
from strategyfirst.web.templating import render_shared
from strategyfirst.web.view import DEFAULT_PRESET, PRESETS, View, filter_problems, page_status, parse_view

router = APIRouter()
DIALOGUE_METRICS = ("inbound_messages", "response_rate", "first_response_minutes_median",
                    "first_response_minutes_p90", "dialogue_ratio", "sentiment_lift")


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def page_view(request: Request, m: Any, default: str = DEFAULT_PRESET) -> dict[str, Any]:
    """The view of the URL (presets count back from the latest data; `default` without a range) and the
    filters' choices (the platforms and accounts the plan names), as template context. A bad as-of day, an
    unknown platform or account is the error page (422), as on the pages that take only that day
    (deps.checked_as_of): every figure of a view page depends on it; a bad range or date is said beside the view
    shown instead."""
    checked_as_of(request.query_params)
    try:
        latest = _day(services.diagnose_json(m.ws).get("as_of"))
    except StrategyFirstError:
        latest = None
    plan = services.plan_state(m.ws)[1] or {}
    horizon = plan.get("horizon") or {}
    start, end = _day(horizon.get("start")), _day(horizon.get("end"))
    view, problems = parse_view(request.query_params, latest=latest, horizon=(start, end) if start and end else None,
                                default=default)
    accounts = plan.get("accounts") or {}
    unknown = filter_problems(view.platform, view.account, accounts)
    if unknown:  # as a bad as-of day: every figure of the page would be of nothing
        raise HTTPException(422, "; ".join(unknown))
    choices = {"platforms": sorted(accounts), "accounts": sorted({a for names in accounts.values() for a in names})}
    return {"view": view, "view_problems": problems, "presets": PRESETS, "choices": choices,
            "view_query": view.query(), "as_of_note": horizon_note(view.as_of, start, end)}


def query_status(request: Request) -> int:
    """The status of a view page for its URL, before the page is rendered (or its shared rendering looked up):
    422 when a date or range of the URL is bad (said on the page beside the view shown instead), else 200. What
    is wrong with the URL alone does not depend on the data or the plan (without a horizon only a note)."""
    return page_status(parse_view(request.query_params)[1])


def horizon_of(m: Any) -> tuple[dt.date | None, dt.date | None]:
    """The plan's horizon (start, end), the x axis of its KPI charts; (None, None) without one."""
    horizon = (services.plan_state(m.ws)[1] or {}).get("horizon") or {}
    return _day(horizon.get("start")), _day(horizon.get("end"))


def download_view(request: Request, m: Any, default: str = DEFAULT_PRESET) -> View:
    """The view of a download's URL (a CSV, a chart): a page says what was wrong beside what it shows instead,
    a file cannot, so a bad date or range is a 422 rather than a file of other dates."""
    context = page_view(request, m, default)
    if context["view_problems"]:
        raise HTTPException(422, "; ".join(context["view_problems"]))
    view: View = context["view"]
    return view


def _by_objective(m: Any, view: View, since: dt.date, until: dt.date, metrics: list[str]
                  ) -> dict[tuple[str, str], Any]:
    rows = services.measure_json(m.ws, "objective", "all", since, until, metrics, platforms=view.platforms,
                                 accounts=view.accounts)["rows"]
    return {(str(r["key"]), str(r["metric"])): r.get("value") for r in rows}


def compared_periods(view: View) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """(this period, the period before) as the dashboard compares them: the view's dates cut at its as-of day,
    and as many days from the start of the period before (like for like); None for all data, or for dates that
    all lie after the as-of day."""
    previous, since, until = view.previous, view.since, view.through
    if previous is None or since is None or until is None or until < since:
        return None
    return (since, until), (previous[0], previous[0] + (until - since))


def period_figures(m: Any, view: View, kpis: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each KPI's figure on its objective's own data (`measure --by objective`, as the KPI's actual is
    measured) over the view's dates cut at the as-of day, and over as many days from the start of the period
    before; by (objective, metric). {} for all data, or for dates that all lie after the as-of day."""
    compared = compared_periods(view)
    if compared is None or not kpis:
        return {}
    (since, until), before = compared
    metrics = sorted({str(k["metric"]) for k in kpis})
    try:
        now = _by_objective(m, view, since, until, metrics)
        then = _by_objective(m, view, *before, metrics)
    except StrategyFirstError:
        return {}
    keys = {(str(k["objective"]), str(k["metric"])) for k in kpis}
    return {key: {"dates": (since, until), "value": now.get(key), "previous": before,
                  "previous_value": then.get(key)} for key in keys}


def funnel_until(view: View, diagnosis: dict[str, Any] | None) -> dt.date | None:
    """The last day of the view's funnel: the view's end, cut at its as-of day (the diagnosis's, by default the
    latest data inside the plan's horizon), so the dashboard's month is the report's for the same as-of day."""
    as_of = _day((diagnosis or {}).get("as_of")) or view.as_of
    days = [d for d in (view.until, as_of) if d is not None]
    return min(days) if days else None


def view_funnel(m: Any, view: View, diagnosis: dict[str, Any] | None) -> dict[str, Any]:
    """The funnel JSON of the view (funnel_until), empty without data or when it cannot be computed."""
    try:
        return services.funnel_json(m.ws, funnel_until(view, diagnosis)) if services.has_data(m.ws) else {}
    except StrategyFirstError:  # the KPIs still show; the funnel says it has nothing
        return {}


@router.get("/w/{slug}/dashboard")
def read_dashboard(request: Request, m: PageViewer) -> Response:
    """Every KPI with its status, a chart of its series, target line and forecast; this period and the one
    before."""
    return render_shared(request, "dashboard.html", m, lambda: dashboard_context(request, m), query_status(request))


def dashboard_context(request: Request, m: Any) -> dict[str, Any]:
    context = page_view(request, m)
    view: View = context["view"]
    try:
        diagnosis, why = services.diagnose_json(m.ws, view.as_of), None
    except StrategyFirstError as exc:
        diagnosis, why = None, str(exc)
    compared = compared_periods(view)  # the days the cards compare, shaded on each KPI's chart
    shaded = [("this period", *compared[0]), ("the period before", *compared[1])] if compared else []
    kpis = [{**k, "spec": charts.kpi_spec(k, shaded, horizon_of(m))} for k in (diagnosis or {}).get("kpis", [])]
    periods = period_figures(m, view, kpis)
    # the form says "compared with" the days the cards' previous figures are of (as many days as the as-of day
    # leaves of this period), only when they show some
    compared = next(iter(periods.values()))["previous"] if periods else None
    funnel = view_funnel(m, view, diagnosis) or None
    return {**context, "m": m, "tab": "dashboard", "diagnosis": diagnosis, "kpis": kpis, "no_diagnosis": why,
            "funnel": funnel, "periods": periods, "compared": compared}


def _buckets(m: Any, view: View) -> list[tuple[str, int]]:
    """The window's inbound messages (up to the as-of day) by time to first reply (services.reply_buckets)."""
    if not services.has_data(m.ws):
        return []
    try:
        return services.reply_buckets(m.ws, view.since, view.through, view.platform, view.account)
    except StrategyFirstError:  # the page still shows the rest
        return []


def dialogue_charts(m: Any, view: View, monthly: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The dialogue page's charts by name (those with data), from its monthly rows: the page draws them, the
    chart download route (pages/drill_pages.py) draws one as a file."""
    found = {"inbound": charts.dialogue_spec(monthly), "response-time": charts.response_time_spec(monthly),
             "buckets": charts.buckets_spec(_buckets(m, view))}
    return {name: spec for name, spec in found.items() if spec}


def dialogue_monthly(m: Any, view: View) -> list[dict[str, Any]]:
    """The dialogue metrics per month of the view's window (up to its as-of day, View.through) and filters."""
    rows: list[dict[str, Any]] = services.measure_json(m.ws, "none", "month", view.since, view.through,
                                                       DIALOGUE_METRICS, platforms=view.platforms,
                                                       accounts=view.accounts)["rows"]
    return rows


def dialogue_by_account(m: Any, view: View) -> list[dict[str, Any]]:
    """The dialogue metrics per account over the view's window (up to its as-of day) and filters: the page's
    table and dialogue.csv."""
    rows: list[dict[str, Any]] = services.measure_json(m.ws, "account", "all", view.since, view.through,
                                                       DIALOGUE_METRICS, platforms=view.platforms,
                                                       accounts=view.accounts)["rows"]
    return rows


def dialogue_window(view: View) -> str:
    """The days the dialogue page counts, in words: the view's, cut at the end of its as-of day (View.through;
    the view's own end when the as-of day is before its start, which the page says apart)."""
    end = view.until if view.since and view.through and view.through < view.since else view.through
    if view.since is None:
        return f"up to {end}" if end else "in all the data"
    return f"from {view.since} to {end}" if end else f"from {view.since} on"


def dialogue_waiting(m: Any, view: View) -> list[dict[str, Any]]:
    """The view's inbound messages (up to its as-of day) waiting longest for a first reply: the page's table and
    dialogue-waiting.csv."""
    if not services.has_data(m.ws):
        return []
    return services.waiting_longest(m.ws, view.since, view.through, view.platform, view.account, as_of=view.as_of)


@router.get("/w/{slug}/dialogue")
def read_dialogue(request: Request, m: PageViewer) -> Response:
    """Inbound messages vs answered ones, response times, per month and overall, for the view's window up to
    its as-of day; the conversations waiting longest for a first reply."""
    return render_shared(request, "dialogue.html", m, lambda: dialogue_context(request, m), query_status(request))


def dialogue_context(request: Request, m: Any) -> dict[str, Any]:
    context = page_view(request, m)
    view: View = context["view"]
    monthly: list[dict[str, Any]] = []
    overall: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    if view.since and view.through and view.through < view.since:  # measure would answer with a CLI's words
        why: str | None = f"nothing counts: the as-of day {view.as_of} is before {view.since}, the first day shown"
    else:
        try:
            monthly, overall, waiting, why = dialogue_monthly(m, view), dialogue_by_account(m, view), \
                dialogue_waiting(m, view), None
        except StrategyFirstError as exc:
            why = str(exc)
    found = dialogue_charts(m, view, monthly)
    specs, names = list(found.values()), list(found)
    # a window without inbound messages in a workspace that has some: say so, and offer the days that have them
    span = services.inbound_span(m.ws, view.platform, view.account, view.as_of) \
        if not specs and why is None else None
    span_query = view.query(preset="custom", since=span[0], until=span[1]) if span else None
    # none up to the as-of day, but some after it: the days that have them, shown without the as-of day
    later = services.inbound_span(m.ws, view.platform, view.account) \
        if not specs and why is None and span is None and view.as_of else None
    later_query = view.query(preset="custom", since=later[0], until=later[1], as_of=None) if later else None
    return {**context, "m": m, "tab": "dialogue", "specs": specs, "chart_names": names, "overall": overall,
            "metrics": DIALOGUE_METRICS, "problem": why, "waiting": waiting, "span": span, "span_query": span_query,
            "later": later, "later_query": later_query, "window": dialogue_window(view)}
