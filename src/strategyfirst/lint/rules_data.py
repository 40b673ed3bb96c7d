"""Rules that check the plan against the workspace's data, where lint sees a warehouse (`Workspace.lint`).

`spend-without-tactic`: money spent on a campaign that no tactic's `match: {campaign: ...}` names is spend the
plan does not account for (issue 15); the Ads Manager breakdowns with campaign unknown are data quality's.
"""

from __future__ import annotations

from collections.abc import Iterator

from strategyfirst.lint.registry import Hit, LintContext, Rule, register


def _spend_without_tactic(ctx: LintContext) -> Iterator[Hit]:
    if not ctx.spend:
        return
    named = {c.strip().lower() for t in ctx.plan.tactics if t.match for c in t.match.campaign}
    totals: dict[tuple[str, str | None], float] = {}
    for campaign, amount, currency in ctx.spend:
        if campaign.strip().lower() not in named:
            key = (campaign.strip(), currency)
            totals[key] = totals.get(key, 0.0) + amount
    for (campaign, currency), amount in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0][0])):
        spent = f"{amount:,.2f}" + (f" {currency}" if currency else "")
        yield Hit(("tactics",), f"{spent} was spent on campaign {campaign!r}, which no tactic matches: the plan "
                  "does not say what that money serves",
                  hint=f"Add `campaign: [\"{campaign}\"]` to the `match` of the tactic it belongs to, or stop "
                       "the campaign.")


register(Rule("spend-without-tactic", "warning",
              "spend in the workspace's data is on a campaign no tactic matches (lint on a workspace with data)",
              "Add the campaign to the `match: {campaign: [...]}` of the tactic it serves.",
              _spend_without_tactic))
