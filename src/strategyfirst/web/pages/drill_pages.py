"""Drilling down from the strategy map: an objective, a tactic, an account, and the posts table of each (or of
all posts), with their tables as CSV, their charts as SVG/PNG and the view as a self-contained report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from strategyfirst.errors import StrategyFirstError
from strategyfirst.plan import normalise_handle
from strategyfirst.web import charts, drill, services
from strategyfirst.web.deps import AsOf, DatesChecked, PageViewer
from strategyfirst.web.downloads import chart_response, csv_response, file_name
from strategyfirst.web.limits import Day
from strategyfirst.web.pages.dashboard_pages import download_view, horizon_of, page_view
from strategyfirst.web.posts import (
    COLUMNS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    SORTS,
    UNUSUAL_RULE,
    Scope,
    all_posts,
    latest_replies,
    posts_page,
)
from strategyfirst.web.templating import currency_of, render
from strategyfirst.web.view import DEFAULT_PRESET, View, as_of_query, one_of, page_status, whole

router = APIRouter()
TOP_POSTS = 10
ACCOUNT_PRESET = "all"  # an account page's dates without a range: all the data, as the accounts list shows
VIEWS = {"all": "all posts", "outside": "posts attributed to no tactic",
         "unusual": "posts that did unusually well outside any tactic"}


def _plan(m: Any) -> dict[str, Any]:
    _text, plan, problems = services.plan_state(m.ws)
    if plan is None:
        raise HTTPException(404, "the plan does not parse: open the plan page to fix it" if problems
                            else "this workspace has no plan yet")
    return dict(plan)


def _objective(m: Any, objective_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = _plan(m)
    found = next((o for o in plan.get("objectives") or [] if o["id"] == objective_id), None)
    if found is None:
        raise HTTPException(404, f"the plan has no objective {objective_id!r}")
    return plan, found


def _tactic(m: Any, tactic_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = _plan(m)
    found = next((t for t in plan.get("tactics") or [] if t["id"] == tactic_id), None)
    if found is None:
        raise HTTPException(404, f"the plan has no tactic {tactic_id!r}")
    return plan, found


def _query(m: Any) -> Any:
    return lambda sql, params: services._query(m.ws, sql, params)


def _window(scope: Scope, days: tuple[dt.date | None, dt.date | None]) -> Scope:
    """The scope's posts of the days its page's verdicts are judged on (drill.kpi_days)."""
    return replace(scope, since=days[0], until=days[1])


def _top(m: Any, scope: Scope) -> list[dict[str, Any]]:
    if not services.has_data(m.ws):
        return []
    return posts_page(_query(m), scope, "engagements", True, 1, TOP_POSTS).rows


def _kpis(m: Any, diagnosis: dict[str, Any] | None, objective_id: str) -> list[dict[str, Any]]:
    return [{**k, "spec": charts.kpi_spec(k, horizon=horizon_of(m))} for k in (diagnosis or {}).get("kpis", [])
            if k.get("objective") == objective_id]


def _replies(m: Any, scope: Scope) -> list[dict[str, Any]]:
    return latest_replies(_query(m), scope, TOP_POSTS) if services.has_data(m.ws) else []


def _dialogue_href(m: Any, tactic: dict[str, Any], days: tuple[dt.date | None, dt.date | None],
                   as_of: dt.date | None) -> str:
    """The Dialogue page over a tactic's days, kept to its account where its match names only one."""
    accounts = list((tactic.get("match") or {}).get("accounts") or [])
    return _days_dialogue_href(m, days, as_of, str(accounts[0]) if len(accounts) == 1 else None)


def _days_dialogue_href(m: Any, days: tuple[dt.date | None, dt.date | None], as_of: dt.date | None,
                        account: str | None = None) -> str:
    """The Dialogue page over a page's days (all of them without any), of one account or all."""
    view = View("custom", *days, as_of=as_of, account=account) if days != (None, None) \
        else View("all", as_of=as_of)
    query = view.query()
    return f"/w/{m.slug}/dialogue" + (f"?{query}" if query else "")


def _objective_view(m: Any, objective_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    plan, objective = _objective(m, objective_id)
    diagnosis, why = drill.diagnosis_or_none(m.ws, as_of)
    kpis = _kpis(m, diagnosis, objective_id)
    metrics = drill.objective_metrics(objective)
    # ranked on the KPIs' days (the horizon up to the as-of day), as the verdicts beside them are judged
    since, until = days = drill.kpi_days(plan, diagnosis)
    measured = services.has_data(m.ws) and not (since and until and since > until)
    rows = drill.measure_rows(m.ws, "tactic", [*metrics, "spend", "posts"], since=since, until=until) \
        if measured else []
    tactics, rule = drill.ranked_tactics(plan, objective, diagnosis, rows, currency_of(m), days)
    # Its tactics only answer (care desks, no post of their own): its conversation figures and latest replies
    # rather than an empty table of top posts, as a care desk's own page shows.
    answers = drill.answers_only_all(rows, [t["id"] for t in tactics])
    talk = drill.measure_rows(m.ws, "objective", drill.DIALOGUE_FIGURES, since=since, until=until) \
        if answers else []
    verdicts = [v for v in (diagnosis or {}).get("verdicts", []) if v.get("objective") == objective_id
                and v.get("kind") == "strategy_failing"]
    statuses = [k["status"] for k in kpis]
    return {"objective": objective, "kpis": kpis, "tactics": tactics, "rule": rule, "verdicts": verdicts,
            "status": drill.worst(statuses), "no_diagnosis": why, "diagnosis": diagnosis, "as_of": as_of, "days": days,
            "answers_only": answers, "conversation": drill.figures(talk, objective_id, drill.DIALOGUE_FIGURES),
            "scope": _window(Scope(tactics=tuple(t["id"] for t in tactics)), days)}


def _dated(days: tuple[dt.date | None, dt.date | None], as_of: dt.date | None) -> dict[str, Any]:
    """The posts page's query for the days of a page's verdicts (a custom range), keeping its as-of day."""
    return {"since": days[0], "until": days[1], "as_of": as_of}


def _days_query(days: tuple[dt.date | None, dt.date | None], as_of: dt.date | None) -> str:
    """The account links' query of a page's top posts: the days they were posted on, keeping its as-of day."""
    return account_query(View("custom", *days, as_of=as_of)) if days != (None, None) else as_of_query(as_of)


@router.get("/w/{slug}/objectives/{objective_id}")
def read_objective(request: Request, m: PageViewer, objective_id: str, as_of: AsOf) -> Response:
    """An objective (as of a day, else the latest data): its KPIs with charts, its verdict with the sentence
    why, its tactics ranked and its top posts on the KPIs' days."""
    view = _objective_view(m, objective_id, as_of)
    answers = view["answers_only"]
    top = [] if answers else _top(m, view["scope"])
    dated = _dated(view["days"], view["as_of"])
    return render(request, "objective.html", {"m": m, "tab": "strategy", **view, "top": top,
                                              "replies": _replies(m, view["scope"]) if answers else [],
                                              "dialogue_href": _days_dialogue_href(m, view["days"], view["as_of"]),
                                              "as_of_query": as_of_query(view["as_of"]),
                                              "account_query": _days_query(view["days"], view["as_of"]),
                                              "posts_href": _posts_href(m, objective=objective_id, **dated),
                                              "top_csv": _posts_href(m, ".csv", objective=objective_id,
                                                                     sort="engagements", **dated)})


@router.get("/w/{slug}/objectives/{objective_id}/kpis.csv")
def read_objective_kpis_csv(m: PageViewer, objective_id: str, as_of: AsOf, _dates: DatesChecked) -> Response:
    """The objective's KPI table as CSV (ids and raw values: a spreadsheet formats them)."""
    view = _objective_view(m, objective_id, as_of)
    cols = ("objective", "metric", "status", "actual", "target", "expected_now", "forecast_at_deadline",
            "forecast_low", "forecast_high", "deadline", "unit", "n", "reason")
    return csv_response(file_name(m.slug, "objective", objective_id, "kpis"), cols,
                        ([k.get(c) for c in cols] for k in view["kpis"]))


@router.get("/w/{slug}/objectives/{objective_id}/tactics.csv")
def read_objective_tactics_csv(m: PageViewer, objective_id: str, as_of: AsOf, _dates: DatesChecked) -> Response:
    """The objective's tactics, ranked, as CSV: each KPI metric's value, spend and verdict."""
    view = _objective_view(m, objective_id, as_of)
    metrics = [f["metric"] for f in view["tactics"][0]["figures"]] if view["tactics"] else []
    header = ("rank", "tactic", "channel", "owner", "budget", *metrics, "verdict", "why")
    rows = ([n, t["id"], t["channel"], t["owner"], t["budget"], *[f["value"] for f in t["figures"]],
             (t["verdict"] or {}).get("kind"), _why(t["verdict"])] for n, t in enumerate(view["tactics"], 1))
    return csv_response(file_name(m.slug, "objective", objective_id, "tactics"), header, rows)


def _why(verdict: dict[str, Any] | None) -> str | None:
    if verdict is None:
        return None
    return verdict.get("own_figures") or verdict.get("evidence")


@router.get("/w/{slug}/charts/kpi/{objective_id}/{metric}.{fmt}")
def read_kpi_chart(m: PageViewer, objective_id: str, metric: str, fmt: str,
                   as_of: Annotated[Day | None, Query()] = None) -> Response:
    """A KPI's chart (series, target, forecast; as of a day, as the dashboard shows it) as an SVG or PNG file."""
    diagnosis, _why_not = drill.diagnosis_or_none(m.ws, as_of)
    kpi = next((k for k in _kpis(m, diagnosis, objective_id) if k.get("metric") == metric), None)
    return chart_response(kpi["spec"] if kpi else None, fmt, file_name(m.slug, objective_id, metric))


@router.get("/w/{slug}/charts/dialogue/{name}.{fmt}")
def read_dialogue_chart(request: Request, m: PageViewer, name: str, fmt: str) -> Response:
    """One of the dialogue page's charts, for the view in the query (dates, platform, account), as a file."""
    from strategyfirst.web.pages.dashboard_pages import dialogue_charts, dialogue_monthly

    view = download_view(request, m)
    try:
        found = dialogue_charts(m, view, dialogue_monthly(m, view)).get(name)
    except StrategyFirstError:
        found = None
    return chart_response(found, fmt, file_name(m.slug, "dialogue", name))


@router.get("/w/{slug}/objectives/{objective_id}/report.html")
def read_objective_report(m: PageViewer, objective_id: str) -> Response:
    """The report scoped to this objective (its KPIs, tactics, verdicts, budget moves and decisions)."""
    _objective(m, objective_id)
    return _report(m, objective=objective_id)


def _report(m: Any, objective: str | None = None, tactic: str | None = None) -> Response:
    from strategyfirst.report.scope import scoped_report

    key = ("report-scoped", objective, tactic, len(m.state.db.decisions(m.slug)))
    html = services.cached(m.ws, key, lambda: scoped_report(m.ws, objective=objective, tactic=tactic))
    name = file_name(m.slug, "objective" if objective else "tactic", objective or tactic or "", "report")
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}.html"'})


def _tactic_view(m: Any, tactic_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    plan, tactic = _tactic(m, tactic_id)
    diagnosis, why = drill.diagnosis_or_none(m.ws, as_of)
    objectives = [o for o in plan.get("objectives") or [] if o["id"] in (tactic.get("serves") or [])]
    kpi_metrics = [k for o in objectives for k in drill.objective_metrics(o)]
    metrics = list(dict.fromkeys([*kpi_metrics, *drill.FIGURES]))
    # measured on the days its verdict is judged on (the horizon up to the as-of day), as the objective's ranking
    since, until = days = drill.kpi_days(plan, diagnosis)
    measured = services.has_data(m.ws) and not (since and until and since > until)
    rows = drill.measure_rows(m.ws, "tactic", [*metrics, *drill.COSTS], since=since, until=until) \
        if measured else []
    answers = drill.answers_only(rows, tactic_id)
    if answers:  # a care desk: its conversation figures, not a table of posts it never made
        metrics = list(dict.fromkeys([*kpi_metrics, *drill.DIALOGUE_FIGURES]))
        rows = drill.measure_rows(m.ws, "tactic", [*metrics, *drill.ANSWER_COSTS], since=since, until=until)
    return {"tactic": tactic, "objectives": objectives, "no_diagnosis": why, "diagnosis": diagnosis, "as_of": as_of,
            "days": days, "answers_only": answers, "figures": drill.figures(rows, tactic_id, metrics),
            "costs": drill.figures(rows, tactic_id, drill.ANSWER_COSTS if answers else drill.COSTS),
            "verdicts": drill.tactic_verdicts(diagnosis, tactic, currency_of(m)),
            "scope": _window(Scope(tactics=(tactic_id,)), days)}


@router.get("/w/{slug}/tactics/{tactic_id}")
def read_tactic(request: Request, m: PageViewer, tactic_id: str, as_of: AsOf) -> Response:
    """A tactic (as of a day, else the latest data): its figures on its attributed data, spend and cost per
    result, its verdict and its top posts, all on the days its verdict is judged on."""
    view = _tactic_view(m, tactic_id, as_of)
    dated = _dated(view["days"], view["as_of"])
    answers = view["answers_only"]
    return render(request, "tactic.html", {"m": m, "tab": "strategy", **view,
                                           "top": [] if answers else _top(m, view["scope"]),
                                           "replies": _replies(m, view["scope"]) if answers else [],
                                           "dialogue_href": _dialogue_href(m, view["tactic"], view["days"],
                                                                           view["as_of"]),
                                           "as_of_query": as_of_query(view["as_of"]),
                                           "account_query": _days_query(view["days"], view["as_of"]),
                                           "posts_href": _posts_href(m, tactic=tactic_id, **dated),
                                           "top_csv": _posts_href(m, ".csv", tactic=tactic_id, sort="engagements",
                                                                  **dated)})


@router.get("/w/{slug}/tactics/{tactic_id}/figures.csv")
def read_tactic_figures_csv(m: PageViewer, tactic_id: str, as_of: AsOf, _dates: DatesChecked) -> Response:
    """The tactic's figures and costs as CSV (as of the page's day)."""
    view = _tactic_view(m, tactic_id, as_of)
    return _figures_csv(file_name(m.slug, "tactic", tactic_id, "figures"), [*view["figures"], *view["costs"]])


def _figures_csv(name: str, shown: list[dict[str, Any]]) -> Response:
    cols = ("metric", "value", "unit", "n", "numerator", "denominator")
    return csv_response(name, cols, ([f.get(c) for c in cols] for f in shown))


@router.get("/w/{slug}/tactics/{tactic_id}/report.html")
def read_tactic_report(m: PageViewer, tactic_id: str) -> Response:
    """The report scoped to this tactic (the objectives it serves, its verdicts, budget moves and decisions)."""
    _tactic(m, tactic_id)
    return _report(m, tactic=tactic_id)


def _account(m: Any, platform: str, account: str, rows: list[dict[str, Any]]) -> str:
    """The owned account a URL names, as the measurements key it (the plan's spelling): handles match in any
    case with '@' optional (plan.normalise_handle on the platform); an account the workspace does not own is a
    404."""
    plan = services.plan_state(m.ws)[1] or {}
    listed = [h for p, hs in (plan.get("accounts") or {}).items() if p.lower() == platform.lower() for h in hs]
    known = {normalise_handle(str(k), platform): str(k) for k in (*listed, *(r.get("key") for r in rows)) if k}
    key = known.get(normalise_handle(account, platform))
    if key is None:
        raise HTTPException(404, f"the workspace owns no {platform} account {account!r}")
    return key.strip().lstrip("@")


def _account_view(m: Any, platform: str, account: str, view: View) -> dict[str, Any]:
    """The account's figures and top posts over the view's dates up to its as-of day (View.through), as the
    Posts page lists them; whether the workspace owns the account is judged on all the data."""
    platform = platform.strip().lower()
    data = services.has_data(m.ws)
    key = _account(m, platform, account, drill.account_rows(m.ws, platform) if data else [])
    since, until = view.since, view.through
    measured = data and not (since and until and since > until)
    rows = drill.account_rows(m.ws, platform, since, until) if measured else []
    return {"platform": platform, "account": key, "figures": drill.figures(rows, key, drill.FIGURES),
            "audience": drill.figures(rows, key, drill.AUDIENCE), "costs": drill.figures(rows, key, drill.COSTS),
            "scope": Scope(platform=platform, account=key, since=since, until=until)}


def _account_page_view(request: Request, m: Any) -> dict[str, Any]:
    """The view of an account page's URL (dates and as-of day, read as the Posts page reads them; all the data
    without a range, as the accounts list shows it), as template context; the page is one account's, so it takes
    no platform or account filter. Its links to the other view pages name its range (theirs is 30 days)."""
    context = page_view(request, m, ACCOUNT_PRESET)
    view = replace(context["view"], platform=None, account=None)
    return {**context, "view": view, "view_query": view.query(default=DEFAULT_PRESET), "choices": {}}


def account_query(view: View) -> str:
    """'?QUERY' for a link from a posts table to an account page showing the table's days, else ''."""
    query = view.query(platform=None, account=None, default=ACCOUNT_PRESET)
    return f"?{query}" if query else ""


@router.get("/w/{slug}/accounts/{platform}/{account}")
def read_account(request: Request, m: PageViewer, platform: str, account: str) -> Response:
    """An account: its figures and its top posts, both over the view's dates up to its as-of day."""
    context = _account_page_view(request, m)
    view = _account_view(m, platform, account, context["view"])
    dated = {**dict(parse_qsl(context["view_query"])), "platform": view["platform"], "account": view["account"]}
    return render(request, "account.html", {
        **context, "m": m, "tab": "posts", **view, "top": _top(m, view["scope"]),
        "account_query": account_query(context["view"]),
        "posts_href": _posts_href(m, **dated), "top_csv": _posts_href(m, ".csv", **dated, sort="engagements")},
        status=page_status(context["view_problems"]))


@router.get("/w/{slug}/accounts/{platform}/{account}/figures.csv")
def read_account_figures_csv(request: Request, m: PageViewer, platform: str, account: str) -> Response:
    """The account's figures as CSV (over the view's dates up to its as-of day, as the page shows them)."""
    view = _account_view(m, platform, account, download_view(request, m, ACCOUNT_PRESET))
    return _figures_csv(file_name(m.slug, "account", view["platform"], view["account"], "figures"),
                        [*view["figures"], *view["audience"], *view["costs"]])


def _posts_href(m: Any, fmt: str = "", **params: Any) -> str:
    defaults = {"view": "all", "page": 1}
    given = {k: v for k, v in params.items() if v not in (None, "") and defaults.get(k) != v}
    query = urlencode(given)
    return f"/w/{m.slug}/posts{fmt}" + (f"?{query}" if query else "")


def scope_of(m: Any, objective: str, tactic: str, platform: str, account: str, view: str
                 ) -> tuple[Scope, str]:
    """The posts a request asks for, and those words for the page's heading."""
    tactics: tuple[str, ...] | None = None
    what = []
    if objective:
        plan, _found = _objective(m, objective)
        served = [t["id"] for t in plan.get("tactics") or [] if objective in (t.get("serves") or [])]
        tactics = tuple(served)
        what.append(f"objective {objective}")
    if tactic:
        _tactic(m, tactic)
        tactics = (tactic,) if tactics is None or tactic in tactics else ()
        what.append(f"tactic {tactic}")
    if platform:
        what.append(f"platform {platform}")
    if account:
        what.append(f"account {account}")
    scope = Scope(tactics=tactics, platform=platform or None, account=account or None,
                  outside=view == "outside", unusual=view == "unusual")
    return scope, VIEWS.get(view, VIEWS["all"]) + (" of " + ", ".join(what) if what else "")


Text = Annotated[str, Query(max_length=200)]
DIRECTIONS = ("asc", "desc")


def _ordered(given: dict[str, str], wrong: list[str], on_page: bool) -> tuple[str, str, str]:
    """The posts' sort, direction and view of the URL, each one the page knows or its default (and what was
    wrong in `wrong`, listing those it knows)."""
    return (one_of(given, "sort", SORTS, "date", wrong, "sorted by date" if on_page else ""),
            one_of(given, "dir", DIRECTIONS, "desc", wrong, "newest or largest first" if on_page else ""),
            one_of(given, "view", VIEWS, "all", wrong, "showing all posts" if on_page else ""))


@router.get("/w/{slug}/posts")
def read_posts(request: Request, m: PageViewer, objective: Text = "", tactic: Text = "", platform: Text = "",
               account: Text = "", view: Text = "all", sort: Text = "date", dir: Text = "desc",
               page: Text = "", size: Text = "") -> Response:
    """The posts table (all, or an objective's, a tactic's, an account's) of the view's dates (web/view.py),
    sorted and paginated in SQL; a bad date, range, page, size, sort, direction or view is said on the page,
    which shows the default instead, with 422; an unknown platform or account is the 422 error page
    (page_view)."""
    dates = page_view(request, m)
    given = {"page": page, "size": size, "sort": sort, "dir": dir, "view": view}
    wrong = list(dates["view_problems"])
    page_n = whole(given, "page", 1, 1, 10**7, wrong, "showing page 1")
    size_n = whole(given, "size", PAGE_SIZE, 1, MAX_PAGE_SIZE, wrong, f"showing {PAGE_SIZE} posts a page")
    sort, dir, view = _ordered(given, wrong, on_page=True)
    dates["view_problems"] = wrong  # said on the page, above what it shows instead
    status = page_status(wrong)
    scope, heading = scope_of(m, objective, tactic, platform, account, view)
    scope = replace(scope, since=dates["view"].since, until=dates["view"].through)  # no post after the as-of day
    descending = dir != "asc"
    found = posts_page(_query(m), scope, sort, descending, page_n, size_n) if services.has_data(m.ws) else None
    # the view's dates and filters (range, since, until, as_of, platform, account) stay in every link
    params = {**dict(parse_qsl(dates["view_query"])), "objective": objective, "tactic": tactic,
              "platform": platform, "account": account, "view": view}

    def href(**changes: Any) -> str:
        merged = {**params, "sort": found.sort if found else sort, "dir": "desc" if descending else "asc",
                  "page": found.page if found else 1, "size": size_n if size_n != PAGE_SIZE else None, **changes}
        return _posts_href(m, **merged)

    sorted_by = {name: href(sort=name, dir="asc" if found and found.sort == name and descending else "desc",
                            page=1) for name in SORTS}
    keep = {"objective": objective, "tactic": tactic, "view": view, "sort": sort, "dir": dir}
    return render(request, "posts.html", {
        **dates, "view_keep": keep, "m": m, "tab": "posts", "found": found, "heading": heading, "which": view,
        "params": params, "account_query": account_query(dates["view"]),
        "href": href, "sorted_by": sorted_by, "views": VIEWS, "rule": UNUSUAL_RULE,
        "csv_href": _posts_href(m, ".csv", **params, sort=found.sort if found else sort,
                                dir="desc" if descending else "asc")}, status=status)


@router.get("/w/{slug}/posts.csv")
def read_posts_csv(request: Request, m: PageViewer, objective: Text = "", tactic: Text = "", platform: Text = "",
                   account: Text = "", view: Text = "all", sort: Text = "date", dir: Text = "desc") -> Response:
    """Every post of the view as CSV, in the view's order (read from the warehouse a page at a time); a bad
    sort, direction or view is a 422, as a bad date is (a file cannot say what it shows instead)."""
    wrong: list[str] = []
    sort, dir, view = _ordered({"sort": sort, "dir": dir, "view": view}, wrong, on_page=False)
    if wrong:
        raise HTTPException(422, "; ".join(wrong))
    scope, _heading = scope_of(m, objective, tactic, platform, account, view)
    dates = download_view(request, m)
    scope = replace(scope, since=dates.since, until=dates.through)
    rows = all_posts(_query(m), scope, sort, dir != "asc") if services.has_data(m.ws) else iter(())
    name = file_name(m.slug, "posts", objective, tactic, platform, account, view if view != "all" else "")
    return csv_response(name, ("message_id", *COLUMNS), ([r["message_id"], *[r[c] for c in COLUMNS]] for r in rows))
