"""Data-quality counts reported next to every measurement (metrics.md, last section): the queries.

The warehouse computes the data-dependent counts once with the derived tables and keeps them in `meta`; a
backend without that table (Spark over Parquet) recomputes them with the same expressions. The rows of these
queries become the counts in `metrics.finish.quality`.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from strategyfirst.metrics.audience import audience_gaps
from strategyfirst.metrics.finish import AUDIENCE_NOT_OWNED, COUNT, SOURCE_OWNED, Recipe
from strategyfirst.metrics.tables import Tables
from strategyfirst.plan import Plan
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.facts import quality_counts

QUALITY_KEY = "data_quality"


def queries(tables: Tables, inbound: ir.Table | None, attribution: ir.Table | None, plan: Plan | None,
            recipe: Recipe, *, counts: bool = False) -> dict[str, ir.Expr]:
    """The queries behind the data-quality counts, by name; sets the recipe's flags for `finish.quality`.
    `counts`: query the counts of a warehouse that stores none (else they are read from `meta`)."""
    out: dict[str, ir.Expr] = {}
    recipe.has_tactics = plan is not None and any(t.match is not None for t in plan.tactics)
    recipe.has_messages = tables.messages is not None
    if tables.imports is not None:
        recipe.has_imports = True
        imp = tables.imports.filter(tables.imports.rows_rejected > 0).order_by("import_id")
        if "undone_at" in imp.columns:  # an undone import's rejects were taken back with it
            imp = imp.filter(imp.undone_at.isnull())
        out["quality:imports"] = imp.select("import_id", "file", "source", "rows_rejected")
        live = tables.imports
        if "undone_at" in live.columns:
            live = live.filter(live.undone_at.isnull())
        if "rows_lower_figures" in live.columns:
            out["quality:lower"] = live.rows_lower_figures.sum()
    if tables.meta is not None:
        meta = tables.meta
        out["quality:stored"] = meta.filter(meta.key == QUALITY_KEY).select("value")
    if (counts or tables.meta is None) and tables.messages is not None:
        recipe.counts = True
        exprs = quality_counts(tables.messages, inbound, attribution if recipe.has_tactics else None, plan)
        out.update({COUNT + name: e for name, e in exprs.items()})
        out[SOURCE_OWNED] = facts.source_owned_accounts(tables.messages, plan)
    if tables.audience is not None:
        a = tables.audience
        listed = tables.plan_accounts if tables.plan_accounts is not None else facts.listed_table(plan)
        owned = facts.audience_owned(a, listed)
        out["quality:gaps"] = audience_gaps(a.filter(owned))
        # Audience rows of accounts the plan does not own on their platform: left out of the audience metrics.
        other = a.filter(~owned)
        out[AUDIENCE_NOT_OWNED] = other.group_by(["platform", "account"]).aggregate(
            rows=other.count()).order_by(["platform", "account"])
    if tables.spend is not None:
        out.update(spend_queries(tables.spend, plan, recipe))
    return out


def spend_queries(spend: ir.Table, plan: Plan | None, recipe: Recipe) -> dict[str, ir.Expr]:
    """Spend no tactic gets (a campaign no tactic's `match.campaign` names, or an Ads Manager breakdown with
    campaign unknown), and the spend and results of each Ads Manager result indicator (`cost_per_result` is
    null where a scope mixes them)."""
    out: dict[str, ir.Expr] = {}
    s = spend
    if plan is not None and plan.tactics:
        named = sorted({c.strip().lower() for t in plan.tactics if t.match for c in t.match.campaign})
        loose = s.filter(s.tactic.isnull())
        loose = loose.filter(loose.campaign.isnull() | ~loose.campaign.strip().lower().isin(named or [""]))
        recipe.has_spend_unmatched = True
        out["quality:spend_unmatched"] = loose.group_by(campaign=loose.campaign, currency=loose.currency).aggregate(
            amount=loose.amount.sum(), rows=loose.count()).order_by([ibis.desc("amount"), "campaign"])
    if "result_indicator" in s.columns:
        paid = s.filter(s.level.notnull())
        recipe.has_cost_kinds = True
        out["quality:cost_kinds"] = paid.group_by(result_indicator=paid.result_indicator).aggregate(
            spend=paid.amount.sum(), results=paid.results.sum()).order_by("result_indicator")
    return out

