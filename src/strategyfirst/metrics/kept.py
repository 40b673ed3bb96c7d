"""The permission funnel and each account's audience growth (the report's) on a workspace's warehouse through
the compiled-query cache (`metrics.compiled`).

The funnel's monthly measurements (by each scope's `by`, and by account for the permission asset) go through
`cached.measure_sql`; its site queries and last day (metrics/funnel.py) are kept as SQL in
`.strategyfirst/cache/funnel-<key>.json` with the plan's tactic ids (the funnels it draws), keyed like a
measurement by the code, the warehouse's schema, the plan text and the dates (the SQL reads no row to be
built). A hit runs the stored SQL on DuckDB and `funnel_steps.assemble` does the rest: neither Ibis nor the
plan's models are imported. A miss builds the queries with Ibis, compiles and keeps them; both paths run the
same SQL the same way (`compiled.run`). The audience growth's query is kept
the same way (`growth-<key>.json`, with the plan's spellings of the accounts), built over the audience table
alone as the report always built it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.metrics import args
from strategyfirst.metrics.cached import (
    CACHE_DIR,
    PlanFacts,
    code_version,
    measure_sql,
    of_shape,
    refreshed,
    schema,
)
from strategyfirst.metrics.compiled import Compiled, Store, digest, run
from strategyfirst.metrics.finish import Recipe, growth_rows
from strategyfirst.metrics.funnel_steps import (
    FunnelReport,
    assemble,
    bounds,
    compared_days,
    cut,
    dialogue_only,
    measurements,
    scopes,
)

if TYPE_CHECKING:
    import datetime as dt


KIND = "funnel"
GROWTH = "growth"


def funnel_warehouse(con: Any, facts: PlanFacts, plan_path: Path, state_dir: Path,
                     since: dt.date | str | None = None, until: dt.date | str | None = None) -> FunnelReport:
    """`metrics.funnel.funnel` on the open warehouse connection `con` (the caller holds the workspace lock):
    the derived tables refreshed if stale, the SQL from the cache or compiled and kept."""
    parsed = refreshed(con, facts, plan_path)
    since_d, until_d = bounds(since, until)
    measured, rows, chains, dialogue = _read(con, facts, parsed, state_dir, since_d, until_d)
    cut_at = cut(chains, measured, rows, until_d)
    days = compared_days(cut_at, since_d)  # the month before over as many days as the month shown has data
    before = None if days is None else _read(con, facts, parsed, state_dir, *days)[:2]
    return assemble(chains, measured, rows, until_d, before, cut_at if days else None, dialogue)


def _read(con: Any, facts: PlanFacts, parsed: Any, state_dir: Path, since_d: dt.date | None,
          until_d: dt.date | None
          ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], list[tuple[str, str]], list[str]]:
    """The funnel's monthly measurements and query rows in the dates, its chains and its dialogue-only tactics
    (`funnel_steps.dialogue_only`)."""
    store = Store(state_dir / CACHE_DIR)
    key = digest([KIND, code_version(), schema(con), facts.sha256,
                  [d.isoformat() if d is not None else None for d in (since_d, until_d)]])
    kept = _kept(store.get(KIND, key))
    if kept is not None:
        tactics, dialogue, compiled = kept
    else:
        from strategyfirst.metrics.compiled import compile_queries
        from strategyfirst.metrics.funnel import queries
        from strategyfirst.metrics.tables import Tables
        from strategyfirst.warehouse.engine import ibis_backend

        backend = ibis_backend(con)
        plan_now = parsed()
        tactics = [t.id for t in plan_now.tactics] if plan_now and plan_now.tactics else []
        dialogue = dialogue_only(plan_now)
        compiled = compile_queries(backend, queries(Tables.of(backend), plan_now, since_d, until_d), _RECIPE)
        if of_shape(facts, plan_now):
            store.put(KIND, key, {"tactics": tactics, "dialogue": dialogue, "compiled": compiled.to_dict()})
    chains = scopes(tactics)
    measured = {name: measure_sql(con, args.request(by, "month", since_d, until_d, ids,
                                                    has_tactics=facts.has_tactics), facts, parsed, store)
                for name, (by, ids) in measurements(chains).items()}
    return measured, run(con, compiled), chains, dialogue


def growth_warehouse(con: Any, facts: PlanFacts, plan_path: Path, state_dir: Path,
                     since: dt.date | str | None = None, until: dt.date | str | None = None) -> list[dict[str, Any]]:
    """`metrics.measure.audience_growth_by_account` over the warehouse's audience table on `con`, its SQL from
    the cache or compiled and kept."""
    from strategyfirst.metrics.args import date

    since_d, until_d = date(since, "since"), date(until, "until")
    store = Store(state_dir / CACHE_DIR)
    key = digest([GROWTH, code_version(), schema(con), facts.sha256,
                  [d.isoformat() if d is not None else None for d in (since_d, until_d)]])
    value = store.get(GROWTH, key)
    kept = _kept(value)
    if kept is not None and isinstance(value.get("names"), dict):
        compiled, names = kept[2], {str(k): str(v) for k, v in value["names"].items()}
    else:
        from strategyfirst.metrics.compiled import compile_queries
        from strategyfirst.metrics.measure import _plan_names, audience_growth_query
        from strategyfirst.plan import load
        from strategyfirst.warehouse.engine import ibis_backend

        plan = facts.plan if facts.plan is not None or facts.sha256 is None else load(plan_path).plan
        backend = ibis_backend(con)
        present = set(backend.list_tables())
        query = audience_growth_query({"audience": backend.table("audience") if "audience" in present else None},
                                      plan, since_d, until_d)
        compiled = compile_queries(backend, {GROWTH: query} if query is not None else {}, _RECIPE)
        names = _plan_names(plan)
        if of_shape(facts, plan):
            store.put(GROWTH, key, {"tactics": [], "dialogue": [], "names": names, "compiled": compiled.to_dict()})
    rows = run(con, compiled).get(GROWTH)
    return [] if rows is None else growth_rows(rows, names)


# `Compiled` carries a measurement's recipe; the funnel's queries are finished by `assemble` instead.
_RECIPE = Recipe(by="none", period="month", metric_ids=[])


def _kept(value: Any) -> tuple[list[str], list[str], Compiled] | None:
    """The tactic ids, dialogue-only tactic ids and compiled queries of a stored entry; None for anything else."""
    if not isinstance(value, dict) or not isinstance(value.get("tactics"), list) \
            or not isinstance(value.get("dialogue"), list):
        return None
    try:
        return ([str(t) for t in value["tactics"]], [str(t) for t in value["dialogue"]],
                Compiled.from_dict(value.get("compiled")))
    except ValueError:
        return None
