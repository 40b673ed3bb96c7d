"""The other pages' tables as CSV (issue 18.6): the dialogue by account and the conversations waiting longest
(for the view in the query), the verdicts, the budget proposals, the permission funnel and asset, and readiness by
dimension. Values are the raw figures (ratios as fractions, money in the plan's currency): a spreadsheet
formats them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from strategyfirst.errors import StrategyFirstError
from strategyfirst.metrics.result import account_table
from strategyfirst.web import services
from strategyfirst.web.deps import DatesChecked, PageViewer
from strategyfirst.web.downloads import csv_response, file_name
from strategyfirst.web.pages.dashboard_pages import (
    DIALOGUE_METRICS,
    dialogue_by_account,
    dialogue_waiting,
    download_view,
    view_funnel,
)
from strategyfirst.web.pages.workspace_pages import diagnosis_or_none

router = APIRouter()


@router.get("/w/{slug}/dialogue.csv")
def read_dialogue_csv(request: Request, m: PageViewer) -> Response:
    """The dialogue page's table by account, for the view's dates (up to its as-of day) and filters."""
    view = download_view(request, m)
    try:
        rows = dialogue_by_account(m, view)
    except StrategyFirstError:
        rows = []
    table = account_table(rows)
    return csv_response(file_name(m.slug, "dialogue"), ("account", "platform", *DIALOGUE_METRICS),
                        ([a["account"], a["platform"], *[a["values"].get(metric) for metric in DIALOGUE_METRICS]]
                         for a in table))


@router.get("/w/{slug}/dialogue-waiting.csv")
def read_waiting_csv(request: Request, m: PageViewer) -> Response:
    """The conversations waiting longest for a first reply, for the view's dates and filters: when, where and
    how long, not the customer's words (a message's text may carry a name or an address)."""
    view = download_view(request, m)
    try:
        rows = dialogue_waiting(m, view)
    except StrategyFirstError:
        rows = []
    cols = ("Received (UTC)", "Platform", "Account", "Waited (minutes)", "Answered")
    return csv_response(file_name(m.slug, "dialogue", "waiting-longest"), cols,
                        ([str(r["created_at"])[:19].replace("T", " "), r["platform"], r["account"], r["minutes"],
                          "no" if r["unanswered"] else "yes"] for r in rows))


def _funnel(request: Request, m: Any) -> dict[str, Any]:
    """The funnel JSON of the dashboard's view in the URL, empty without data or when it cannot be computed (the
    page says why)."""
    view = download_view(request, m)
    diagnosis, _why = diagnosis_or_none(m, view.as_of)
    return view_funnel(m, view, diagnosis)


@router.get("/w/{slug}/asset.csv")
def read_asset_csv(request: Request, m: PageViewer) -> Response:
    """The permission asset of the funnel's month: followers and email lists gained, lost and net."""
    funnel = _funnel(request, m)
    cols = ("Platform", "Account or list", "Gained", "Lost (churn)", "Net")
    return csv_response(file_name(m.slug, "asset", str(funnel.get("period") or "")), ("Month", *cols),
                        ([funnel.get("period"), a.get("platform"), a.get("account"), a.get("gained"), a.get("lost"),
                          a.get("net")] for a in funnel.get("asset") or []))


@router.get("/w/{slug}/readiness.csv")
def read_readiness_csv(m: PageViewer, _dates: DatesChecked) -> Response:
    """Readiness by dimension: its score (a fraction), status and what to do (gaps one per line)."""
    try:
        dims = services.readiness_json(m.ws)["dimensions"]
    except StrategyFirstError:
        dims = []
    cols = ("Dimension", "Score", "Status", "What to do")
    return csv_response(file_name(m.slug, "readiness"), cols,
                        ([d["title"], d["score"], d["status"].replace("_", " "), "\n".join(d["gaps"])]
                         for d in dims))


@router.get("/w/{slug}/verdicts.csv")
def read_verdicts_csv(m: PageViewer, _dates: DatesChecked) -> Response:
    """The verdicts: objective, tactic, kind, the probability it states, spend and the sentence why."""
    diagnosis, _why = diagnosis_or_none(m)
    cols = ("objective", "tactic", "kind", "probability", "spend", "evidence")
    rows = ((v.get("objective"), v.get("tactic") or ",".join(v.get("tactics") or []), v.get("kind"),
             v.get("probability"), v.get("spend"), v.get("evidence")) for v in (diagnosis or {}).get("verdicts", []))
    return csv_response(file_name(m.slug, "verdicts"), cols, rows)


@router.get("/w/{slug}/budget.csv")
def read_budget_csv(m: PageViewer, _dates: DatesChecked) -> Response:
    """The budget proposals: from which tactic to which, how much, within which objective, and why."""
    diagnosis, _why = diagnosis_or_none(m)
    cols = ("from", "to", "amount", "objective", "p_better", "why")
    return csv_response(file_name(m.slug, "budget"), cols,
                        ([b.get(c) for c in cols] for b in (diagnosis or {}).get("budget", [])))


@router.get("/w/{slug}/funnel.csv")
def read_funnel_csv(request: Request, m: PageViewer) -> Response:
    """The permission funnel: each chain's steps, this month and the month before."""
    funnel = _funnel(request, m)
    cols = ("scope", "step", "value", "change", "conversion", "conversion_previous")
    rows = ([f.get("scope"), *[s.get(c) for c in cols[1:]]] for f in funnel.get("funnels") or []
            for s in f.get("steps") or [])
    return csv_response(file_name(m.slug, "funnel", str(funnel.get("period") or "")), ("period", *cols),
                        ([funnel.get("period"), *r] for r in rows))
