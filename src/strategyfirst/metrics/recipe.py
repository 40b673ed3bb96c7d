"""What a measurement reads of the plan, split in two: the parts its SQL depends on (`sql_shape`) and the parts
only `metrics.finish` uses (`parts`: budgets, the groups listed without data, the accounts' spellings).

A cached measurement's SQL is keyed by the shape, so an edit of a KPI, a target, a budget, an objective's
statement or the readiness answers keeps it; the finishing parts are read from the current plan every time.
The shape keeps every field of the plan but those in `NOT_IN_SQL`, so a field added to the plan is in the
shape until someone shows it is not read by the SQL (tests/metrics/test_cached.py builds the queries of two
plans differing in every field of `NOT_IN_SQL` and checks the SQL is the same). Standard library only: a
cached measurement finishes without importing the plan's models.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from strategyfirst.handles import trim_space
from strategyfirst.metrics.finish import ACCOUNT_SEP, Recipe

ALL_KEY = "all"
# Fields of the plan (top level) and of each tactic that no query of `measure.build` reads.
NOT_IN_SQL = frozenset({"organisation", "owner", "horizon", "budget", "review", "strategy", "objectives", "lint",
                        "readiness"})
TACTIC_NOT_IN_SQL = frozenset({"owner", "budget", "experiment", "expected_inbound_per_week"})


def sql_shape(plan: Any) -> str:
    """A hash of the plan's fields the SQL of a measurement may depend on ('no-plan' without a plan)."""
    if plan is None:
        return "no-plan"
    data = plan.model_dump(mode="json")
    kept = {k: v for k, v in data.items() if k not in NOT_IN_SQL}
    kept["tactics"] = [{k: v for k, v in t.items() if k not in TACTIC_NOT_IN_SQL} for t in data.get("tactics", [])]
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


def standard_shape(plan: Any) -> str:
    """What the SQL of a standard grouping (by none, account or platform; no dates, no filters) reads of the
    plan once the derived tables are fresh, as JSON: whether there is a plan, whether it has tactics and any
    with a match rule (the data-quality queries and flags), and the campaigns the rules name (the spend no
    tactic gets). The plan's accounts and rules reach those queries only through the derived tables (owned
    messages, inbound pairs, `plan_accounts` which the audience's ownership reads); by tactic and objective the
    SQL reads the rules themselves (`sql_shape`). `metrics.shipped` keeps SQL compiled ahead of time under
    this; tests/metrics/test_shipped.py compiles plans that differ in everything else to the same SQL."""
    if plan is None:
        return "no-plan"
    campaigns = sorted({c.strip().lower() for t in plan.tactics if t.match for c in t.match.campaign})
    return json.dumps({"tactics": bool(plan.tactics), "matched": any(t.match is not None for t in plan.tactics),
                       "campaigns": campaigns}, sort_keys=True)


def parts(plan: Any) -> dict[str, Any]:
    """The plan's parts `plan_recipe` needs, JSON-ready (kept with the plan's facts in the cache)."""
    if plan is None:
        return {"plan": False}
    from strategyfirst.plan import normalise_handle

    # the plan's spelling of an account, for accounts named only in mentions or audience data: by its by-account
    # key (its platform's spelling: TikTok's `northwindcycles` is not X's `NorthwindCycles`), else by handle
    names: dict[str, str] = {}
    for platform, handles in plan.accounts.items():
        for h in handles:
            handle, spelling = normalise_handle(h, platform), trim_space(h).lstrip("@")
            names.setdefault(f"{platform.lower()}{ACCOUNT_SEP}{handle}", spelling)
            names.setdefault(handle, spelling)
    return {"plan": True, "total": plan.budget.total if plan.budget is not None else None,
            "tactics": [{"id": t.id, "budget": t.budget, "serves": list(t.serves)} for t in plan.tactics],
            "objectives": [o.id for o in plan.objectives], "names": names}


def _budget(p: dict[str, Any], by: str, key: str) -> float | None:
    if not p["plan"]:
        return None
    tactics = p["tactics"]
    budgets = [t["budget"] for t in tactics if t["budget"] is not None]
    if by == "none":
        if p["total"] is not None:
            return p["total"]
        return sum(budgets) if budgets else None
    if by == "tactic":
        tactic = next((t for t in tactics if t["id"] == key), None)
        return tactic["budget"] if tactic is not None else None
    if by == "objective":
        served = [t["budget"] for t in tactics if key in t["serves"] and t["budget"] is not None]
        return sum(served) if served else None
    return None


def plan_recipe(p: dict[str, Any], by: str, period: str, metric_ids: list[str]) -> Recipe:
    """What `finish` needs of the plan (`parts`) for a request: groups listed without data, spellings,
    budgets."""
    tactic_ids = [t["id"] for t in p.get("tactics", [])]
    objective_ids = p.get("objectives", [])
    extra: list[str] = []
    if period == "all":
        if by == "none":
            extra = [ALL_KEY]
        elif by == "tactic" and p["plan"]:
            extra = list(tactic_ids)
        elif by == "objective" and p["plan"]:
            extra = list(objective_ids)
    keys: list[str] = []
    if by == "none":
        keys = [ALL_KEY]
    elif by == "tactic" and p["plan"]:
        keys = list(tactic_ids)
    elif by == "objective" and p["plan"]:
        keys = list(objective_ids) + [s for t in p["tactics"] for s in t["serves"]]
    budgets = {k: _budget(p, by, k) for k in dict.fromkeys(keys)}
    return Recipe(by, period, list(metric_ids), extra, dict(p.get("names", {})),
                  {k: v for k, v in budgets.items() if v is not None})
