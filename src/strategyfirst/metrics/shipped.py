"""SQL of the standard measurements compiled ahead of time and shipped with the package (`shipped_sql.json`).

A workspace's first measurement ever would import Ibis and compile (~0.5 s at 1M messages, more than DuckDB's
work); the SQL of a measurement by none, account or platform, every period, no dates and no filters, depends
on nothing of the workspace but the warehouse's schema (the same in every warehouse this code writes) and a
little of the plan (`recipe.standard_shape`: whether it has tactics and match rules, the campaigns they name;
its accounts and rules reach that SQL only through the derived tables). So it is compiled once, here, for
each such grouping and period, with every metric, for every standard shape (no plan, a plan without tactics,
tactics whose rules name no campaign, tactics naming campaigns), and looked up by the warehouse's schema, the
request and the plan's standard shape. The campaigns a plan names reach that SQL as one list of literals (the
data-quality query of the spend no tactic gets): it is compiled with a stand-in list (`STAND_IN`) and the
plan's own list takes its place at lookup. A request for some of the metrics takes, of the every-
metric SQL, the aggregations of the bases those metrics read, and of them only their columns (DuckDB drops
the aggregates no one reads). Anything else (another schema, DuckDB release or shape, by tactic or
objective, dates, filters) is compiled with Ibis as before.

`python -m strategyfirst.metrics.shipped --write` regenerates the file (`make shipped-sql`);
tests/metrics/test_shipped.py fails when the file differs from what Ibis compiles now, and checks the
results against the Ibis-compiled SQL. Standard library only at lookup.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.metrics.compiled import Compiled, digest
from strategyfirst.metrics.finish import BASE
from strategyfirst.metrics.registry import ORDER, REGISTRY
from strategyfirst.sqltext import string_list

if TYPE_CHECKING:
    from strategyfirst.metrics.args import Request
    from strategyfirst.plan import Plan

FILE = Path(__file__).with_name("shipped_sql.json")
FORMAT = 1
GROUPINGS = ("none", "account", "platform")
PERIODS = ("all", "day", "week", "month")
# Compiled in place of the campaigns a plan's rules name; the plan's list, quoted, replaces it at lookup.
STAND_IN = "sf-shipped-campaigns"
_loaded: dict[str, Any] | None = None


def _data() -> dict[str, Any] | None:
    """The shipped file, read once per process (None when missing, unreadable or of another format)."""
    global _loaded
    if _loaded is None:
        try:
            data = json.loads(FILE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        _loaded = data if isinstance(data, dict) and data.get("format") == FORMAT else {}
    return _loaded or None


def entry_key(by: str, period: str, shape: str) -> str:
    return digest([by, period, shape])


def generic(shape: str) -> tuple[str, list[str]]:
    """The shape the file keys a plan's SQL by (the campaigns named, if any, as the stand-in) and the plan's
    campaigns (`recipe.standard_shape` lists them trimmed, lower-cased and sorted, as the SQL does)."""
    try:
        parsed = json.loads(shape)
    except ValueError:  # "no-plan"
        return shape, []
    if not isinstance(parsed, dict) or not parsed.get("campaigns"):
        return shape, []
    return json.dumps({**parsed, "campaigns": [STAND_IN]}, sort_keys=True), [str(c) for c in parsed["campaigns"]]


def _literals(campaigns: list[str]) -> str | None:
    """The campaigns as the SQL's list of string literals, as Ibis writes them ('' for a quote); None for a
    name with a backslash or a control character, whose spelling is left to Ibis."""
    if any("\\" in c or any(ord(ch) < 32 or ord(ch) == 127 for ch in c) for c in campaigns):
        return None
    return string_list(campaigns)


def lookup(warehouse_schema: list[list[str]], request: Request, shape: str) -> Compiled | None:
    """The shipped SQL of `request` on a warehouse of `warehouse_schema` for a plan of standard shape `shape`
    (`recipe.standard_shape`), or None."""
    if (request.by not in GROUPINGS or request.since is not None or request.until is not None
            or request.platforms or request.accounts):
        return None
    data = _data()
    if data is None or data.get("schema") != digest(warehouse_schema):
        return None
    key_shape, campaigns = generic(shape)
    entry = data["entries"].get(entry_key(request.by, request.period, key_shape))
    if entry is None:
        return None
    sql = data["sql"]
    queries = {name: sql[i] for name, i in entry["queries"].items()} if isinstance(entry.get("queries"), dict) else {}
    if campaigns:
        listed, stand_in = _literals(campaigns), f"'{STAND_IN}'"
        if listed is None or sum(q.count(stand_in) for q in queries.values()) != 1:
            return None
        queries = {name: q.replace(stand_in, listed) for name, q in queries.items()}
    try:
        full = Compiled.from_dict({**entry, "queries": queries})
    except (ValueError, IndexError, TypeError):
        return None
    wanted = list(request.metric_ids)
    if wanted == full.recipe.metric_ids:
        return full
    return subset(full, wanted, data["columns"])


def subset(full: Compiled, metric_ids: list[str], columns: dict[str, dict[str, list[str]]]) -> Compiled:
    """The measurement of `metric_ids` from that of every metric (`full`): the data-quality and precision
    queries as they are; the aggregation of each base the metrics read (and the owned base, which gives an
    account's spelling by account), with only their columns."""
    recipe = replace(full.recipe, metric_ids=list(metric_ids))
    needed: dict[str, list[str]] = {}
    for metric_id in metric_ids:
        for base in REGISTRY[metric_id].parts:
            kept = needed.setdefault(base, [])
            kept.extend(c for c in columns[metric_id][base] if c not in kept)
    if recipe.by == "account":
        needed.setdefault("owned", []).insert(0, "_name")
    groups = ["key"] if recipe.period == "all" else ["key", "bucket"]
    queries: dict[str, str] = {}
    for name, sql in full.queries.items():
        if not name.startswith(BASE):
            queries[name] = sql
        elif name[len(BASE):] in needed:
            picked = ", ".join(f'"{c}"' for c in [*groups, *needed[name[len(BASE):]]])
            queries[name] = f'SELECT {picked} FROM ({sql}) AS "_sf_all"'
    return Compiled(queries, recipe, full.memtables)


# --- generating the file (Ibis) ----------------------------------------------------------------------------
def plans() -> list[Plan | None]:
    """A plan of each standard shape shipped: none, the demo's (example.yaml: tactics, a campaign: compiled
    with the stand-in instead), the same without campaigns (the simulator's and most plans), without
    tactics."""
    from importlib import resources

    from strategyfirst.plan.document import loads

    demo = loads(resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8"),
                 "example.yaml").plan
    assert demo is not None
    def named(campaign: list[str]) -> Plan:
        return demo.model_copy(update={"tactics": [
            t.model_copy(update={"match": t.match.model_copy(update={"campaign": campaign if t.match.campaign
                                                                     else []}) if t.match else None})
            for t in demo.tactics]})

    return [None, named([STAND_IN]), named([]), demo.model_copy(update={"tactics": []})]


def reduction_columns(backend: Any) -> dict[str, dict[str, list[str]]]:
    """metric id -> base -> the columns its reductions name (the same whatever the grouping and period)."""
    from strategyfirst.metrics.audience import per_series
    from strategyfirst.metrics.bases import BUILDERS, Context
    from strategyfirst.metrics.tables import PlanMaps, Tables

    ctx = Context(Tables.of(backend), "none", None, PlanMaps.of(None), frozenset(ORDER))
    out: dict[str, dict[str, list[str]]] = {}
    for metric_id in ORDER:
        for base, fn in REGISTRY[metric_id].parts.items():
            t = BUILDERS[base](ctx)
            if t is None:
                raise RuntimeError(f"no {base} base on an empty warehouse")
            if base == "audience":
                t = per_series(t, ["key"])
            out.setdefault(metric_id, {})[base] = list(fn(t))
    return out


def generate(con: Any) -> dict[str, Any]:
    """The file's content, compiled with Ibis over the warehouse on `con` (fresh derived tables; no row is
    read): every standard grouping and period with every metric, for each shape of `plans()`."""
    from strategyfirst.metrics.args import request as make_request
    from strategyfirst.metrics.cached import schema
    from strategyfirst.metrics.compiled import compile_queries
    from strategyfirst.metrics.measure import build
    from strategyfirst.metrics.recipe import standard_shape
    from strategyfirst.warehouse.engine import ibis_backend

    backend = ibis_backend(con)
    sql: list[str] = []
    index: dict[str, int] = {}
    entries: dict[str, Any] = {}
    for plan in plans():
        shape = standard_shape(plan)
        for by in GROUPINGS:
            for period in PERIODS:
                req = make_request(by, period, has_tactics=plan is not None and bool(plan.tactics))
                exprs, recipe = build(backend, plan, req)
                compiled = compile_queries(backend, exprs, recipe).to_dict()
                refs = {}
                for name, text in compiled["queries"].items():
                    refs[name] = index.setdefault(text, len(sql))
                    if refs[name] == len(sql):
                        sql.append(text)
                entries[entry_key(by, period, shape)] = {**compiled, "queries": refs}
    return {"format": FORMAT, "schema": digest(schema(con)), "columns": reduction_columns(backend),
            "sql": sql, "entries": entries}


def generate_fresh() -> dict[str, Any]:
    """`generate` over a new, empty warehouse of this code's schema, derived tables built."""
    import tempfile

    from strategyfirst.warehouse import derive
    from strategyfirst.warehouse.engine import open_duckdb

    with tempfile.TemporaryDirectory() as tmp:
        con = open_duckdb(Path(tmp) / "warehouse.duckdb")
        try:
            derive.refresh(con, None, force=True)
            return generate(con)
        finally:
            con.close()


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=0, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render(generate_fresh())
    if argv[1:] == ["--write"]:
        FILE.write_text(text, encoding="utf-8")
        print(f"wrote {FILE} ({len(text):,} bytes)")
        return 0
    if argv[1:] == ["--check"]:
        same = FILE.is_file() and FILE.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{FILE} differs from what Ibis compiles now: make shipped-sql")
        return 0 if same else 1
    print("usage: python -m strategyfirst.metrics.shipped --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
