"""The permission funnel: for each tactic and overall, reach -> engagements -> new followers and subscribers (the
permission asset) -> site sessions -> conversions, with the conversion between steps, the trend against the
previous month and where the chain breaks.

Steps (each a registry metric or the site rows of metrics/site.py, so the funnel never counts otherwise):
- reach: `reach`, else `impressions` where the data gives no reach (the step says which), plus the email
  campaigns' successful deliveries (the denominator of `email_open_rate`);
- engagements: `engagements` (for an email campaign its unique clicks, as metrics.md defines engagements);
- new followers / subscribers: `audience_gained` (followers and email lists alike), churn `audience_lost`;
- site sessions: the visits from social and email (`social_sessions` + `email_sessions`; per tactic, the site
  rows its match rules pick: its campaign, else sources naming its platform);
- conversions: the conversions of those same site rows.
The month compared is the latest calendar month with funnel data up to the month of `until` (taken whole, so
that a GA4 row of the month, dated by its last day, counts), the trend is against the month before. The
chain breaks at the first step without data, else at the conversion that fell most against its own previous
month (else, without history, the weakest conversion).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from strategyfirst.metrics.bases import BUILDERS, Context
from strategyfirst.metrics.funnel_steps import (
    _MEASURED,
    ASSET,
    MISSING,
    OVERALL,
    SITE,
    STEP_LABELS,
    STEPS,
    Funnel,
    FunnelReport,
    assemble,
    bounds,
    scopes,
)
from strategyfirst.metrics.measure import _window, measure
from strategyfirst.metrics.tables import PlanMaps, Tables, fetch_rows
from strategyfirst.plan import Plan
from strategyfirst.warehouse import facts

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["ASSET", "MISSING", "OVERALL", "SITE", "STEPS", "STEP_LABELS", "Funnel", "FunnelReport", "funnel",
           "queries"]


def _site(tables: Tables, plan: Plan | None, by: str, since: dt.date | None, until: dt.date | None) -> ir.Table | None:
    """Sessions and conversions of the social and email site rows by key and month."""
    ctx = Context(tables, by, plan, PlanMaps.of(plan), frozenset())
    t = BUILDERS["site"](ctx)
    if t is None:
        return None
    t = _window(t, since, until)
    t = t.filter(t.social | t.email).mutate(bucket=t.ts.truncate("M"))
    return t.group_by(["key", "bucket"]).aggregate(sessions=t.sessions.sum(), conversions=t.conversions.sum())


def _asset(tables: Tables, plan: Plan | None) -> ir.Table | None:
    """Followers and subscribers gained and lost by platform, account and month (the funnel keeps the month
    it shows and the one before), of the accounts the plan's rule owns."""
    a = tables.audience
    if a is None:
        return None
    listed = tables.plan_accounts if tables.plan_accounts is not None else facts.listed_table(plan)
    a = a.filter(facts.audience_owned(a, listed))
    t = a.mutate(month=a.date.cast("timestamp").truncate("M"))
    t = t.filter(t.month.notnull())
    return t.group_by(["platform", "account", "month"]).aggregate(gained=t.gained.sum(), lost=t.lost.sum())


def queries(tables: Tables, plan: Plan | None, since_d: dt.date | None, until_d: dt.date | None) -> dict[str, ir.Table]:
    """The funnel's queries besides its measurements, by name (funnel_steps.SITE + by, ASSET); `since_d` and
    `until_d` as `funnel_steps.bounds` gives them."""
    out: dict[str, ir.Table] = {}
    for by in dict.fromkeys(b for b, _ in scopes(_tactic_ids(plan))):
        site = _site(tables, plan, by, since_d, until_d)
        if site is not None:
            out[SITE + by] = site
    asset = _asset(tables, plan)
    if asset is not None:
        out[ASSET] = asset
    return out


def _tactic_ids(plan: Plan | None) -> list[str]:
    return [t.id for t in plan.tactics] if plan and plan.tactics else []


def funnel(source: Any, plan: Plan | None = None, since: dt.date | str | None = None,
           until: dt.date | str | None = None) -> FunnelReport:
    """The permission funnel overall and per tactic of `plan` for the latest month with data (see module),
    over Ibis tables (a workspace's warehouse keeps its queries: metrics/kept.py)."""
    since_d, until_d = bounds(since, until)
    tables = Tables.of(source)
    chains = scopes(_tactic_ids(plan))
    measured = {by: measure(tables, plan, by=by, period="month", since=since_d, until=until_d, metric_ids=_MEASURED)
                for by in dict.fromkeys(b for b, _ in chains)}
    rows = {name: fetch_rows(expr) for name, expr in queries(tables, plan, since_d, until_d).items()}
    return assemble(chains, measured, rows, until_d)
