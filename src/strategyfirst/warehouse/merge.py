"""Set-based upsert of one file's staged rows into a canonical table, counting new, updated and duplicate rows.

In two halves: `prepare` compares the staged rows with the stored ones and only writes temp tables, so it runs
before the import's transaction; `apply` does the writes inside it.

A re-import changes nothing (all duplicate). Rules per column (data.md, "Import rules"):
- A message is identified by platform + the platform's id (`message_id`); the account is a property, so the same
  posts imported again with another `--account` are updated (account changed), never duplicated.
- Lifetime figures only grow: a newer export raises them (`updated`), and an export that reports a lower figure
  (an older one, or one that cannot be dated against the stored one) keeps the larger; such rows are counted
  (`lower`) for data quality.
- The publish time is set once: a later export never moves it (Facebook's "Video Posts" export gives other
  times for the same posts). The one exception is a finer time inside the stored coarser one (a `second` time
  within the stored `day` or `month`): it refines the stored time, and `time_precision` with it.
- Before an import updates stored rows, their previous values go to `prev_<table>` (warehouse/importlog.py),
  so that the import can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from strategyfirst.sources.base import FIGURES
from strategyfirst.sqltext import string_list
from strategyfirst.warehouse.conversation import REPLY, assign_new, attach_orphans, refresh_conversations
from strategyfirst.warehouse.importlog import REPLACED_BY, previous


@dataclass(frozen=True)
class MergeSpec:
    """How the staging table `stage` merges into `table`: keys, and a rule per value column."""

    table: str
    stage: str
    keys: tuple[str, ...]
    values: dict[str, str]                          # column -> "new" | "max" | "or" | "old"
    nullable_keys: tuple[str, ...] = ()
    aggregate: bool = False                         # sum same-key rows of one file (spend lines)
    conversations: bool = False                     # messages: link new replies into conversations


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    lower: int = 0      # rows whose lifetime figures in the file were lower than the stored ones (kept)


SUMMED = ("amount", "results", "impressions")  # same-key rows of one file (spend lines) add up

RULES = {
    "new": "coalesce(s.{c}, e.{c})",
    "max": "greatest(s.{c}, e.{c})",
    "or": "(coalesce(s.{c}, FALSE) OR coalesce(e.{c}, FALSE))",
    "old": "coalesce(e.{c}, s.{c})",
}
PRECISION_RANK = "CASE {t}.time_precision WHEN 'second' THEN 1 WHEN 'minute' THEN 2 WHEN 'day' THEN 3 ELSE 4 END"
# The staged time refines the stored one: finer, and inside the stored time's day or month.
_REFINES = (f"(s.created_at IS NOT NULL AND e.created_at IS NOT NULL AND {PRECISION_RANK.format(t='s')} < "
            f"{PRECISION_RANK.format(t='e')} AND date_trunc(e.time_precision, s.created_at) = "
            "date_trunc(e.time_precision, e.created_at))")
RULES["first_time"] = f"CASE WHEN e.created_at IS NULL OR {_REFINES} THEN s.created_at ELSE e.created_at END"
RULES["first_precision"] = (f"CASE WHEN (e.created_at IS NULL AND s.created_at IS NOT NULL) OR {_REFINES} "
                            "THEN coalesce(s.time_precision, e.time_precision) "
                            "ELSE coalesce(e.time_precision, s.time_precision) END")

SPECS: dict[str, MergeSpec] = {
    "messages": MergeSpec(
        "messages", "stage_messages", ("message_id",),
        {"platform": "old", "account": "new", "owned": "or", "created_at": "first_time",
         "time_precision": "first_precision",
         "kind": "new", "text": "new", "in_reply_to": "new", "url": "new", "campaign": "new",
         **dict.fromkeys(FIGURES, "max")},
        conversations=True),
    "audience": MergeSpec("audience", "stage_audience", ("date", "platform", "account", "metric"),
                          {"value": "new", "gained": "new", "lost": "new"}),
    # Ads Manager rows (v4) add their account, level and result indicator to the key: results of unlike
    # indicators are never summed into one row.
    "spend": MergeSpec("spend", "stage_spend",
                       ("date", "platform", "tactic", "campaign", "currency", "account", "level", "result_indicator"),
                       {"amount": "new", "date_to": "new", "results": "new", "impressions": "new"},
                       nullable_keys=("platform", "tactic", "campaign", "currency", "account", "level",
                                      "result_indicator"),
                       aggregate=True),
    "account_daily": MergeSpec(
        "account_daily", "stage_account_daily", ("date", "platform", "account"),
        dict.fromkeys(("posts", "impressions", "engagements", "likes", "comments", "shares", "clicks",
                       "follows", "unfollows", "video_views", "watch_minutes", "reach", "profile_visits"),
                      "new")),
    "video_daily": MergeSpec("video_daily", "stage_video_daily", ("date", "platform", "message_id"),
                             {"video_views": "new", "watch_minutes": "new"}),
    "site_traffic": MergeSpec(
        "site_traffic", "stage_site_traffic", ("date_from", "date_to", "property", "dimension", "value"),
        dict.fromkeys(("sessions", "engaged_sessions", "users", "new_users", "conversions", "revenue"), "new")),
}


def key_match(spec: MergeSpec, left: str, right: str) -> str:
    return " AND ".join(
        f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" if k in spec.nullable_keys else f"{left}.{k} = {right}.{k}"
        for k in spec.keys)


@dataclass(frozen=True)
class Prepared:
    """What merging one staging table will write, worked out (in temp tables) before the transaction."""

    spec: MergeSpec
    total: int                   # staged rows
    new: int                     # rows whose key is not stored yet
    updated: int                 # stored rows whose values change
    rows: str                    # the rows to insert: one per key (all of them when nothing overlaps)
    changes: str | None = None   # with an overlap: every staged key with its merged values and flags
    conversation_ids: str | None = None  # messages: the conversation of each new reply (None: no reply)
    reparented: bool = False     # messages: a stored reply now names another parent
    lower: int = 0               # stored rows for which this file gives a lower lifetime figure (larger kept)
    into_empty: bool = False     # the table held no row when prepared (under the import's lock)
    ids: str | None = None       # messages: the staged ids as an SQL list of literals, when `_stored` listed them
    key: str = "message_id"      # messages: the column of `rows` that `conversation_ids` is keyed by


def prepare(con: duckdb.DuckDBPyConnection, spec: MergeSpec, total: int | None = None,
            unique_lines: bool = False) -> Prepared | None:
    """Read-only half of the merge: compare the staged rows with the stored ones. It writes temp tables only,
    so it can run before the import's transaction, where DuckDB scans them in parallel. None if no rows.
    `total`: the staged rows when the caller counted them; `unique_lines`: no two staged rows share a line
    (the loader knows), so new replies are linked by line number instead of by id."""
    if total is None:
        total = _count(con, spec.stage)
    if total == 0:
        return None
    keys = ", ".join(spec.keys)
    cols = [*spec.keys, *spec.values]
    line_key = spec.conversations and unique_lines
    if line_key:  # an integer key: ~2.5 CPU s less than the ids for the 6.6M replies of the 10M-row file
        cols.append("line")
    s = f"_s_{spec.table}"
    replies: bool | None = None  # whether the staged rows hold a reply (messages), when counted here
    if spec.aggregate:
        vals = ", ".join(f"sum({c}) AS {c}" if c in SUMMED else f"last({c} ORDER BY line) AS {c}"
                         for c in spec.values)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {s} AS SELECT {keys}, {vals}, count(*) AS _n "
                    f"FROM {spec.stage} GROUP BY ALL")
        kept = total  # sum(_n): every staged row is in one group
    else:
        distinct_sql = f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {spec.stage})"
        if spec.conversations and total <= LITERAL_KEYS:  # a few messages: and are there replies to link?
            row = con.execute(f"SELECT ({distinct_sql}), (SELECT count(*) FROM {spec.stage} WHERE {REPLY})"
                              ).fetchone()
            distinct, replies = (int(row[0]), bool(row[1])) if row else (0, True)
        else:
            distinct = total if _unique_by_number(con, spec, total) else _scalar(con, distinct_sql)
        kept = distinct  # sum(_n): one row per key, each 1
        if distinct == total:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {s} AS SELECT {', '.join(cols)}, 1 AS _n FROM {spec.stage}")
        else:  # the same key twice in one file: the later row wins, the others count as duplicates
            con.execute(f"CREATE OR REPLACE TEMP TABLE {s} AS SELECT {', '.join(cols)}, 1 AS _n FROM {spec.stage} "
                        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY line DESC) = 1")
    # The first import into an empty table (the 10M-row file) has nothing to compare with: no list of its ids,
    # no semi join, and no stored orphan whose parent it could bring.
    empty = not _scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {spec.table} LIMIT 1)")
    stored, ids = (spec.table, None) if empty else _stored(con, spec, s)
    overlap = 0 if empty else _scalar(
        con, f"SELECT count(*) FROM {s} AS s SEMI JOIN {stored} AS e ON {key_match(spec, 's', 'e')}")
    if not overlap:  # nothing of this file is stored yet: insert straight from staging (the 10M-row path)
        # No reply among them (posts): each new message roots its own conversation, nothing to look up.
        key = "line" if line_key else "message_id"
        cids = (assign_new(con, s, f"_cres_{spec.table}", key) if spec.conversations and replies is not False
                else None)
        return Prepared(spec, total, kept, 0, rows=s, conversation_ids=cids, into_empty=empty, ids=ids, key=key)
    merged = ", ".join(f"{RULES[rule].format(c=c)} AS {c}" for c, rule in spec.values.items())
    changed = " OR ".join(f"({RULES[rule].format(c=c)}) IS DISTINCT FROM e.{c}" for c, rule in spec.values.items())
    first_key = spec.keys[0]
    m = f"_m_{spec.table}"
    lower = " OR ".join(f"s.{c} < e.{c}" for c, rule in spec.values.items() if rule == "max") or "FALSE"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {m} AS
        SELECT {', '.join('s.' + k for k in spec.keys)}, {merged}, s._n,
               e.{first_key} IS NULL AS _new, e.{first_key} IS NOT NULL AND ({changed}) AS _changed,
               coalesce({lower}, FALSE) AS _lower
        FROM {s} AS s LEFT JOIN {stored} AS e ON {key_match(spec, 's', 'e')}""")
    stats = con.execute(f"SELECT coalesce(sum(_n) FILTER (WHERE _new), 0), "
                        f"coalesce(sum(_n) FILTER (WHERE _changed), 0), count(*) FILTER (WHERE _lower) "
                        f"FROM {m}").fetchone()
    new, updated, lowered = (int(stats[0]), int(stats[1]), int(stats[2])) if stats else (0, 0, 0)
    reparented = spec.conversations and bool(_scalar(
        con, f"SELECT count(*) FROM {m} JOIN {stored} e USING (message_id) "
             f"WHERE {m}._changed AND {m}.in_reply_to IS DISTINCT FROM e.in_reply_to"))
    rows = f"_mnew_{spec.table}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {rows} AS SELECT * FROM {m} WHERE _new")
    cids = assign_new(con, rows, f"_cres_{spec.table}") if spec.conversations and new else None
    return Prepared(spec, total, new, updated, rows=rows, changes=m, conversation_ids=cids, reparented=reparented,
                    lower=lowered, ids=ids)


# The number an id ends in (after its `platform:`): a function of the id, so ids whose numbers are all distinct
# are distinct too.
_NUMBER = "TRY_CAST(substr(message_id, strpos(message_id, ':') + 1) AS UBIGINT)"
BITS_PER_ROW = 8  # the numbers' range, in bits, that a row may take for the bitmap check


def _unique_by_number(con: duckdb.DuckDBPyConnection, spec: MergeSpec, total: int) -> bool:
    """True when the `total` staged messages have as many distinct numbers (`_NUMBER`): then their ids are
    distinct, without hashing millions of ids. The numbers counted in a bitmap over their range (DuckDB's
    `bitstring_agg`, after one pass for the range): 0.5 + 0.8 CPU s at ten million rows where counting the
    distinct ids costs 1.9. False (the ids are then counted) when an id has no number or their range is wide."""
    if spec.keys != ("message_id",):
        return False
    row = con.execute(f"SELECT count({_NUMBER}), min({_NUMBER}), max({_NUMBER}) FROM {spec.stage}").fetchone()
    if not row or row[0] != total or row[1] is None or int(row[2]) - int(row[1]) >= BITS_PER_ROW * total:
        return False
    lo, hi = int(row[1]), int(row[2])
    return _scalar(con, f"SELECT bit_count(bitstring_agg({_NUMBER}, {lo}::UBIGINT, {hi}::UBIGINT)) "
                        f"FROM {spec.stage}") == total


LITERAL_KEYS = 2000  # staged message ids up to this many are looked up as a list of literals


def _stored(con: duckdb.DuckDBPyConnection, spec: MergeSpec, staged: str) -> tuple[str, str | None]:
    """The stored rows the staged rows can match, as SQL: the table, or for a few staged messages only those
    whose id is one of theirs. DuckDB filters the scan of the ids by a list of literals about five times
    cheaper than it probes a hash join with every stored id (60 posts against 1M messages: 6 ms, not 34):
    what each small file of posts costs once millions of messages are stored. Also returns that list (the
    staged ids as SQL literals), or None."""
    if spec.keys != ("message_id",):
        return spec.table, None
    ids = con.execute(f"SELECT DISTINCT message_id FROM {staged} WHERE message_id IS NOT NULL "
                      f"LIMIT {LITERAL_KEYS + 1}").fetchall()
    if len(ids) > LITERAL_KEYS:
        return spec.table, None
    listed = string_list(i for (i,) in ids) or "NULL"
    return f"(SELECT * FROM {spec.table} WHERE message_id IN ({listed}))", listed


def apply(con: duckdb.DuckDBPyConnection, p: Prepared, import_id: int) -> Counts:
    """Write half of the merge (inside the import's transaction): insert the new rows, update the changed
    (their previous values kept in `prev_<table>` first, for undo)."""
    spec = p.spec
    if p.new:
        _insert(con, p, import_id)
    if p.updated and p.changes is not None:
        m = p.changes
        con.execute(f"INSERT INTO {previous(spec.table)} BY NAME SELECT e.*, {int(import_id)} AS {REPLACED_BY} "
                    f"FROM {spec.table} AS e SEMI JOIN (SELECT * FROM {m} WHERE _changed) AS {m} "
                    f"ON {key_match(spec, m, 'e')}")
        sets = ", ".join(f"{c} = {m}.{c}" for c in spec.values)
        if spec.conversations:  # a changed text is scored again by derive (sentiment belongs to the text)
            sets += f", sentiment = CASE WHEN e.text IS NOT DISTINCT FROM {m}.text THEN e.sentiment END"
        con.execute(f"UPDATE {spec.table} AS e SET {sets}, import_id = {int(import_id)} FROM {m} "
                    f"WHERE {m}._changed AND {key_match(spec, m, 'e')}")
    if spec.conversations and p.reparented:
        refresh_conversations(con)
    elif spec.conversations and p.new and not p.into_empty:  # (an orphan of this batch has no parent in it)
        attach_orphans(con, p.rows, p.ids)
    return Counts(new=p.new, updated=p.updated, duplicate=p.total - p.new - p.updated, lower=p.lower)


def rehome(con: duckdb.DuckDBPyConnection, spec: MergeSpec, earlier: list[int], import_id: int) -> int:
    """Rows keyed by account (daily totals, audience) that an earlier import of the same bytes wrote under
    another account, where this file has the same row (same keys but the account): the account was corrected
    (`--account`), so the earlier rows go (kept in `prev_<table>` for undo) instead of staying beside the new
    ones. Inside the import's transaction, before `apply`. Returns the rows moved."""
    if "account" not in spec.keys or not earlier:
        return 0
    others = " AND ".join(f"s.{k} IS NOT DISTINCT FROM e.{k}" if k in spec.nullable_keys else f"s.{k} = e.{k}"
                          for k in spec.keys if k != "account")
    ids = ", ".join(str(int(i)) for i in earlier)
    where = (f"e.import_id IN ({ids}) AND EXISTS (SELECT 1 FROM {spec.stage} AS s WHERE {others} "
             f"AND s.account IS DISTINCT FROM e.account)")
    con.execute(f"INSERT INTO {previous(spec.table)} BY NAME SELECT e.*, {int(import_id)} AS {REPLACED_BY} "
                f"FROM {spec.table} AS e WHERE {where}")
    return _scalar(con, f"DELETE FROM {spec.table} AS e WHERE {where}")


def _insert(con: duckdb.DuckDBPyConnection, p: Prepared, import_id: int) -> None:
    """Insert the new rows into the target; messages get their conversation on the way in."""
    spec = p.spec
    cols = ", ".join(f"s.{c}" for c in (*spec.keys, *spec.values))
    if p.conversation_ids is None:
        roots = "s.message_id AS conversation_id, FALSE AS parent_missing, " if spec.conversations else ""
        con.execute(f"INSERT INTO {spec.table} BY NAME SELECT {cols}, {roots}{int(import_id)} AS import_id "
                    f"FROM {p.rows} s")
        return
    # A reply whose parent is a new root (most of them) needs no look-up: its conversation is its in_reply_to.
    con.execute(f"""INSERT INTO {spec.table} BY NAME
                    SELECT {cols}, CASE WHEN r.k IS NOT NULL THEN coalesce(r.cid, s.message_id)
                                        WHEN s.in_reply_to <> s.message_id THEN s.in_reply_to
                                        ELSE s.message_id END AS conversation_id,
                           coalesce(r.missing, FALSE) AS parent_missing, {int(import_id)} AS import_id
                    FROM {p.rows} s
                    LEFT JOIN (SELECT k, cid, missing FROM {p.conversation_ids} WHERE NOT d1) r
                      ON r.k = s.{p.key}""")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return _scalar(con, f"SELECT count(*) FROM {table}")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
