"""The second half of `measure`: the rows of its queries turned into metric values and data-quality counts.

`measure.build` turns a request into named queries and a `Recipe` (everything the finishing needs of the plan
and the request, as JSON-ready data); `finish` does the rest. Standard library only, so that a cached
measurement (`metrics.compiled`) finishes without importing Ibis, pyarrow or the plan's models.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from strategyfirst.errors import MeasureError
from strategyfirst.metrics.registry import REGISTRY
from strategyfirst.metrics.result import MeasureResult
from strategyfirst.metrics.types import Scope

# How coarse a timestamp may be for each period: a month-precision date cannot be put in a day or week.
PRECISION_RANK = {"second": 0, "minute": 1, "hour": 2, "day": 3, "month": 4, "year": 5}
PERIOD_NEEDS = {"day": 3, "week": 3, "month": 4}
COUNTS = ("negative_reply_gaps", "messages_without_timestamp", "replies_with_missing_parent",
          "owned_unattributed", "source_owned_not_in_plan")
# Query names: one per base ("base:inbound", ...), the precision check, the data-quality parts.
PRECISION = "precision"
BASE = "base:"
COUNT = "quality:count:"
AUDIENCE_NOT_OWNED = "quality:audience_not_owned"
ACCOUNTS_NOT_OWNED = "quality:accounts_not_owned"  # under --account: those the plan's rule does not own
# The accounts behind source_owned_not_in_plan (facts.source_owned_accounts): a query where the counts are
# queried, else stored with the counts under this key (derive.SOURCE_OWNED_KEY).
SOURCE_OWNED = "quality:source_owned_accounts"
SOURCE_OWNED_KEY = "source_owned_not_in_plan_by_account"
# By account, a group is an account on its platform (the same name on X and on Instagram is two accounts): the
# queries key it as platform, this separator, then the normalised handle (`split_account` reads it back).
ACCOUNT_SEP = "\x1f"


def split_account(key: Any) -> tuple[str | None, str | None]:
    """(platform, handle) of a by-account key; (None, key) for a key without a platform."""
    if key is None:
        return None, None
    platform, sep, handle = str(key).partition(ACCOUNT_SEP)
    return (platform, handle) if sep else (None, platform)


class NeedCounts(Exception):
    """The warehouse holds no stored data-quality counts: build again with their queries (`counts=True`)."""


@dataclass
class Recipe:
    """What `finish` needs besides the rows: the request, and what it uses of the plan."""

    by: str
    period: str
    metric_ids: list[str]
    extra_keys: list[str] = field(default_factory=list)  # groups listed even without data (period all)
    names: dict[str, str] = field(default_factory=dict)  # normalised handle -> the plan's spelling
    budgets: dict[str, float | None] = field(default_factory=dict)  # scope key -> budget (budget_burn)
    has_tactics: bool = False  # the plan has tactics with match rules (else owned_unattributed is n/a)
    has_messages: bool = False
    counts: bool = False  # the data-quality counts are queried, not read from `meta`
    has_imports: bool = False
    has_spend_unmatched: bool = False
    has_cost_kinds: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        return cls(**data)


def label(bucket: Any, period: str) -> str:
    """The period label of a bucket's start: 2024-03-05, 2024-W10, 2024-03 or all."""
    if period == "all":
        return "all"
    day = bucket.date() if isinstance(bucket, dt.datetime) else bucket
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def clean(x: float | None, integral: bool) -> float | int | None:
    if x is None:
        return None
    return int(x) if integral and float(x).is_integer() else float(x)


def check_precision(found: list[dict[str, Any]], period: str) -> None:
    """Refuse a period finer than the data's time precision, naming how many messages are too coarse, of which
    accounts and sources (up to three, the largest first), and what to do instead."""
    coarse = [r for r in found if PRECISION_RANK.get(str(r["time_precision"]), 0) > PERIOD_NEEDS[period]]
    if not coarse:
        return
    precisions = sorted({str(r["time_precision"]) for r in coarse}, key=lambda p: PRECISION_RANK.get(p, 0))
    per: dict[tuple[str, str], dict[str, Any]] = {}
    for row in coarse:  # rows of a kept query compiled before they named accounts have no account: skipped
        if row.get("platform") is None and row.get("account") is None:
            continue
        who = per.setdefault((str(row.get("platform")), str(row.get("account"))), {"n": 0, "sources": set()})
        who["n"] += int(row["n"])
        if row.get("source"):
            who["sources"].add(str(row["source"]))
    named = sorted(per.items(), key=lambda kv: (-kv[1]["n"], kv[0]))
    listed = [f"{account} on {platform}: {got['n']}"
              + (f", imported as {', '.join(sorted(got['sources']))}" if got["sources"] else "")
              for (platform, account), got in named[:3]]
    if len(named) > 3:
        listed.append(f"{len(named) - 3} more accounts")
    whose = f" ({'; '.join(listed)})" if listed else ""
    total = sum(int(r["n"]) for r in coarse)
    raise MeasureError(
        f"--period {period} is finer than the data's time precision: {total} messages are dated only to the "
        f"{' or '.join(precisions)}{whose}; use --period month or --period all, or measure the other accounts "
        "alone with --account or --platform")


def finish(recipe: Recipe, results: dict[str, list[dict[str, Any]]]) -> MeasureResult:
    """The MeasureResult of a request from the rows of its queries (`results`, by query name)."""
    if PRECISION in results:
        check_precision(results[PRECISION], recipe.period)
    metrics = [REGISTRY[i] for i in recipe.metric_ids]
    by, period = recipe.by, recipe.period
    cells: dict[tuple[str | None, Any], dict[str, Any]] = {}
    for name, rows in results.items():
        if not name.startswith(BASE):
            continue
        for got in rows:
            row = dict(got)
            cells.setdefault((row.pop("key"), row.pop("bucket", None)), {}).update(row)
    for wanted in recipe.extra_keys:
        cells.setdefault((wanted, None), {})

    names = dict(recipe.names)
    for (found, _), cell in cells.items():
        if cell.get("_name"):
            names[str(found)] = str(cell["_name"]).strip().lstrip("@")
    rows_out: list[dict[str, Any]] = []
    order = sorted(cells, key=lambda kb: (kb[1] is None, kb[1] or dt.datetime.min, str(kb[0])))
    for key, bucket in order:
        shown, platform = key, None
        if by == "account":  # the data's spelling of the account on its platform, else the plan's
            platform, handle = split_account(key)
            shown = names.get(str(key)) or names.get(str(handle), handle)
        scope = Scope(by, str(key), recipe.budgets.get(str(key)))
        period_label = label(bucket, period)
        for metric in metrics:
            got_value = metric.finish(cells[(key, bucket)], scope)
            rows_out.append({
                "metric": metric.id, "by": by, "key": shown, "period": period_label,
                "value": clean(got_value.value, metric.spec.unit == "count"), "n": clean(got_value.n, True),
                "unit": metric.spec.unit, "version": metric.spec.version,
                "numerator": clean(got_value.numerator, True) if metric.quotient else None,
                "denominator": clean(got_value.denominator, True) if metric.quotient else None,
                "platform": platform,
            })
    position = {m.id: i for i, m in enumerate(metrics)}
    rows_out.sort(key=lambda r: (r["period"], str(r["key"]), str(r["platform"] or ""), position[r["metric"]]))
    return MeasureResult(rows_out, quality(recipe, results), by=by, period=period)


def quality(recipe: Recipe, results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The data-quality counts (metrics.md, last section) from the rows of the `quality:` queries."""
    out: dict[str, Any] = {"rows_rejected": 0, "rejected_by_import": [], "negative_reply_gaps": 0,
                           "messages_without_timestamp": 0, "replies_with_missing_parent": 0,
                           "owned_unattributed": None, "source_owned_not_in_plan": 0, "audience_gaps": [],
                           "audience_not_in_plan": []}
    if recipe.has_imports:
        rows = results["quality:imports"]
        out["rejected_by_import"] = rows
        out["rows_rejected"] = sum(int(r["rows_rejected"]) for r in rows)
        if "quality:lower" in results:  # two exports disagreed: the larger lifetime figure was kept
            out["lifetime_figure_disagreements"] = int(_scalar(results["quality:lower"]) or 0)
    counts: dict[str, Any] | None = None
    if results.get("quality:stored"):
        counts = json.loads(results["quality:stored"][0]["value"])
    if counts is None and recipe.has_messages:
        if not recipe.counts:
            raise NeedCounts
        counts = {name[len(COUNT):]: int(_scalar(rows) or 0)
                  for name, rows in results.items() if name.startswith(COUNT)}
    for name in COUNTS:
        if counts is not None and name in counts:
            out[name] = counts[name]
    if counts is not None:  # a reply whose source names no parent (X analytics) has a missing parent too
        out["replies_with_missing_parent"] += int(counts.get("replies_without_parent_id") or 0)
    if out["source_owned_not_in_plan"]:
        named = results.get(SOURCE_OWNED) or (counts or {}).get(SOURCE_OWNED_KEY) or []
        out["source_owned_not_in_plan_accounts"] = int(named[0]["accounts"]) if named else None
        out["source_owned_not_in_plan_largest"] = [
            {"platform": r["platform"], "account": r["account"], "messages": int(r["messages"])} for r in named]
    if not recipe.has_tactics:
        out["owned_unattributed"] = None
    out["audience_gaps"] = [
        {"platform": r["platform"], "account": r["account"], "metric": r["metric"],
         "last_before": r["last_before"].isoformat(), "first_after": r["first_after"].isoformat(),
         "days": int(r["days"]), "growth_misses_the_gap": bool(r["deltas"])}
        for r in results.get("quality:gaps", [])]
    out["audience_not_in_plan"] = [{"platform": r["platform"], "account": r["account"], "rows": int(r["rows"])}
                                   for r in results.get(AUDIENCE_NOT_OWNED, [])]
    if ACCOUNTS_NOT_OWNED in results:
        foreign: dict[tuple[str, str], dict[str, Any]] = {}
        for r in results[ACCOUNTS_NOT_OWNED]:
            entry = foreign.setdefault((r["account"], r["platform"]), {
                "platform": r["platform"], "account": r["name"], "plan_accounts": []})
            if r["listed"] is not None:
                entry["plan_accounts"].append(recipe.names.get(r["listed"], r["listed"]))
        if foreign:  # about the request, not the workspace: only where there is something to say
            out["accounts_not_owned"] = list(foreign.values())
    if recipe.has_spend_unmatched:
        out["spend_unmatched"] = [
            {"campaign": r["campaign"], "amount": round(float(r["amount"]), 2), "currency": r["currency"],
             "rows": int(r["rows"])} for r in results["quality:spend_unmatched"]]
    if recipe.has_cost_kinds:
        kinds = results["quality:cost_kinds"]
        if len([k for k in kinds if k["result_indicator"] is not None]) > 1:
            out["cost_per_result_by_indicator"] = [
                {"result_indicator": k["result_indicator"], "spend": round(float(k["spend"]), 2),
                 "results": float(k["results"] or 0),
                 "cost_per_result": float(k["spend"]) / float(k["results"]) if k["results"] else None}
                for k in kinds]
    return out


def _scalar(rows: list[dict[str, Any]]) -> Any:
    return next(iter(rows[0].values()))


def growth_rows(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """`measure.audience_growth_by_account`'s rows from its query's (`names`: by-account key or normalised
    handle -> the plan's spelling, `recipe.parts`): `key` the account's spelling, `account` its normalised
    handle, on `platform`."""
    return [{"key": names.get(str(r["key"])) or names.get(str(handle), handle), "account": handle,
             "platform": platform, "growth": r["growth"], "first": r["first"], "last": r["last"],
             "first_day": r["first_day"].date() if r["first_day"] is not None else None,
             "last_day": r["last_day"].date() if r["last_day"] is not None else None}
            for r in rows for platform, handle in [split_account(r["key"])]]
