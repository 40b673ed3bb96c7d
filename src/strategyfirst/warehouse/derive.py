"""Derived tables rebuilt when data or plan change: inbound pairs with first-reply gaps, sentiment,
attribution, and the facts `measure` aggregates (owned messages, conversations) with the data-quality counts.

They are Ibis expressions (warehouse/facts.py, warehouse/attribution.py) run through the warehouse's backend
and materialised, so that `measure` only aggregates. `meta` records the data fingerprint and the plan hash
they were built from; `refresh` rebuilds only when stale, and scores sentiment only for messages without
a score.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from strategyfirst.sqltext import sql_literal, string_literal
from strategyfirst.warehouse.engine import ibis_backend
from strategyfirst.warehouse.materialise import drop_strays, materialise, transaction
from strategyfirst.warehouse.sqlkeep import (
    checked_tables,
    code_version,
    compile_sql,
    digest,
    small_tables,
    warehouse_schema,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from strategyfirst.plan import Plan, Tactic

# Ibis, pyarrow, the plan's models and the fact expressions are imported where a rebuild needs them: checking
# that the derived tables are fresh (`fresh_version`) is a few queries, and a cached measurement needs no more.

def score(texts: list[str]) -> list[float]:
    """VADER compound scores (`warehouse.sentiment`, whose worker pool is imported only when texts are scored)."""
    from strategyfirst.warehouse.sentiment import score as vader

    return vader(texts)


# The thread of `import_in_background` (once per process), and the lock that starts it once.
_importing: threading.Thread | None = None
_importing_lock = threading.Lock()
# Scores of texts computed ahead of the rebuild (`score_ahead`) by text, the threads computing them, and the
# lock of both. VADER gives a text the same score whenever it runs: the rebuild takes these as they are.
_ahead: dict[str, float] = {}
_ahead_threads: list[threading.Thread] = []
_ahead_lock = threading.Lock()


def score_ahead(texts: list[str]) -> None:
    """Score `texts` in worker processes (`warehouse.sentiment`, a thread waiting for them) while the caller
    goes on importing, for the rebuild's `update_sentiment` to take instead of scoring them then: at the end of
    an import the rebuild waits for VADER (Python, one core) before it can build `inbound`; done ahead, the
    scoring runs while DuckDB merges the file. Not on the thread itself: VADER would hold the GIL the import's
    own Python needs. A score that fails here is computed there, as without it; `settle` waits for the thread
    and forgets the scores."""
    from strategyfirst.warehouse.sentiment import score as vader

    def run() -> None:
        with contextlib.suppress(Exception):
            scored = dict(zip(texts, vader(texts, apart=True), strict=True))
            with _ahead_lock:
                _ahead.update(scored)

    thread = threading.Thread(target=run, name="strategyfirst-sentiment-ahead", daemon=True)
    with _ahead_lock:
        _ahead_threads.append(thread)
    thread.start()


def _scored_ahead() -> dict[str, float]:
    """The scores of `score_ahead`, once its threads are done."""
    with _ahead_lock:
        threads = list(_ahead_threads)
    for thread in threads:
        thread.join()
    with _ahead_lock:
        return dict(_ahead)


def import_in_background() -> None:
    """Import, on a thread, what a rebuild of the derived tables needs first (Ibis and its DuckDB backend,
    pyarrow, pandas, the fact expressions: ~0.6 CPU s on one thread), while the caller keeps DuckDB busy staging
    more files (DuckDB releases the GIL while a statement runs). `refresh` waits for it before it imports any
    of them, and the caller calls `settle` before it returns, so no thread outlives the import. What the thread
    cannot import is imported, and fails, where it is used, as without it. Once per process."""
    global _importing
    with _importing_lock:
        if _importing is None:
            _importing = threading.Thread(target=_import_rebuild_modules, name="strategyfirst-derive-imports",
                                          daemon=True)
            _importing.start()


def settle() -> None:
    """Wait for the thread of `import_in_background`, if one was started (no module imported on two threads
    at once), and for those of `score_ahead`, whose scores are then forgotten (an import's, used or not)."""
    _imported()
    _scored_ahead()
    with _ahead_lock:
        _ahead.clear()
        _ahead_threads.clear()


def _imported() -> None:
    """Wait for the thread of `import_in_background`, if one was started."""
    if _importing is not None:
        _importing.join()


def _import_rebuild_modules() -> None:
    # An error here is no error: the rebuild imports the same modules again, and fails there as it would have.
    with contextlib.suppress(Exception):
        import ibis.backends.duckdb  # noqa: F401

        from strategyfirst.warehouse import facts  # noqa: F401  (Ibis, pyarrow, the plan's models)
    with contextlib.suppress(Exception):
        import pandas  # noqa: F401  (Ibis's memtable of the plan's handles imports it: ~0.5 s)


DATA_KEY = "derived_data_version"
PLAN_KEY = "attribution_plan_hash"
QUALITY_KEY = "data_quality"
# In the stored counts: the rows of facts.source_owned_accounts (metrics.finish.quality names them).
SOURCE_OWNED_KEY = "source_owned_not_in_plan_by_account"
QUALITY_PREFIX = "quality:"  # the names of the counts' queries (`_quality_exprs`)
# The last import whose messages the derived tables hold: the messages of later imports (`import_id` above it)
# are what `_extend` adds. Deleted (`forget_extent`) by whatever changes stored messages otherwise (an undo,
# replies re-parented): the next refresh then rebuilds everything.
THROUGH_KEY = "derived_through_import"
# `_extend` works on the conversations of the new messages while their messages are at most this share of
# all (a larger import rebuilds every table: one pass over everything is then cheaper).
EXTEND_SHARE = 0.2
# A warehouse of at most this many messages is extended whatever the share: its conversations are computed again
# in a fraction of a second either way, and the extension's kept SQL spares a whole rebuild's Ibis compile
# (~0.7 s of each ~1.2 s import of a monthly export into a new workspace).
EXTEND_ALWAYS = 100_000
# The statements every variant of `_extension_sql` has.
_EXTEND_QUERIES = frozenset({"todo", "inbound", "accounts", "owned_messages", "conversations", SOURCE_OWNED_KEY})
# At most this many new scores are written as SQL literals (`_insert_scores`).
LITERAL_SCORES = 2_000
# The SQL `_extend` runs, as compiled for its key (`_kept_extension`).
EXTEND_SQL_KEY = "extend_sql"


def forget_extent(con: duckdb.DuckDBPyConnection) -> None:
    """After a change to stored messages other than an import's (an undo, replies re-parented): the derived
    tables are rebuilt whole at the next refresh, not extended."""
    con.execute(f"DELETE FROM meta WHERE key = {string_literal(THROUGH_KEY)}")


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A cheap fingerprint of `messages`: any import that writes rows changes it."""
    row = con.execute("SELECT count(*), coalesce(max(import_id), 0), coalesce(sum(import_id), 0) "
                      "FROM messages").fetchone()
    return ":".join(str(x) for x in row) if row else "0:0:0"


def meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    # the key as a literal, not a parameter: DuckDB imports pandas (~0.5 s) to bind Python parameters
    row = con.execute(f"SELECT value FROM meta WHERE key = {string_literal(key)}").fetchone()
    return None if row is None else str(row[0])


def _set_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    """Store values in `meta` by key (as literals, as `meta` reads them)."""
    rows = ", ".join(f"({string_literal(k)}, {string_literal(v)})" for k, v in values.items())
    con.execute(f"INSERT OR REPLACE INTO meta VALUES {rows}")


# Every table or view `_rebuild` writes. A warehouse built before one of them existed (`plan_accounts`, say)
# has the data version and plan hash of its last rebuild all the same: it is stale until it has them all
# (`measure` would otherwise recompute the missing one in memory, and never match the shipped SQL).
DERIVED = ("inbound", "owned_messages", "plan_accounts", "conversation_accounts", "conversations",
           "owned_attribution", "inbound_attribution", "attribution")
# Those written from the plan alone: one missing is written by itself (`_write_plan_accounts`), no rebuild.
FROM_PLAN = frozenset({"plan_accounts"})


def missing(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The derived tables (`DERIVED`, tables or views) the warehouse lacks."""
    names = ", ".join(f"'{n}'" for n in DERIVED)
    rows = con.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE table_name IN ({names}) AND NOT temporary AND "
        "database_name = current_database() UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name IN "
        f"({names}) AND NOT temporary AND NOT internal AND database_name = current_database()").fetchall()
    return set(DERIVED) - {str(r[0]) for r in rows}


def _built_for(con: duckdb.DuckDBPyConnection, version: str, phash: str) -> bool:
    """True when the derived tables were last built from data of `version` and the plan of hash `phash`."""
    return meta(con, DATA_KEY) == version and meta(con, PLAN_KEY) == phash


def is_stale(con: duckdb.DuckDBPyConnection, plan: Plan | None) -> bool:
    """True when the derived tables were built from other data or another plan, or one is missing."""
    from strategyfirst.warehouse.planhash import plan_hash

    return not _built_for(con, data_version(con), plan_hash(plan)) or bool(missing(con))


def fresh_version(con: duckdb.DuckDBPyConnection, phash: str) -> str | None:
    """The data version when the derived tables are fresh for this data and the plan of hash `phash`
    (`attribution.plan_hash`) and none is missing, else None (then `refresh`); drops the work tables of a
    killed rebuild."""
    if drop_strays(con):
        return None
    version = data_version(con)
    return version if _built_for(con, version, phash) and not missing(con) else None


def update_sentiment(con: duckdb.DuckDBPyConnection, plan: Plan | None = None, *,
                     messages: ir.Table | None = None, todo: str | None = None) -> int:
    """Score messages not owned by the plan's rule (facts.owned_by_plan) with text and no score yet; each
    distinct text once, and never a text the warehouse already scored (a re-import or a later export
    repeating it reuses the stored score). `messages`: `messages` with that rule applied, if the caller has it
    (see `by_plan`); `todo`: the SQL of `_todo` over them, if the caller has it (no Ibis then). Returns the
    texts scored."""
    if todo is None:
        from strategyfirst.warehouse import facts

        backend = ibis_backend(con)
        if messages is None:
            messages = facts.owned_by_plan(backend.table("messages"), plan)
        todo = str(backend.compile(_todo(messages)))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _sf_todo AS {todo}")
    try:
        if not _scalar(con, "SELECT count(*) FROM _sf_todo"):
            return 0
        # Scores already stored for the same text (VADER is deterministic: the same text, the same score).
        con.execute("CREATE OR REPLACE TEMP TABLE _sf_known AS SELECT t.text, any_value(m.sentiment) AS score "
                    "FROM _sf_todo t JOIN messages m ON m.text = t.text "
                    "WHERE m.sentiment IS NOT NULL GROUP BY t.text")
        texts = [r[0] for r in con.execute("SELECT text FROM _sf_todo ANTI JOIN _sf_known USING (text)").fetchall()]
        if texts:
            ahead = _scored_ahead()  # those scored while the import went on (score_ahead)
            unscored = [t for t in texts if t not in ahead]
            fresh = dict(zip(unscored, score(unscored), strict=True)) if unscored else {}
            _insert_scores(con, texts, [ahead.get(t, fresh.get(t)) for t in texts])
        # Every message with a scored text gets the score: the metrics read it for non-owned messages only,
        # and which those are depends on the plan of the day.
        con.execute("UPDATE messages SET sentiment = s.score FROM _sf_known AS s "
                    "WHERE messages.text = s.text AND messages.sentiment IS NULL")
        return len(texts)
    finally:
        con.execute("DROP TABLE IF EXISTS _sf_todo")
        con.execute("DROP TABLE IF EXISTS _sf_known")


def _insert_scores(con: duckdb.DuckDBPyConnection, texts: list[str], scores: list[float | None]) -> None:
    """Add (text, score) rows to temp `_sf_known`: a few as literals (an Arrow table would import pyarrow and
    pandas, ~1 s, for the texts of a monthly export), many as an Arrow table."""
    if len(texts) <= LITERAL_SCORES and not any("\x00" in t for t in texts):  # (no NUL in SQL text)
        rows = ", ".join(f"({string_literal(t)}, {sql_literal(s)}::DOUBLE)" for t, s in zip(texts, scores, strict=True))
        con.execute(f"INSERT INTO _sf_known VALUES {rows}")
        return
    import pyarrow as pa

    con.register("_sf_sentiment_scores", pa.table({"text": pa.array(texts, pa.string()),
                                                   "score": pa.array(scores, pa.float64())}))
    try:
        con.execute("INSERT INTO _sf_known SELECT text, score FROM _sf_sentiment_scores")
    finally:
        con.unregister("_sf_sentiment_scores")


def _todo(messages: ir.Table) -> ir.Table:
    """The distinct texts `update_sentiment` scores: of messages not owned, with text and no score yet."""
    todo = messages.filter(~messages.owned & messages.text.notnull() & messages.sentiment.isnull())
    return todo.select("text").distinct()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def refresh(con: duckdb.DuckDBPyConnection, plan: Plan | None, *, force: bool = False) -> bool:
    """Rebuild the derived tables if stale (after imports and plan changes). Returns True if it rebuilt."""
    _imported()  # the imports begun by `import_in_background`, finished before this thread imports the same
    from strategyfirst.warehouse.planhash import plan_hash

    if drop_strays(con):  # a rebuild was killed half-way: its work tables go, the derived tables are rebuilt
        force = True
    version, phash = data_version(con), plan_hash(plan)
    if not force and _built_for(con, version, phash):
        lacking = missing(con)
        if not lacking:
            return False
        if lacking <= FROM_PLAN:  # built before `plan_accounts` existed: that table alone, without Ibis
            _write_plan_accounts(con, plan)
            return True
    # Built with DuckDB's insertion order kept (its default): it then compresses and writes each table's row
    # groups while the statement runs, on every thread. Without it a table of fewer rows than a row group per
    # thread (1M messages: `inbound`, `conversations`...) stayed in memory until the import's CHECKPOINT, which
    # compressed them on one thread: 1M ingest 0.6-0.7 CPU s more there; the same CPU at 10M.
    if force or not _extend(con, plan, phash):
        _rebuild(con, plan)
    _set_meta(con, {DATA_KEY: version, PLAN_KEY: phash, THROUGH_KEY: version.split(":")[1]})
    return True


def refresh_file(warehouse: Path, state_dir: Path, plan: Plan | None, phash: str | None = None) -> bool:
    """`refresh` a warehouse file whose derived tables went stale since they were last built (say, after a
    plan change), under the workspace lock. A file never derived is left alone. Returns True if it rebuilt.
    `phash`: `attribution.plan_hash(plan)` if the caller has it (kept per plan text by `metrics.cached`):
    a fresh file is then known without importing attribution's Ibis."""
    from strategyfirst.warehouse.engine import open_duckdb
    from strategyfirst.warehouse.lock import workspace_lock

    if not warehouse.is_file():
        return False
    with workspace_lock(state_dir):
        con = open_duckdb(warehouse)
        try:
            con.execute("SET enable_progress_bar = false")
            if meta(con, DATA_KEY) is None:
                return False
            if phash is not None:
                if _built_for(con, data_version(con), phash) and not missing(con):
                    return False
            elif not is_stale(con, plan):
                return False
            return refresh(con, plan)
        finally:
            con.close()


def by_plan(con: duckdb.DuckDBPyConnection, stored: ir.Table, plan: Plan | None) -> ir.Table:
    """`messages` with `owned` by the plan's rule (facts.owned_by_plan). When the stored flag already agrees
    with the rule on every row (the usual case: an import flags the plan's accounts as owned; it differs after
    the plan's `accounts` changed) that is the stored table itself: the same rows, without evaluating the rule
    (lower-casing and matching every platform and account) again in each place a derived table reads `owned`,
    which cost about a third of building `inbound`. One pass over `messages` decides."""
    from strategyfirst.warehouse import facts

    differ = _differ(stored, plan)
    if differ is None:
        return stored
    return stored if _scalar(con, str(ibis_backend(con).compile(differ))) == 0 else facts.owned_by_plan(stored, plan)


def _differ(stored: ir.Table, plan: Plan | None) -> ir.IntegerScalar | None:
    """How many distinct (platform, account, owned) of `stored` the plan's rule owns otherwise than their
    stored flag says; None when the plan has no rule (the flags are the rule)."""
    from strategyfirst.warehouse import facts

    if facts.owned_by_plan(stored, plan) is stored:
        return None
    # The rule reads only platform, account and owned: decided once per distinct triple (far fewer than rows).
    keys = stored.select("platform", "account", "owned").distinct()
    return keys.count(where=keys.owned != facts.plan_owned(keys, plan))


def one_account_tactics(plan: Plan) -> list[str]:
    """The tactics whose match names exactly one account (after normalising): every inbound pair they label
    is a pair with that account, and a message has at most one pair per account, so such a tactic labels each
    message at most once. On the fediverse and off it alike (`Match.account_forms`): a message is on one platform."""
    return sorted(t.id for t in plan.tactics if t.match is not None and t.match.accounts
                  and all(len(forms) <= 1 for forms in t.match.account_forms()))


def _inbound_tactics_sql(single: list[str]) -> str:
    """(message_id, tactic_id) of `inbound_attribution`, distinct: a message addressing two accounts gets a
    tactic of both once. Only tactics that can label two pairs of one message need the DISTINCT (a hash of
    every row: a third of building `attribution`); the `single` ones (one_account_tactics) cannot."""
    from strategyfirst.sources.base import sql_str

    if not single:
        return "SELECT DISTINCT message_id, tactic_id FROM inbound_attribution"
    listed = ", ".join(sql_str(t) for t in single)
    return (f"SELECT message_id, tactic_id FROM inbound_attribution WHERE tactic_id IN ({listed}) UNION ALL "
            f"SELECT DISTINCT message_id, tactic_id FROM inbound_attribution WHERE tactic_id NOT IN ({listed})")


# `inbound_attribution` when no tactic labels any pair (typed, empty).
_NO_PAIRS = ("SELECT CAST(NULL AS VARCHAR) AS message_id, CAST(NULL AS VARCHAR) AS account, "
             "CAST(NULL AS VARCHAR) AS tactic_id WHERE false")


def _kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """'TABLE' or 'VIEW': what `name` is in the warehouse, or None."""
    from strategyfirst.sources.base import sql_str

    row = con.execute(
        f"SELECT 'VIEW' FROM duckdb_views() WHERE view_name = {sql_str(name)} AND NOT temporary AND NOT internal "
        "AND database_name = current_database() UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = "
        f"{sql_str(name)} AND NOT temporary AND database_name = current_database()").fetchone()
    return None if row is None else str(row[0])


def _as_view(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    """Replace `name`, a table or a view, with a view of `sql`, in one transaction (never missing)."""
    with transaction(con):
        if _kind(con, name) == "TABLE":
            con.execute(f'DROP TABLE "{name}"')
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {sql}')


def _unview(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop `name` if it is a view, for a table of that name to be written."""
    if _kind(con, name) == "VIEW":
        con.execute(f'DROP VIEW "{name}"')


def projected_tactics(plan: Plan) -> list[Tactic]:
    """The tactics whose match names one account (one_account_tactics) and reads no text, url nor campaign:
    their labels of the inbound pairs follow from the pairs alone, once each per message."""
    from strategyfirst.warehouse.attribution import CONTENT_FIELDS

    single = set(one_account_tactics(plan))
    return [t for t in plan.tactics if t.id in single and t.match is not None
            and not any(getattr(t.match, f) for f in CONTENT_FIELDS)]


def _attribution(con: duckdb.DuckDBPyConnection, backend: Any, messages: ir.Table, inbound: ir.Table,
                 plan: Plan | None) -> ir.Table:
    """Write `owned_attribution` (the owned messages' tactics), `inbound_attribution` (the inbound pairs') and
    `attribution` (both, a message's tactic once); returns the owned messages' labels.

    The pairs' labels are a view of `inbound` where only `projected_tactics` label any pair (checked here on
    the `inbound` just built, which only a rebuild replaces, with these views): a CASE per pair, each message
    once per tactic, so `attribution` is then a view too, the owned labels and the pairs' tactics without a
    DISTINCT. Otherwise both are tables as before: a tactic that reads content needs the messages' text, and
    one of several accounts can label two pairs of one message."""
    from strategyfirst.warehouse.attribution import labelled_parts, pair_labels
    from strategyfirst.warehouse.schema import ATTRIBUTION

    parts = labelled_parts(messages, inbound, plan)
    if parts is None or plan is None:  # no tactic can match anything: no rows
        _unview(con, "owned_attribution")
        con.execute("CREATE OR REPLACE TABLE owned_attribution (message_id VARCHAR, tactic_id VARCHAR)")
        _as_view(con, "inbound_attribution", _NO_PAIRS)
        _as_view(con, "attribution", "SELECT message_id, tactic_id FROM owned_attribution")
        return backend.table("owned_attribution")
    owned_labels, addressed = parts
    pairs, owned_rows = addressed.select("message_id", "account", "tactic_id"), owned_labels.select(
        "message_id", "tactic_id")
    ids = [t.id for t in plan.tactics]
    duplicated = len(set(ids)) < len(ids)  # not a plan that loads; kept right all the same
    projected = [] if duplicated else projected_tactics(plan)
    rest = [t for t in plan.tactics if t not in projected]
    as_views = not duplicated
    if rest and as_views:
        as_views = _unlabelled(con, backend, messages, inbound, plan.model_copy(update={"tactics": rest}))
    if as_views:
        _unview(con, "owned_attribution")
        materialise(con, backend, "owned_attribution", owned_rows)
        labels = pair_labels(inbound, projected)
        _as_view(con, "inbound_attribution", _NO_PAIRS if labels is None else str(backend.compile(labels)))
        _as_view(con, "attribution", "SELECT message_id, tactic_id FROM owned_attribution UNION ALL "
                                     "SELECT message_id, tactic_id FROM inbound_attribution")
        return backend.table("owned_attribution")
    # Tables: each pair is one (message, account) and gets each of its tactics once, and an owned message is
    # never an inbound one, so `attribution` is the owned labels and the pairs' distinct tactics.
    if duplicated:
        pairs, owned_rows = pairs.distinct(), owned_rows.distinct()
    _unview(con, "inbound_attribution")
    materialise(con, backend, "inbound_attribution", pairs)
    _unview(con, "attribution")
    con.execute(ATTRIBUTION)
    con.execute("DELETE FROM attribution")
    backend._run_pre_execute_hooks(owned_rows)
    con.execute(f"INSERT INTO attribution BY NAME ({backend.compile(owned_rows)}) UNION ALL "
                f"{_inbound_tactics_sql([] if duplicated else one_account_tactics(plan))}")
    # The owned messages' rows of `attribution` (an inbound message is never owned), for a schema the same
    # either way.
    _as_view(con, "owned_attribution", "SELECT message_id, tactic_id FROM attribution SEMI JOIN owned_messages "
                                       "USING (message_id)")
    return backend.table("attribution")


def _unlabelled(con: duckdb.DuckDBPyConnection, backend: Any, messages: ir.Table, inbound: ir.Table,
                others: Plan) -> bool:
    """True when no tactic of `others` labels an inbound pair (`_unlabelled_by`)."""
    matchable, labelled = _unlabelled_exprs(messages, inbound, others)
    return _unlabelled_by(con, *(None if e is None else str(backend.compile(e)) for e in (matchable, labelled)))


def _unlabelled_exprs(messages: ir.Table, inbound: ir.Table,
                      others: Plan) -> tuple[ir.IntegerScalar | None, ir.IntegerScalar | None]:
    from strategyfirst.warehouse.attribution import pairs_labelled, pairs_matchable

    return pairs_matchable(inbound, others), pairs_labelled(messages, inbound, others)


def _unlabelled_by(con: duckdb.DuckDBPyConnection, matchable: str | None, labelled: str | None) -> bool:
    """True when no tactic labels an inbound pair: first from the pairs alone (their text read by none: the
    count `matchable`), then, if one could, by its text too (`labelled`). None: a count that cannot be told
    without labelling (`attribution.pairs_matchable`, `pairs_labelled`)."""
    if matchable is None or _scalar(con, matchable) > 0:
        return labelled is not None and _scalar(con, labelled) == 0
    return True


def _owned_handles(con: duckdb.DuckDBPyConnection, messages: ir.Table,
                   plan: Plan | None) -> list[tuple[str, str]] | None:
    """The rows of `facts.owned_handles`, for `facts.inbound` to test each handle in the texts; None when they
    are more than it tests that way (it then joins them)."""
    from strategyfirst.warehouse import facts

    backend = ibis_backend(con)
    expr = facts.owned_handles(messages, plan)
    backend._run_pre_execute_hooks(expr)
    rows = con.execute(f"{backend.compile(expr)} LIMIT {facts.MENTION_LITERALS + 1}").fetchall()
    return None if len(rows) > facts.MENTION_LITERALS else [(str(p), str(h)) for p, h in rows]


def _write_plan_accounts(con: duckdb.DuckDBPyConnection, plan: Plan | None) -> None:
    """Replace `plan_accounts` with the rows of `facts.listed_table` (platform, account: text), in one
    statement and without Ibis: the plan's listed accounts as literals."""
    from strategyfirst.sources.base import sql_str
    from strategyfirst.warehouse.ownership import listed_accounts

    rows = [f"({sql_str(p)}, {sql_str(h)})" for p, hs in listed_accounts(plan).items() for h in hs]
    body = (f"SELECT * FROM (VALUES {', '.join(rows)}) AS t(platform, account)" if rows else
            "SELECT CAST(NULL AS VARCHAR) AS platform, CAST(NULL AS VARCHAR) AS account WHERE false")
    con.execute(f"CREATE OR REPLACE TABLE plan_accounts AS {body}")


def _rebuild(con: duckdb.DuckDBPyConnection, plan: Plan | None) -> None:
    from strategyfirst.warehouse import facts

    backend = ibis_backend(con)
    stored = backend.table("messages")
    # Which messages are owned is the plan's rule, so every fact below is rebuilt when the plan changes.
    messages = by_plan(con, stored, plan)
    # Also after a plan change alone: an account the plan no longer owns is audience now, and needs scores.
    # (Scoring changes only `sentiment`, never `owned`, so `messages` stays valid.)
    update_sentiment(con, plan, messages=messages)
    inbound = materialise(con, backend, "inbound", facts.inbound(messages, plan, duckdb=True,
                                                                 handles=_owned_handles(con, messages, plan)))
    materialise(con, backend, "owned_messages", facts.owned_messages(messages))
    _write_plan_accounts(con, plan)  # what the audience's ownership reads
    accounts = materialise(con, backend, "conversation_accounts", facts.conversation_accounts(messages, inbound))
    materialise(con, backend, "conversations", facts.conversations(messages, accounts, duckdb=True))
    attributed = _attribution(con, backend, messages, inbound, plan)
    _write_quality(con, stored, inbound, attributed, plan, by_rule=messages is not stored)


def _extend(con: duckdb.DuckDBPyConnection, plan: Plan | None, phash: str) -> bool:
    """Bring the derived tables up to date with the messages imported since they were built (`THROUGH_KEY`)
    by working on those messages' conversations alone: every derived row is of one conversation (an inbound
    pair's message, its owned parent and the owned reply that answers it are in one; a mention names a handle
    of the whole warehouse's), so the rows of those conversations are deleted and computed again from their
    messages, and no other row changes. False (nothing written) when that does not hold or is not worth it:
    another plan, no record of what the tables hold, too many new messages, the owned handles changed (every
    message's mentions), or a pair labelled by a tactic the labels' views do not project; `refresh` then
    rebuilds.

    Its SQL is compiled by Ibis once and kept in `meta` (EXTEND_SQL_KEY) under a key of everything it depends
    on (`_extension_key`): the next import with the same code, plan, owned handles and tables runs it without
    importing Ibis (`_extension_sql` says what each statement is)."""
    through = meta(con, THROUGH_KEY)
    if through is None or meta(con, DATA_KEY) is None or meta(con, PLAN_KEY) != phash or missing(con):
        return False
    tables = _kind(con, "attribution") == "TABLE"  # the pairs' labels as tables (`_attribution`), else views
    ids = [t.id for t in plan.tactics] if plan is not None else []
    if len(set(ids)) < len(ids):  # not a plan that loads (`_attribution` keeps it right by a DISTINCT)
        return False
    row = con.execute(f"SELECT count(*) FILTER (WHERE import_id > {int(through)}), count(*) FROM messages").fetchone()
    touched, total = (int(row[0]), int(row[1])) if row else (0, 0)
    if not touched or (touched > EXTEND_SHARE * total and total > EXTEND_ALWAYS):
        return False
    old = _stored_handles(con, plan)
    if old is None:
        return False
    kept = _kept_extension(con, _extension_key(con, phash, old, tables))
    compiled = False
    # The conversations of the new (or changed) messages, their messages, and every conversation id the derived
    # tables may hold for those: a stored orphan whose parent came roots its own conversation there.
    con.execute("CREATE OR REPLACE TEMP TABLE _sf_conv AS SELECT DISTINCT coalesce(conversation_id, message_id) "
                f"AS conv FROM messages WHERE import_id > {int(through)}")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _sf_msgs AS SELECT m.* FROM messages m SEMI JOIN _sf_conv c "
                    "ON coalesce(m.conversation_id, m.message_id) = c.conv")
        if "differ" not in kept:
            differ = _differ(ibis_backend(con).table("_sf_msgs"), plan)
            kept["differ"] = None if differ is None else str(ibis_backend(con).compile(differ))
            compiled = True
        # `by_plan` on these messages: the stored flags, or the plan's rule where they differ from it.
        ruled = kept["differ"] is not None and _scalar(con, kept["differ"]) > 0
        variant = "ruled" if ruled else "stored"
        if variant not in kept:
            kept[variant] = _extension_sql(con, plan, old, tables, ruled=ruled)
            compiled = True
        sql = kept[variant]
        q = sql["queries"]
        with small_tables(con, checked_tables(sql["memtables"])):
            if update_sentiment(con, plan, todo=q["todo"]):  # the copy takes the scores just stored
                con.execute("UPDATE _sf_msgs SET sentiment = m.sentiment FROM messages m "
                            "WHERE _sf_msgs.message_id = m.message_id AND _sf_msgs.sentiment IS NULL")
            con.execute("CREATE OR REPLACE TEMP TABLE _sf_gone AS SELECT conv FROM _sf_conv UNION "
                        "SELECT message_id FROM _sf_msgs")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _sf_inbound AS {q['inbound']}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _sf_accounts AS {q['accounts']}")
            if sql["unlabelled"] is not None and not _unlabelled_by(con, *sql["unlabelled"]):
                return False  # a pair labelled by a tactic the views do not project: the tables are rebuilt
            with transaction(con):
                con.execute("DELETE FROM inbound WHERE conv IN (SELECT conv FROM _sf_gone) "
                            "OR message_id IN (SELECT message_id FROM _sf_msgs)")
                con.execute("DELETE FROM owned_messages WHERE message_id IN (SELECT message_id FROM _sf_msgs)")
                con.execute("DELETE FROM conversation_accounts WHERE conv IN (SELECT conv FROM _sf_gone)")
                con.execute("DELETE FROM conversations WHERE conv IN (SELECT conv FROM _sf_gone)")
                labels = "attribution" if tables else "owned_attribution"  # (owned_attribution: a view of it)
                con.execute(f"DELETE FROM {labels} WHERE message_id IN (SELECT message_id FROM _sf_msgs)")
                if tables:
                    con.execute("DELETE FROM inbound_attribution WHERE message_id IN "
                                "(SELECT message_id FROM _sf_msgs)")
                con.execute("INSERT INTO inbound BY NAME SELECT * FROM _sf_inbound")
                con.execute(f"INSERT INTO owned_messages BY NAME {q['owned_messages']}")
                con.execute("INSERT INTO conversation_accounts BY NAME SELECT * FROM _sf_accounts")
                con.execute(f"INSERT INTO conversations BY NAME {q['conversations']}")
                if "owned_labels" in q and tables:  # as `_attribution` writes them, for these messages
                    con.execute(f"INSERT INTO inbound_attribution BY NAME {q['pair_labels']}")
                    pairs = _inbound_tactics_sql(one_account_tactics(plan) if plan is not None else [])
                    con.execute(f"INSERT INTO attribution BY NAME ({q['owned_labels']}) UNION ALL SELECT * "
                                f"FROM ({pairs}) WHERE message_id IN (SELECT message_id FROM _sf_msgs)")
                elif "owned_labels" in q:
                    con.execute(f"INSERT INTO owned_attribution BY NAME {q['owned_labels']}")
                if _stored_handles(con, plan) != old:  # a new owned account (or one gone): every mention changes
                    raise _Rebuild
                if compiled:
                    _set_meta(con, {EXTEND_SQL_KEY: json.dumps(kept)})
            # Counted over the whole warehouse, once it is committed (DuckDB scans a table changed inside an
            # open transaction on one thread). Killed before the counts are stored, the next refresh extends
            # again: the same conversations, the same rows.
            _store_quality(con, q)
    except (_Rebuild, duckdb.Error):  # (a table of an older layout, say): nothing written, all rebuilt
        return False
    finally:
        con.execute("DROP TABLE IF EXISTS _sf_conv; DROP TABLE IF EXISTS _sf_msgs; DROP TABLE IF EXISTS _sf_gone; "
                    "DROP TABLE IF EXISTS _sf_inbound; DROP TABLE IF EXISTS _sf_accounts")
    return True


def extension_kept(con: duckdb.DuckDBPyConnection, plan: Plan | None) -> bool:
    """Whether the SQL of the next `_extend` is kept from an earlier one (as the warehouse is now, before a
    batch of imports): if it extends, that refresh then imports no Ibis (`import_in_background` need not)."""
    from strategyfirst.warehouse.planhash import plan_hash

    try:
        phash = plan_hash(plan)
        if meta(con, THROUGH_KEY) is None or meta(con, PLAN_KEY) != phash or missing(con):
            return False
        old = _stored_handles(con, plan)
        if old is None:
            return False
        kept = _kept_extension(con, _extension_key(con, phash, old, _kind(con, "attribution") == "TABLE"))
    except duckdb.Error:  # (a warehouse of an older layout): not kept
        return False
    return "differ" in kept and ("stored" in kept or "ruled" in kept)


def _extension_key(con: duckdb.DuckDBPyConnection, phash: str, handles: frozenset[tuple[str, str]],
                   tables: bool) -> str:
    """What `_extension_sql` depends on: the code, the warehouse's layout, the plan, the owned handles, and
    whether the pairs' labels are tables."""
    return digest(["extend", code_version(), warehouse_schema(con), phash, sorted(handles), tables])


def _kept_extension(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    """The extension's SQL kept in `meta` under `key` (`_extend`), or a new entry for it: {"key": key} and,
    once compiled, "differ" (`_differ`'s SQL over `_sf_msgs`, None without a rule) and a variant of
    `_extension_sql` for each answer ("stored", "ruled"). An entry of another key, or not as written here,
    is not read (and is replaced by the next one written)."""
    raw = meta(con, EXTEND_SQL_KEY)
    try:
        entry = json.loads(raw) if raw else None
        if isinstance(entry, dict) and entry.get("key") == key:
            for variant in ("stored", "ruled"):
                if variant in entry:
                    got = entry[variant]
                    got["memtables"] = checked_tables(got["memtables"])
                    queries = got["queries"]
                    complete = set(queries) >= _EXTEND_QUERIES and all(isinstance(v, str) for v in queries.values())
                    if not complete or not (got["unlabelled"] is None or len(got["unlabelled"]) == 2):
                        raise ValueError(variant)
            if "differ" not in entry or entry["differ"] is None or isinstance(entry["differ"], str):
                return entry
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    return {"key": key}


def _extension_sql(con: duckdb.DuckDBPyConnection, plan: Plan | None, handles: frozenset[tuple[str, str]],
                   tables: bool, *, ruled: bool) -> dict[str, Any]:
    """The SQL `_extend` runs, compiled (this imports Ibis): over temp `_sf_msgs` (the messages of the
    conversations it recomputes; with the plan's rule applied to `owned` where `ruled`), the rows of
    `_sf_inbound` ("inbound"), of `_sf_accounts` ("accounts") read from those, of `owned_messages` and
    `conversations`, the owned messages' tactics ("owned_labels") and, with the labels as tables, the inbound
    pairs' ("pair_labels"); the texts to score ("todo"); the data-quality counts (`_quality_exprs`) over the
    whole warehouse. "unlabelled": the two counts of `_unlabelled_by` where the labels are views and a tactic
    they do not project could label a pair, else None. "memtables": the small tables they read."""
    import ibis

    from strategyfirst.warehouse import facts
    from strategyfirst.warehouse.attribution import labelled_parts

    backend = ibis_backend(con)
    stored = backend.table("_sf_msgs")
    messages = facts.owned_by_plan(stored, plan) if ruled else stored
    pairs = facts.inbound(messages, plan, duckdb=True, handles=sorted(handles))
    inbound = ibis.table(pairs.schema(), name="_sf_inbound")
    found = facts.conversation_accounts(messages, inbound)
    accounts = ibis.table(found.schema(), name="_sf_accounts")
    exprs: dict[str, ir.Expr] = {"todo": _todo(messages), "inbound": pairs, "accounts": found,
                                 "owned_messages": facts.owned_messages(messages),
                                 "conversations": facts.conversations(messages, accounts, duckdb=True)}
    parts = labelled_parts(messages, inbound, plan)
    unlabelled: list[ir.Expr | None] | None = None
    if parts is not None:
        exprs["owned_labels"] = parts[0].select("message_id", "tactic_id")
        if tables:
            exprs["pair_labels"] = parts[1].select("message_id", "account", "tactic_id")
        rest = [t for t in plan.tactics if t not in projected_tactics(plan)] if plan is not None else []
        if not tables and plan is not None and rest:
            unlabelled = list(_unlabelled_exprs(messages, inbound, plan.model_copy(update={"tactics": rest})))
    attributed = backend.table("attribution" if tables else "owned_attribution")
    exprs |= _quality_exprs(con, backend.table("messages"), backend.table("inbound"), attributed, plan)
    checks = {f"unlabelled:{i}": e for i, e in enumerate(unlabelled or []) if e is not None}
    queries, memtables = compile_sql(backend, exprs | checks)
    counts = None if unlabelled is None else [queries.pop(f"unlabelled:{i}", None) for i in range(2)]
    return {"queries": queries, "memtables": memtables, "unlabelled": counts}


class _Rebuild(Exception):
    """Raised inside `_extend`'s transaction: roll it back, the tables are rebuilt whole."""


def _stored_handles(con: duckdb.DuckDBPyConnection, plan: Plan | None) -> frozenset[tuple[str, str]] | None:
    """The owned handles (`facts.owned_handles`) as the derived tables hold them: the accounts of
    `owned_messages` and the plan's; None when they are more than `facts.inbound` tests one by one."""
    from strategyfirst.handles import MENTION_LITERALS
    from strategyfirst.warehouse.ownership import declared_handles

    rows = con.execute("SELECT DISTINCT platform, account FROM owned_messages WHERE account IS NOT NULL").fetchall()
    found = {(str(p), str(h)) for p, h in rows} | set(declared_handles(plan))
    return frozenset(found) if len(found) <= MENTION_LITERALS else None


def _write_quality(con: duckdb.DuckDBPyConnection, stored: ir.Table, inbound: ir.Table, attributed: ir.Table,
                   plan: Plan | None, *, by_rule: bool = True) -> None:
    """Store the data-quality counts (`facts.quality_counts`) of the warehouse as the derived tables now are.
    `by_rule`: the stored flags may disagree with the plan's rule (False: `by_plan` found they do not)."""
    queries, memtables = compile_sql(ibis_backend(con), _quality_exprs(con, stored, inbound, attributed, plan,
                                                                       by_rule=by_rule))
    with small_tables(con, memtables):
        _store_quality(con, queries)


def _quality_exprs(con: duckdb.DuckDBPyConnection, stored: ir.Table, inbound: ir.Table, attributed: ir.Table,
                   plan: Plan | None, *, by_rule: bool = True) -> dict[str, ir.Expr]:
    """The expressions `_store_quality` runs (compiled): each count under QUALITY_PREFIX and its name, and the
    rows of `facts.source_owned_accounts` under SOURCE_OWNED_KEY."""
    from strategyfirst.warehouse import facts

    backend = ibis_backend(con)
    has_tactics = plan is not None and any(t.match is not None for t in plan.tactics)
    # Where the stored flags agree with the plan's rule (by_plan), counting by the stored flag is counting by
    # the rule, without evaluating it again. The owned messages' labels are all an owned message can have.
    counts = facts.quality_counts(stored, inbound, attributed if has_tactics else None,
                                  plan if by_rule else None, flagged=True,
                                  owned=backend.table("owned_messages"))
    exprs: dict[str, ir.Expr] = {QUALITY_PREFIX + name: count for name, count in counts.items()}
    exprs[SOURCE_OWNED_KEY] = facts.source_owned_accounts(stored, plan)
    return exprs


def _store_quality(con: duckdb.DuckDBPyConnection, queries: dict[str, str]) -> None:
    """Run the SQL of `_quality_exprs` and store the counts in `meta` (QUALITY_KEY)."""
    names = [n for n in queries if n.startswith(QUALITY_PREFIX)]
    # One query for all the counts, fetched by DuckDB itself.
    row = con.execute("SELECT " + ", ".join(f"({queries[n]})" for n in names)).fetchone()
    quality: dict[str, Any] = {n.removeprefix(QUALITY_PREFIX): int((row[i] if row else 0) or 0)
                               for i, n in enumerate(names)}
    if quality.get("source_owned_not_in_plan"):  # which accounts (a plan's handle that matched none?)
        cur = con.execute(queries[SOURCE_OWNED_KEY])
        cols = [d[0] for d in cur.description]
        quality[SOURCE_OWNED_KEY] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    _set_meta(con, {QUALITY_KEY: json.dumps(quality)})
