"""The permission funnel: for each tactic and overall, reach -> engagements -> new followers and subscribers (the
permission asset) -> site sessions -> conversions, with the conversion between steps, the trend against the
previous month and where the chain breaks.

Steps (each a registry metric or the site rows of metrics/site.py, so the funnel never counts otherwise):
- reach: `reach`, else `impressions` where the data gives no reach (the step says which), plus the email
  campaigns' successful deliveries (the denominator of `email_open_rate`);
- engagements: `engagements` (for an email campaign its unique clicks, as metrics.md defines engagements);
- new followers / subscribers: `audience_gained` (followers and email lists alike), churn `audience_lost`;
  where the scope's data gives no gains nor losses, only follower counts (Facebook page likes), their net growth
  `audience_growth` (the step says so);
- site sessions: the visits from social and email (`social_sessions` + `email_sessions`; per tactic, the site
  rows its match rules pick: its campaign, else sources naming its platform);
- conversions: the conversions of those same site rows.
The month compared is the latest calendar month with funnel data up to the month of `until` (taken whole, so
that a GA4 row of the month, dated by its last day, counts), the trend is against the month before. The
permission asset is `measure --by account`'s `audience_gained`, `audience_lost` and `audience_growth` (its net).
The chain breaks at the first step without data, else at the conversion that fell most against its own previous
month (else, without history, the weakest conversion).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from strategyfirst.metrics.bases import BUILDERS, Context
from strategyfirst.metrics.funnel_steps import (
    ASSET,
    LATEST,
    MISSING,
    OVERALL,
    SITE,
    STEP_LABELS,
    STEPS,
    Funnel,
    FunnelReport,
    assemble,
    bounds,
    compared_days,
    cut,
    dialogue_only,
    measurements,
    scopes,
)
from strategyfirst.metrics.measure import _window, measure
from strategyfirst.metrics.tables import PlanMaps, Tables, fetch_rows
from strategyfirst.plan import Plan
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.attribution import union_all

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


def _owned_audience(tables: Tables, plan: Plan | None) -> ir.Table | None:
    """The audience rows of the accounts the plan's rule owns, with `ts`."""
    a = tables.audience
    if a is None:
        return None
    listed = tables.plan_accounts if tables.plan_accounts is not None else facts.listed_table(plan)
    a = a.filter(facts.audience_owned(a, listed))
    return a.mutate(ts=a.date.cast("timestamp"))


def _latest(tables: Tables, plan: Plan | None, since: dt.date | None, until: dt.date | None) -> ir.Table | None:
    """The last day (`day`) the funnel's data is dated in the dates: owned messages (not those dated only to
    the month: their day is not known), owned audience rows, the social and email site rows (their end day)."""
    ctx = Context(tables, "none", plan, PlanMaps.of(plan), frozenset())
    days: list[ir.Table] = []
    m = tables.messages
    if m is not None:
        mine = facts.owned_by_plan(m, plan)
        mine = mine.filter(mine.owned & (mine.time_precision != "month"))
        days.append(_window(mine.select(ts=mine.created_at), since, until))
    a = _owned_audience(tables, plan)
    if a is not None:
        days.append(_window(a.select("ts"), since, until))
    site = BUILDERS["site"](ctx)
    if site is not None:
        site = site.filter(site.social | site.email)
        days.append(_window(site.select("ts"), since, until))
    if not days:
        return None
    every = union_all(*days)
    return every.aggregate(day=every.ts.max().cast("date"))


def queries(tables: Tables, plan: Plan | None, since_d: dt.date | None, until_d: dt.date | None) -> dict[str, ir.Table]:
    """The funnel's queries besides its measurements, by name (funnel_steps.SITE + by, LATEST);
    `since_d` and `until_d` as `funnel_steps.bounds` gives them."""
    out: dict[str, ir.Table] = {}
    for by in dict.fromkeys(b for b, _ in scopes(_tactic_ids(plan))):
        site = _site(tables, plan, by, since_d, until_d)
        if site is not None:
            out[SITE + by] = site
    latest = _latest(tables, plan, since_d, until_d)
    if latest is not None:
        out[LATEST] = latest
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

    def read(since_d: dt.date | None, until_d: dt.date | None) -> tuple[dict[str, Any], dict[str, Any]]:
        measured = {name: measure(tables, plan, by=by, period="month", since=since_d, until=until_d,
                                  metric_ids=ids) for name, (by, ids) in measurements(chains).items()}
        return measured, {name: fetch_rows(expr) for name, expr in queries(tables, plan, since_d, until_d).items()}

    measured, rows = read(since_d, until_d)
    cut_at = cut(chains, measured, rows, until_d)
    days = compared_days(cut_at, since_d)
    before = None if days is None else read(*days)
    return assemble(chains, measured, rows, until_d, before, cut_at if days else None, dialogue_only(plan))
