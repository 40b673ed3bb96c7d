"""`measure` on a workspace's warehouse through the compiled-query cache (`metrics.compiled`).

A measurement's SQL depends on the code, the warehouse's schema, the plan's accounts and tactics' rules
(`recipe.sql_shape`: not its KPIs, targets, budgets or objectives, which only the finishing reads, from the
current plan) and the arguments, and on nothing in the rows (`measure.build` reads no data: the data-quality
counts stored with the derived tables are a query of the SQL, and a warehouse without them is measured again
with their queries), so the key leaves out the data version: the first measurement after an import or a KPI
edit runs the SQL kept before it. On a hit the stored SQL runs on DuckDB and `metrics.finish` finishes the
rows: neither Ibis, pyarrow nor the plan's models (pydantic, ruamel) are imported. The web server measures its
snapshot the same way (`measure_sql`). What the freshness check, the argument checks and the finishing need
of the plan (its attribution hash, whether it has tactics, its currency, its shape and parts) is kept per plan
text in the same folder. On a miss, or when the derived tables must be rebuilt first, the plan is parsed and
the queries built with Ibis as `metrics.measure.measure` does; both paths run the same SQL the same way
(`compiled.run`). Before compiling, a miss looks for the request in the SQL shipped compiled ahead of time
(`metrics.shipped`: the standard groupings by none, account and platform), so a workspace's first measurement
of those imports no Ibis either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst.dates import end_of
from strategyfirst.metrics import args
from strategyfirst.metrics.compiled import Store, digest, run
from strategyfirst.metrics.finish import NeedCounts, finish
from strategyfirst.metrics.recipe import parts, plan_recipe, sql_shape, standard_shape
from strategyfirst.sqltext import string_literal, timestamp_literal
from strategyfirst.warehouse.planhash import NO_PLAN
from strategyfirst.warehouse.sqlkeep import code_version
from strategyfirst.warehouse.sqlkeep import warehouse_schema as schema

if TYPE_CHECKING:
    import datetime as dt

    from strategyfirst.metrics.args import Request
    from strategyfirst.metrics.result import MeasureResult
    from strategyfirst.plan import Plan

CACHE_DIR = "cache"


@dataclass
class PlanFacts:
    """What a measurement needs of the plan besides its SQL: the text's sha256 (None without a plan file),
    the attribution hash the derived tables were built for, whether it has tactics, its currency, the hash of
    what the SQL reads of it (`recipe.sql_shape`) and what the finishing reads (`recipe.parts`). `plan` is
    the parsed plan when this process parsed it (None when the facts came from the cache)."""

    sha256: str | None
    plan_hash: str
    has_tactics: bool
    currency: str | None
    shape: str = "no-plan"
    parts: dict[str, Any] = field(default_factory=lambda: {"plan": False})
    plan: Plan | None = None
    standard: str = "no-plan"

    def stored(self) -> dict[str, Any]:
        return {"plan_hash": self.plan_hash, "has_tactics": self.has_tactics, "currency": self.currency,
                "shape": self.shape, "parts": self.parts, "standard": self.standard}

    @classmethod
    def of(cls, plan: Plan | None, sha256: str | None) -> PlanFacts:
        """The facts of a parsed plan."""
        if plan is None:
            return cls(sha256, NO_PLAN, False, None)
        from strategyfirst.warehouse.planhash import plan_hash

        return cls(sha256, plan_hash(plan), bool(plan.tactics),
                   plan.budget.currency if plan.budget is not None else None, sql_shape(plan), parts(plan), plan,
                   standard_shape(plan))


def _facts(sha: str, got: Any) -> PlanFacts | None:
    """The facts `PlanFacts.stored` wrote, or None for anything else."""
    if (isinstance(got, dict) and isinstance(got.get("plan_hash"), str) and isinstance(got.get("shape"), str)
            and isinstance(got.get("parts"), dict) and isinstance(got.get("standard"), str)):
        return PlanFacts(sha, got["plan_hash"], bool(got.get("has_tactics")), got.get("currency"), got["shape"],
                         got["parts"], standard=got["standard"])
    return None


def _read(plan_path: Path) -> tuple[bytes | None, str | None]:
    try:
        raw: bytes | None = plan_path.read_bytes()
    except OSError:
        raw = None  # unreadable: `load` says why
    return raw, hashlib.sha256(raw).hexdigest() if raw is not None else None


def _text(raw: bytes) -> str | None:
    """The plan text of a plan file's bytes as `plan.load` decodes them (None if it cannot)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _key(sha: str | None) -> str:
    return digest(["plan", code_version(), sha])


def _kept(sha: str | None, state_dir: Path) -> PlanFacts | None:
    return None if sha is None else _facts(sha, Store(state_dir / CACHE_DIR).get("plan", _key(sha)))


def kept_facts(plan_path: Path, state_dir: Path) -> PlanFacts | None:
    """The facts of the plan file at `plan_path` when this text was parsed before by this code (kept in the
    cache), else None (nothing is parsed)."""
    if not plan_path.is_file():
        return PlanFacts(None, NO_PLAN, False, None)
    return _kept(_read(plan_path)[1], state_dir)


def plan_facts(plan_path: Path, state_dir: Path, parsed: tuple[str, Plan] | None = None) -> PlanFacts:
    """The facts of the plan file at `plan_path` (PlanError when it is not a valid plan): from the cache when
    this text was parsed before by this code, else parsed (and kept). `parsed`: a (text, plan) the caller
    parsed already (an import's), used when the file holds that very text."""
    if not plan_path.is_file():
        return PlanFacts(None, NO_PLAN, False, None)
    raw, sha = _read(plan_path)
    got = _kept(sha, state_dir)
    if got is not None:
        return got
    if parsed is not None and raw is not None and _text(raw) == parsed[0]:
        plan = parsed[1]  # the same text parses to the same plan: not parsed twice in one import (~0.1 s)
    else:
        from strategyfirst.plan import load
        from strategyfirst.plan.document import load_bytes

        plan = (load_bytes(raw, plan_path.name) if raw is not None else load(plan_path)).plan
    facts = PlanFacts.of(plan, sha)
    if sha is not None:
        Store(state_dir / CACHE_DIR).put("plan", _key(sha), facts.stored())
    return facts


FACTS_KEY = "measure_plan_facts"  # in the warehouse's `meta`: the facts of the plan text the last import read


def note_facts(con: Any, plan_path: Path, state_dir: Path, parsed: tuple[str, Plan] | None = None) -> None:
    """Record in the warehouse on `con` (the caller holds the workspace lock) the facts of the plan file, as an
    import leaves it: a first measurement afterwards finds them there (`facts_in_warehouse`) instead of parsing
    the plan. Nothing for an invalid or missing plan; best effort (a measurement then parses the plan).
    `parsed`: as for `plan_facts`."""
    from strategyfirst.errors import StrategyFirstError

    try:
        facts = plan_facts(plan_path, state_dir, parsed)
    except (StrategyFirstError, OSError, ValueError):
        return
    if facts.sha256 is None:
        return
    value = {"key": _key(facts.sha256), "facts": facts.stored()}
    # As literals: binding parameters imports pandas (sqltext).
    con.execute(f"INSERT OR REPLACE INTO meta VALUES ({string_literal(FACTS_KEY)}, "
                f"{string_literal(json.dumps(value, sort_keys=True))})")


def facts_in_warehouse(con: Any, plan_path: Path, state_dir: Path) -> PlanFacts:
    """The facts of the plan file as the warehouse on `con` recorded them for this text and this code
    (`note_facts`), else `plan_facts` (parsed: PlanError for an invalid plan)."""
    from strategyfirst.warehouse.derive import meta

    if plan_path.is_file():
        _, sha = _read(plan_path)
        try:
            value = json.loads(meta(con, FACTS_KEY) or "null")
        except ValueError:
            value = None
        if sha is not None and isinstance(value, dict) and value.get("key") == _key(sha):
            got = _facts(sha, value.get("facts"))
            if got is not None:
                Store(state_dir / CACHE_DIR).put("plan", _key(sha), got.stored())  # for this process's next reads
                return got
    return plan_facts(plan_path, state_dir)


def measure_warehouse(con: Any, facts: PlanFacts, plan_path: Path, state_dir: Path, *, by: str = "none",
                      period: str = "all", since: dt.date | str | None = None, until: dt.date | str | None = None,
                      metrics: Sequence[str] | None = None, platforms: Sequence[str] | None = None,
                      accounts: Sequence[str] | None = None) -> MeasureResult:
    """`measure` on the open warehouse connection `con` (the caller holds the workspace lock): the derived
    tables refreshed if stale, the SQL from the cache or compiled and kept."""
    request = args.request(by, period, since, until, metrics, platforms=platforms, accounts=accounts,
                           has_tactics=facts.has_tactics)
    return measure_sql(con, request, facts, refreshed(con, facts, plan_path), Store(state_dir / CACHE_DIR))


def refreshed(con: Any, facts: PlanFacts, plan_path: Path) -> Callable[[], Plan | None]:
    """The plan of `facts` as a function parsing it on first need only, once the derived tables on `con` are
    refreshed if stale (parsed then: a refresh reads the plan)."""
    from strategyfirst.warehouse import derive

    plan = facts.plan

    def parsed() -> Plan | None:
        nonlocal plan
        if plan is None and facts.sha256 is not None:
            from strategyfirst.plan import load

            plan = load(plan_path).plan
        return plan

    if derive.fresh_version(con, facts.plan_hash) is None:
        derive.refresh(con, parsed())  # a no-op unless data or plan changed since the last one
    return parsed


def measure_sql(con: Any, request: Request, facts: PlanFacts, plan: Callable[[], Plan | None], store: Store,
                backend: Callable[[], Any] | None = None) -> MeasureResult:
    """`request` measured on the DuckDB connection `con` (fresh derived tables), by the SQL kept in `store`
    for this code, schema, plan shape (`facts.shape`: an edit of KPIs, targets, budgets keeps it) and
    request, finished with the current plan's parts; else the SQL shipped for it (`metrics.shipped`), kept;
    else compiled with Ibis (`plan()` gives the parsed plan;
    `backend()`: an Ibis backend over `con`, else one is made) and kept."""
    warehouse_schema = schema(con)
    request = settled(con, request)
    key = measure_key(warehouse_schema, facts, request)
    compiled = store.compiled(key)
    ahead = None
    if compiled is None:
        from strategyfirst.metrics.shipped import lookup

        compiled = ahead = lookup(warehouse_schema, request, facts.standard)
    if compiled is not None:
        mine = plan_recipe(facts.parts, request.by, request.period, list(request.metric_ids))
        recipe = replace(compiled.recipe, extra_keys=mine.extra_keys, names=mine.names, budgets=mine.budgets)
        try:
            result = finish(recipe, run(con, compiled))
        except NeedCounts:
            pass  # no stored counts (a warehouse refreshed by older code): built below with their queries
        else:
            if ahead is not None:  # kept as if compiled here: the next one finds it without the shipped file
                store.put_compiled(key, ahead)
            return result
    from strategyfirst.metrics.compiled import compile_queries
    from strategyfirst.metrics.measure import build
    from strategyfirst.warehouse.engine import ibis_backend

    ibis_con = backend() if backend is not None else ibis_backend(con)
    parsed = plan()
    exprs, recipe = build(ibis_con, parsed, request)
    compiled = compile_queries(ibis_con, exprs, recipe)
    try:
        result = finish(recipe, run(con, compiled))
    except NeedCounts:
        exprs, recipe = build(ibis_con, parsed, request, counts=True)
        return finish(recipe, run(con, compile_queries(ibis_con, exprs, recipe)))
    if of_shape(facts, parsed):
        store.put_compiled(key, compiled)
    return result


def settled(con: Any, request: Request) -> Request:
    """`request` without the as-of cut (`Request.cut`) where no message of the warehouse on `con` is dated after
    its `until`: the data up to it are then all the data (every reply and conversation message is a message), so
    the cut would change nothing. Looked up on the column's zone maps: no scan when nothing is later."""
    if request.until is None or not request.cut:
        return request
    end = timestamp_literal(end_of(request.until))
    found = con.execute(f"SELECT EXISTS (SELECT 1 FROM messages WHERE created_at >= {end})").fetchone()
    return request if found is None or found[0] else replace(request, cut=False)


def measure_key(warehouse_schema: list[list[str]], facts: PlanFacts, request: Request) -> str:
    """The key of `request`'s kept SQL: this code, the warehouse's `schema`, the plan's SQL shape, the request."""
    return digest(["measure", code_version(), warehouse_schema, facts.shape, request.key()])


def precompile(con: Any, requests: Sequence[Request], facts: PlanFacts, plan: Callable[[], Plan | None],
               store: Store, backend: Callable[[], Any] | None = None) -> int:
    """Keep the SQL of each of `requests` that `measure_sql` would not find in `store`, compiled with Ibis
    and not run (`measure.build` reads no data); one at a time, each looked for just before it is compiled
    (another process may have kept it meanwhile); SQL shipped compiled ahead of time (`metrics.shipped`) is
    kept as it is, without Ibis. Returns how many were compiled."""
    if not requests:
        return 0
    from strategyfirst.metrics.shipped import lookup

    warehouse_schema = schema(con)
    ibis_con: Any = None
    made = 0
    for asked in requests:
        request = settled(con, asked)
        key = measure_key(warehouse_schema, facts, request)
        if store.compiled(key) is not None:
            continue
        ahead = lookup(warehouse_schema, request, facts.standard)
        if ahead is not None:  # compiled ahead of time (metrics.shipped): kept as it is
            store.put_compiled(key, ahead)
            continue
        from strategyfirst.metrics.compiled import compile_queries
        from strategyfirst.metrics.measure import build
        from strategyfirst.warehouse.engine import ibis_backend

        if ibis_con is None:
            ibis_con = backend() if backend is not None else ibis_backend(con)
        parsed = plan()
        exprs, recipe = build(ibis_con, parsed, request)
        if not of_shape(facts, parsed):
            break  # the plan was edited since `facts` were read: nothing of it is kept under their key
        store.put_compiled(key, compile_queries(ibis_con, exprs, recipe))
        made += 1
    return made


def of_shape(facts: PlanFacts, plan: Plan | None) -> bool:
    """True when `plan`, parsed on a miss, has the shape `facts` name (what the kept SQL is keyed by). False when
    the plan file was edited after the facts were read (while a measurement waited for the workspace lock):
    what was built of the edit is not kept under the older text's key, which a revert would find."""
    return plan is facts.plan or sql_shape(plan) == facts.shape


def cache_folder(state_dir: Path) -> Path:
    """Where compiled measurements and plan facts are kept (safe to delete: rebuilt on the next measure)."""
    return state_dir / CACHE_DIR


