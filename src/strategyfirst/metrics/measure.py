"""`measure`: every requested metric by scope and period, in one grouped aggregation per base table.

`build` turns a request into named Ibis expressions and a `Recipe`; they run on any Ibis backend (on DuckDB
as the SQL of `metrics.compiled`, which `Workspace.measure` also caches on disk) and `metrics.finish` turns
their rows into the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import ibis
import ibis.expr.types as ir

from strategyfirst.dates import end_of
from strategyfirst.metrics import args
from strategyfirst.metrics.args import BY_CHOICES, PERIODS, Request
from strategyfirst.metrics.asof import before
from strategyfirst.metrics.audience import per_series
from strategyfirst.metrics.bases import BUILDERS, Context
from strategyfirst.metrics.compiled import compile_queries, run
from strategyfirst.metrics.filters import in_scope, narrow, not_owned
from strategyfirst.metrics.finish import (
    ACCOUNTS_NOT_OWNED,
    BASE,
    PERIOD_NEEDS,
    PRECISION,
    PRECISION_RANK,
    NeedCounts,
    Recipe,
    finish,
    growth_rows,
)
from strategyfirst.metrics.quality import queries as quality_queries
from strategyfirst.metrics.recipe import parts
from strategyfirst.metrics.recipe import plan_recipe as recipe_of
from strategyfirst.metrics.registry import REGISTRY
from strategyfirst.metrics.result import MeasureResult
from strategyfirst.metrics.tables import PlanMaps, Tables, fetch_rows
from strategyfirst.metrics.types import Metric, Reductions
from strategyfirst.plan import Plan
from strategyfirst.warehouse import facts

__all__ = ["BY_CHOICES", "PERIODS", "build", "execute", "measure", "measure_request", "plan_recipe"]

_date = args.date  # funnel.py's name for it


def _window(t: ir.Table, since: dt.date | None, until: dt.date | None) -> ir.Table:
    if since is not None:
        t = t.filter(t.ts >= ibis.timestamp(dt.datetime.combine(since, dt.time())))
    if until is not None:
        t = t.filter(t.ts < ibis.timestamp(end_of(until)))
    return t


def _precision(tables: Tables, request: Request, narrowed: Context) -> ir.Table | None:
    """Messages the measurement reads (owned or inbound, `filters.in_scope`) per time precision too coarse for
    the period, account and source, in the request's window, platforms and accounts (`finish.check_precision`
    refuses the period when there are any, naming them). Only those precisions are counted: on data dated to
    the second the filter skips every row group on its min/max statistics instead of grouping all messages
    (and DuckDB then builds the semi join on the empty side)."""
    m, period = tables.messages, request.period
    if period == "all" or m is None or "time_precision" not in m.columns:
        return None
    coarser = [p for p, rank in PRECISION_RANK.items() if rank > PERIOD_NEEDS[period]]
    t = _window(m.mutate(ts=m.created_at), request.since, request.until)
    t = in_scope(t.filter(t.time_precision.isin(coarser)), narrowed)
    # by account and source too, so that the refusal names them (a small table: only the too coarse rows)
    if tables.imports is not None:
        i = tables.imports.select(sid=tables.imports.import_id, source=tables.imports.source)
        t = t.left_join(i, t.import_id == i.sid)
    else:
        t = t.mutate(source=ibis.null(str))
    return t.group_by("time_precision", "platform", "account", "source").aggregate(n=t.count())


def _aggregate(ctx: Context, base: str, reductions: Sequence[Reductions], period: str,
               since: dt.date | None, until: dt.date | None) -> ir.Table | None:
    t = BUILDERS[base](ctx)
    if t is None:
        return None
    t = _window(t, since, until)
    groups = ["key"]
    if period != "all":
        t = t.filter(t.ts.notnull()).mutate(bucket=t.ts.truncate(PERIODS[period]))
        groups.append("bucket")
    if base == "audience":
        t = per_series(t, groups)
    aggs: dict[str, ir.Scalar] = {}
    if base == "owned" and ctx.by == "account":
        aggs["_name"] = t.name.min()  # the spelling the data gives, for display
    for fn in reductions:
        aggs.update(fn(t))
    return t.group_by(groups).aggregate(**aggs)


def _plan_names(plan: Plan | None) -> dict[str, str]:
    """Normalised handle -> the plan's spelling, for accounts the data names only in mentions."""
    names: dict[str, str] = parts(plan).get("names", {})
    return names


def plan_recipe(plan: Plan | None, request: Request) -> Recipe:
    """What `finish` needs of the plan for this request: groups listed without data, spellings, budgets."""
    return recipe_of(parts(plan), request.by, request.period, list(request.metric_ids))


def build(source: Any, plan: Plan | None, request: Request, *,
          counts: bool = False) -> tuple[dict[str, ir.Expr], Recipe]:
    """The named queries of a request over Ibis tables (a backend, a mapping or `Tables`) and the recipe
    that finishes their rows (`metrics.finish`); `counts`: query the data-quality counts even where the
    warehouse stores them."""
    metrics: list[Metric] = [REGISTRY[i] for i in request.metric_ids]
    since_d, until_d = request.since, request.until
    tables = Tables.of(source)
    recipe = plan_recipe(plan, request)
    exprs: dict[str, ir.Expr] = {}
    # Owned is the plan's rule (facts.owned_by_plan) wherever a fact is recomputed from `messages`; the data
    # quality counts read the stored flag to report what the plan leaves out.
    owned = tables if tables.messages is None else replace(
        tables, messages=facts.owned_by_plan(tables.messages, plan))
    whole = Context(owned, request.by, plan, PlanMaps.of(plan), frozenset(m.id for m in metrics))
    if until_d is not None and request.cut:  # replies and messages after `until` were not there yet
        whole = before(whole, until_d, tables.messages)
    ctx = narrow(whole, request.platforms, request.accounts)
    foreign = not_owned(tables, whole, request.accounts)
    if foreign is not None:
        exprs[ACCOUNTS_NOT_OWNED] = foreign
    precision = _precision(tables, request, ctx)
    if precision is not None:
        exprs[PRECISION] = precision

    per_base: dict[str, list[Reductions]] = {}
    for metric in metrics:
        for base, fn in metric.parts.items():
            if fn not in per_base.setdefault(base, []):
                per_base[base].append(fn)
    if request.by == "account":
        per_base.setdefault("owned", [])  # the owned base also gives each account's spelling in the data
    for base, fns in per_base.items():
        expr = _aggregate(ctx, base, fns, request.period, since_d, until_d)
        if expr is not None:
            exprs[BASE + base] = expr
    exprs.update(quality_queries(tables, whole.inbound(), whole.attribution(), plan, recipe, counts=counts))
    return exprs, recipe


def execute(exprs: dict[str, ir.Expr], recipe: Recipe) -> dict[str, list[dict[str, Any]]]:
    """The rows of each query: on DuckDB as compiled SQL (`metrics.compiled.run`, as a cached measurement runs
    it), elsewhere through Ibis."""
    backends = {id(b): b for b in (ibis.get_backend(e) for e in exprs.values())}
    if len(backends) == 1:
        backend = next(iter(backends.values()))
        if getattr(backend, "name", None) == "duckdb":
            return run(backend.con, compile_queries(backend, exprs, recipe))
    return {name: fetch_rows(e) for name, e in exprs.items()}


def measure_request(source: Any, plan: Plan | None, request: Request) -> MeasureResult:
    """`measure` of a checked request."""
    exprs, recipe = build(source, plan, request)
    try:
        return finish(recipe, execute(exprs, recipe))
    except NeedCounts:  # a warehouse whose derived tables stored no counts: query them
        exprs, recipe = build(source, plan, request, counts=True)
        return finish(recipe, execute(exprs, recipe))


def measure(source: Any, plan: Plan | None = None, by: str = "none", period: str = "all",
            since: dt.date | str | None = None, until: dt.date | str | None = None,
            metric_ids: Iterable[str] | None = None, *, platforms: Iterable[str] | None = None,
            accounts: Iterable[str] | None = None) -> MeasureResult:
    """Every requested metric by `by` and `period` over Ibis tables (a backend, a mapping or `Tables`),
    optionally only for some platforms and accounts (`metrics.filters`)."""
    request = args.request(by, period, since, until, metric_ids, platforms=platforms, accounts=accounts,
                           has_tactics=plan is not None and bool(plan.tactics))
    return measure_request(source, plan, request)


def audience_growth_by_account(source: Any, plan: Plan | None = None, since: dt.date | str | None = None,
                               until: dt.date | str | None = None) -> list[dict[str, Any]]:
    """Per account: `audience_growth` exactly as `measure --by account` computes it (the same base and
    `per_series`), with the first and last snapshot (summed over the account's series) and their days; for
    the report's permission-asset table."""
    query = audience_growth_query(source, plan, since, until)
    return [] if query is None else growth_rows(fetch_rows(query), _plan_names(plan))


def audience_growth_query(source: Any, plan: Plan | None = None, since: dt.date | str | None = None,
                          until: dt.date | str | None = None) -> ir.Table | None:
    """The query of `audience_growth_by_account` (None without audience data), finished by `growth_rows`."""
    since_d, until_d = _date(since, "since"), _date(until, "until")
    ctx = Context(Tables.of(source), "account", plan, PlanMaps.of(plan), frozenset({"audience_growth"}))
    t = BUILDERS["audience"](ctx)
    if t is None:
        return None
    s = per_series(_window(t, since_d, until_d), ["key"])
    # A growth from snapshots runs from the last snapshot before the window (per_series' `base`): shown from it.
    deltas = s.n_delta > 0
    s = s.mutate(first=ibis.ifelse(deltas, s["first"], s.base),
                 first_ts=ibis.ifelse(deltas, s.first_ts, s.prev_ts.fill_null(s.first_ts)))
    return s.group_by("key").aggregate(
        growth=s.growth.sum(), first=s["first"].sum(), last=s["last"].sum(),
        first_day=s.first_ts.min(), last_day=s.last_ts.max()).order_by("key")
