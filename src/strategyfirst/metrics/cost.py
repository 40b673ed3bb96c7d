"""Cost metrics: spend (spend table plus per-message promoted spend), budget burn, cost per result.

The `spend` base has one row per spend-table row or owned message with spend, with `amount`. The cost-per
metrics divide by aggregates of the `owned` and `audience` bases of the same scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.audience import _growth
from strategyfirst.metrics.types import Measured, Metric, Scope, num, ratio, total

if TYPE_CHECKING:
    import ibis.expr.types as ir


def _spend(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"spend_sum": t.amount.sum(), "spend_n": t.amount.count()}


def _engagements(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"eng_sum": t.eng.sum(), "eng_n": t.eng.count()}


def _burn(row: Mapping[str, Any], scope: Scope) -> Measured:
    """Spend / budget of the scope (tactic budget, objective's tactics, plan total); null without a budget."""
    spent = row.get("spend_sum") if num(row, "spend_n") > 0 else None
    if spent is None or not scope.budget:
        return Measured(None, 0.0, None if spent is None else float(spent), scope.budget)
    return Measured(float(spent) / scope.budget, scope.budget, float(spent), scope.budget)


def _per_subscriber(row: Mapping[str, Any], scope: Scope) -> Measured:
    """Spend / audience growth, null when growth ≤ 0."""
    growth = row.get("aud_growth") if num(row, "aud_growth_n") > 0 else None
    spent = row.get("spend_sum") if num(row, "spend_n") > 0 else None
    if growth is None or spent is None or float(growth) <= 0:
        return Measured(None, 0.0, None if spent is None else float(spent),
                        None if growth is None else float(growth))
    return Measured(float(spent) / float(growth), float(growth), float(spent), float(growth))


def _results(t: ir.Table) -> dict[str, ir.Scalar]:
    """Spend and results of the Ads Manager rows (a row without results counts its spend, 0 results), and how
    many result indicators they mix."""
    return {"cpr_spend": t.amount.sum(where=t.paid), "cpr_results": t.results.sum(where=t.paid),
            "cpr_kinds": t.result_indicator.nunique(where=t.paid & t.result_indicator.notnull())}


def _per_result(row: Mapping[str, Any], scope: Scope) -> Measured:
    """Spend / results within one result indicator; null when the scope mixes indicators (never a sum of unlike
    results: data quality lists the cost per result of each indicator)."""
    spent = row.get("cpr_spend")
    if spent is None or num(row, "cpr_kinds") > 1:
        return Measured(None, 0.0, None if spent is None else float(spent), None)
    return ratio("cpr_spend", "cpr_results")(row, scope)


COST: tuple[Metric, ...] = (
    Metric(BY_ID["spend"], {"spend": _spend}, total("spend_sum", "spend_n")),
    Metric(BY_ID["budget_burn"], {"spend": _spend}, _burn, quotient=True),
    Metric(BY_ID["cost_per_engagement"], {"spend": _spend, "owned": _engagements},
           ratio("spend_sum", "eng_sum"), quotient=True),
    Metric(BY_ID["cost_per_new_subscriber"], {"spend": _spend, "audience": _growth}, _per_subscriber,
           quotient=True),
    Metric(BY_ID["cost_per_result"], {"spend": _results}, _per_result, quotient=True),
)
