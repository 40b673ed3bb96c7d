"""Data-quality counts reported next to every measurement (metrics.md, last section).

The warehouse computes the data-dependent counts once with the derived tables and keeps them in `meta`; a
backend without that table (Spark over Parquet) recomputes them with the same expressions.
"""

from __future__ import annotations

import json
from typing import Any

import ibis
import ibis.expr.types as ir

from strategyfirst.metrics.audience import audience_gaps
from strategyfirst.metrics.tables import Tables, fetch_rows, fetch_scalar
from strategyfirst.plan import Plan
from strategyfirst.warehouse.facts import quality_counts

QUALITY_KEY = "data_quality"
COUNTS = ("negative_reply_gaps", "messages_without_timestamp", "replies_with_missing_parent",
          "owned_unattributed", "source_owned_not_in_plan")


def _stored(tables: Tables) -> dict[str, Any] | None:
    if tables.meta is None:
        return None
    meta = tables.meta
    rows = fetch_rows(meta.filter(meta.key == QUALITY_KEY).select("value"))
    return json.loads(rows[0]["value"]) if rows else None


def data_quality(tables: Tables, inbound: ir.Table | None, attribution: ir.Table | None,
                 plan: Plan | None) -> dict[str, Any]:
    """Rejected rows per import, negative reply gaps, undated messages, missing parents, unattributed owned
    messages, messages their source flagged owned that the plan does not own, gaps between audience exports."""
    out: dict[str, Any] = {"rows_rejected": 0, "rejected_by_import": [], "negative_reply_gaps": 0,
                           "messages_without_timestamp": 0, "replies_with_missing_parent": 0,
                           "owned_unattributed": None, "source_owned_not_in_plan": 0, "audience_gaps": []}
    if tables.imports is not None:
        imp = tables.imports.filter(tables.imports.rows_rejected > 0).order_by("import_id")
        if "undone_at" in imp.columns:  # an undone import's rejects were taken back with it
            imp = imp.filter(imp.undone_at.isnull())
        rows = fetch_rows(imp.select("import_id", "file", "source", "rows_rejected"))
        out["rejected_by_import"] = rows
        out["rows_rejected"] = sum(int(r["rows_rejected"]) for r in rows)
        live = tables.imports
        if "undone_at" in live.columns:
            live = live.filter(live.undone_at.isnull())
        if "rows_lower_figures" in live.columns:  # two exports disagreed: the larger lifetime figure was kept
            lower = fetch_scalar(live.rows_lower_figures.sum())
            out["lifetime_figure_disagreements"] = int(lower or 0)
    has_tactics = plan is not None and any(t.match is not None for t in plan.tactics)
    counts = _stored(tables)
    if counts is None and tables.messages is not None:
        exprs = quality_counts(tables.messages, inbound, attribution if has_tactics else None, plan)
        counts = {name: int(fetch_scalar(e) or 0) for name, e in exprs.items()}
    for name in COUNTS:
        if counts is not None and name in counts:
            out[name] = counts[name]
    if counts is not None:  # a reply whose source names no parent (X analytics) has a missing parent too
        out["replies_with_missing_parent"] += int(counts.get("replies_without_parent_id") or 0)
    if not has_tactics:
        out["owned_unattributed"] = None
    out["audience_gaps"] = gap_rows(tables.audience) if tables.audience is not None else []
    if tables.spend is not None:
        out.update(spend_quality(tables.spend, plan))
    return out


def spend_quality(spend: ir.Table, plan: Plan | None) -> dict[str, Any]:
    """Spend no tactic gets (a campaign no tactic's `match.campaign` names, or an Ads Manager breakdown with
    campaign unknown), and the cost per result of each Ads Manager result indicator (`cost_per_result` is
    null where a scope mixes them)."""
    out: dict[str, Any] = {}
    s = spend
    if plan is not None and plan.tactics:
        named = sorted({c.strip().lower() for t in plan.tactics if t.match for c in t.match.campaign})
        loose = s.filter(s.tactic.isnull())
        loose = loose.filter(loose.campaign.isnull() | ~loose.campaign.strip().lower().isin(named or [""]))
        rows = loose.group_by(campaign=loose.campaign, currency=loose.currency).aggregate(
            amount=loose.amount.sum(), rows=loose.count()).order_by([ibis.desc("amount"), "campaign"])
        out["spend_unmatched"] = [
            {"campaign": r["campaign"], "amount": round(float(r["amount"]), 2), "currency": r["currency"],
             "rows": int(r["rows"])} for r in rows.to_pyarrow().to_pylist()]
    if "result_indicator" in s.columns:
        paid = s.filter(s.level.notnull())
        by = paid.group_by(result_indicator=paid.result_indicator).aggregate(
            spend=paid.amount.sum(), results=paid.results.sum()).order_by("result_indicator")
        kinds = by.to_pyarrow().to_pylist()
        if len([k for k in kinds if k["result_indicator"] is not None]) > 1:
            out["cost_per_result_by_indicator"] = [
                {"result_indicator": k["result_indicator"], "spend": round(float(k["spend"]), 2),
                 "results": float(k["results"] or 0),
                 "cost_per_result": float(k["spend"]) / float(k["results"]) if k["results"] else None}
                for k in kinds]
    return out


def gap_rows(audience: ir.Table) -> list[dict[str, Any]]:
    """The gaps between exports in each audience series, as JSON-ready rows."""
    rows = fetch_rows(audience_gaps(audience))
    return [{"platform": r["platform"], "account": r["account"], "metric": r["metric"],
             "last_before": r["last_before"].isoformat(), "first_after": r["first_after"].isoformat(),
             "days": int(r["days"]), "growth_misses_the_gap": bool(r["deltas"])} for r in rows]
