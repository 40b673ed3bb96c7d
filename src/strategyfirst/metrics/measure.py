"""`measure`: every requested metric by scope and period, in one grouped aggregation per base table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import ibis
import ibis.expr.types as ir

from strategyfirst.errors import MeasureError
from strategyfirst.metrics.audience import per_series
from strategyfirst.metrics.bases import ALL_KEY, BUILDERS, Context
from strategyfirst.metrics.filters import narrow
from strategyfirst.metrics.quality import data_quality
from strategyfirst.metrics.registry import resolve
from strategyfirst.metrics.result import MeasureResult
from strategyfirst.metrics.tables import PlanMaps, Tables, fetch_rows
from strategyfirst.metrics.types import Metric, Reductions, Scope
from strategyfirst.plan import Plan, normalise_handle
from strategyfirst.warehouse import facts

BY_CHOICES = ("none", "objective", "tactic", "account", "platform")
PERIODS = {"all": None, "day": "D", "week": "W", "month": "M"}
# How coarse a timestamp may be for each period: a month-precision date cannot be put in a day or week.
_PRECISION_RANK = {"second": 0, "minute": 1, "hour": 2, "day": 3, "month": 4, "year": 5}
_PERIOD_NEEDS = {"day": 3, "week": 3, "month": 4}


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise MeasureError(f"--{name} {value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def _window(t: ir.Table, since: dt.date | None, until: dt.date | None) -> ir.Table:
    if since is not None:
        t = t.filter(t.ts >= ibis.timestamp(dt.datetime.combine(since, dt.time())))
    if until is not None:
        t = t.filter(t.ts < ibis.timestamp(dt.datetime.combine(until + dt.timedelta(days=1), dt.time())))
    return t


def _check_precision(tables: Tables, period: str, since: dt.date | None, until: dt.date | None) -> None:
    """Refuse a period finer than the data's time precision, naming how many messages are too coarse."""
    m = tables.messages
    if period == "all" or m is None or "time_precision" not in m.columns:
        return
    t = _window(m.mutate(ts=m.created_at), since, until)
    found = fetch_rows(t.group_by("time_precision").aggregate(n=t.count()))
    for row in sorted(found, key=lambda r: -_PRECISION_RANK.get(str(r["time_precision"]), 0)):
        if _PRECISION_RANK.get(str(row["time_precision"]), 0) > _PERIOD_NEEDS[period]:
            raise MeasureError(
                f"--period {period} is finer than the data's time precision: {row['n']} messages are dated "
                f"only to the {row['time_precision']}; use --period month or --period all")


def _label(bucket: Any, period: str) -> str:
    if period == "all":
        return "all"
    day = bucket.date() if isinstance(bucket, dt.datetime) else bucket
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def _budget(plan: Plan | None, by: str, key: str) -> float | None:
    if plan is None:
        return None
    budgets = [t.budget for t in plan.tactics if t.budget is not None]
    if by == "none":
        if plan.budget is not None and plan.budget.total is not None:
            return plan.budget.total
        return sum(budgets) if budgets else None
    if by == "tactic":
        tactic = plan.tactic(key)
        return tactic.budget if tactic is not None else None
    if by == "objective":
        served = [t.budget for t in plan.tactics if key in t.serves and t.budget is not None]
        return sum(served) if served else None
    return None


def _plan_names(plan: Plan | None) -> dict[str, str]:
    """Normalised handle -> the plan's spelling, for accounts the data names only in mentions."""
    names: dict[str, str] = {}
    for hs in (plan.accounts if plan else {}).values():
        for h in hs:
            names.setdefault(normalise_handle(h), h.strip().lstrip("@"))
    return names


def _clean(x: float | None, integral: bool) -> float | int | None:
    if x is None:
        return None
    return int(x) if integral and float(x).is_integer() else float(x)


def _aggregate(ctx: Context, base: str, reductions: Sequence[Reductions], period: str,
               since: dt.date | None, until: dt.date | None) -> list[dict[str, Any]]:
    t = BUILDERS[base](ctx)
    if t is None:
        return []
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
    return fetch_rows(t.group_by(groups).aggregate(**aggs))


def measure(source: Any, plan: Plan | None = None, by: str = "none", period: str = "all",
            since: dt.date | str | None = None, until: dt.date | str | None = None,
            metric_ids: Iterable[str] | None = None, *, platforms: Iterable[str] | None = None,
            accounts: Iterable[str] | None = None) -> MeasureResult:
    """Every requested metric by `by` and `period` over Ibis tables (a backend, a mapping or `Tables`),
    optionally only for some platforms and accounts (`metrics.filters`)."""
    if by not in BY_CHOICES:
        raise MeasureError(f"--by {by!r} is not one of {', '.join(BY_CHOICES)}")
    if period not in PERIODS:
        raise MeasureError(f"--period {period!r} is not one of {', '.join(PERIODS)}")
    if by in ("tactic", "objective") and (plan is None or not plan.tactics):
        raise MeasureError(f"--by {by} needs a plan with tactics (strategy.yaml); without one use "
                           "--by account, --by platform or --by none")
    metrics: list[Metric] = resolve(metric_ids)
    since_d, until_d = _date(since, "since"), _date(until, "until")
    tables = Tables.of(source)
    _check_precision(tables, period, since_d, until_d)
    # Owned is the plan's rule (facts.owned_by_plan) wherever a fact is recomputed from `messages`; the data
    # quality counts read the stored flag to report what the plan leaves out.
    owned = tables if tables.messages is None else replace(
        tables, messages=facts.owned_by_plan(tables.messages, plan))
    whole = Context(owned, by, plan, PlanMaps.of(plan), frozenset(m.id for m in metrics))
    ctx = narrow(whole, platforms, accounts)

    per_base: dict[str, list[Reductions]] = {}
    for metric in metrics:
        for base, fn in metric.parts.items():
            if fn not in per_base.setdefault(base, []):
                per_base[base].append(fn)
    if by == "account":
        per_base.setdefault("owned", [])  # the owned base also gives each account's spelling in the data
    cells: dict[tuple[str | None, Any], dict[str, Any]] = {}
    for base, fns in per_base.items():
        for row in _aggregate(ctx, base, fns, period, since_d, until_d):
            cells.setdefault((row.pop("key"), row.pop("bucket", None)), {}).update(row)
    if period == "all":
        extra: list[str] = []
        if by == "none":
            extra = [ALL_KEY]
        elif by == "tactic" and plan is not None:
            extra = [t.id for t in plan.tactics]
        elif by == "objective" and plan is not None:
            extra = [o.id for o in plan.objectives]
        for wanted in extra:
            cells.setdefault((wanted, None), {})

    names = _plan_names(plan)
    for (found, _), cell in cells.items():
        if cell.get("_name"):
            names[str(found)] = str(cell["_name"]).strip().lstrip("@")
    rows: list[dict[str, Any]] = []
    order = sorted(cells, key=lambda kb: (kb[1] is None, kb[1] or dt.datetime.min, str(kb[0])))
    for key, bucket in order:
        label = _label(bucket, period)
        shown = names.get(str(key), key) if by == "account" else key
        scope = Scope(by, str(key), _budget(plan, by, str(key)))
        for metric in metrics:
            got = metric.finish(cells[(key, bucket)], scope)
            rows.append({
                "metric": metric.id, "by": by, "key": shown, "period": label,
                "value": _clean(got.value, metric.spec.unit == "count"), "n": _clean(got.n, True),
                "unit": metric.spec.unit, "version": metric.spec.version,
                "numerator": _clean(got.numerator, True) if metric.quotient else None,
                "denominator": _clean(got.denominator, True) if metric.quotient else None,
            })
    rows.sort(key=lambda r: (r["period"], str(r["key"]), [m.id for m in metrics].index(r["metric"])))
    return MeasureResult(rows, data_quality(tables, whole.inbound(), whole.attribution(), plan), by=by,
                         period=period)


def audience_growth_by_account(source: Any, plan: Plan | None = None, since: dt.date | str | None = None,
                               until: dt.date | str | None = None) -> list[dict[str, Any]]:
    """Per account: `audience_growth` exactly as `measure --by account` computes it (the same base and
    `per_series`), with the first and last snapshot (summed over the account's series) and their days; for
    the report's permission-asset table."""
    since_d, until_d = _date(since, "since"), _date(until, "until")
    ctx = Context(Tables.of(source), "account", plan, PlanMaps.of(plan), frozenset({"audience_growth"}))
    t = BUILDERS["audience"](ctx)
    if t is None:
        return []
    s = per_series(_window(t, since_d, until_d), ["key"])
    rows = s.group_by("key").aggregate(
        growth=s.growth.sum(), first=s["first"].sum(), last=s["last"].sum(),
        first_day=s.first_ts.min(), last_day=s.last_ts.max()).order_by("key").to_pyarrow().to_pylist()
    names = _plan_names(plan)
    return [{"key": names.get(str(r["key"]), r["key"]), "account": r["key"], "growth": r["growth"],
             "first": r["first"], "last": r["last"],
             "first_day": r["first_day"].date() if r["first_day"] is not None else None,
             "last_day": r["last_day"].date() if r["last_day"] is not None else None} for r in rows]
