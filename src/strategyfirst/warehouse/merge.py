"""Set-based upsert of one file's staged rows into a canonical table, counting new, updated and duplicate rows.

A re-import changes nothing (all duplicate). Lifetime figures only grow, so a newer export raises them
(`updated`) and an older one re-imported later cannot lower them.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from strategyfirst.sources.base import FIGURES
from strategyfirst.warehouse.conversation import assign_new, attach_orphans, refresh_conversations


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


RULES = {
    "new": "coalesce(s.{c}, e.{c})",
    "max": "greatest(s.{c}, e.{c})",
    "or": "(coalesce(s.{c}, FALSE) OR coalesce(e.{c}, FALSE))",
    "old": "coalesce(e.{c}, s.{c})",
}

SPECS: dict[str, MergeSpec] = {
    "messages": MergeSpec(
        "messages", "stage_messages", ("message_id",),
        {"platform": "old", "account": "new", "owned": "or", "created_at": "new", "time_precision": "new",
         "kind": "new", "text": "new", "in_reply_to": "new", "url": "new", "campaign": "new",
         **dict.fromkeys(FIGURES, "max")},
        conversations=True),
    "audience": MergeSpec("audience", "stage_audience", ("date", "platform", "account", "metric"),
                          {"value": "new", "gained": "new", "lost": "new"}),
    "spend": MergeSpec("spend", "stage_spend", ("date", "platform", "tactic", "campaign", "currency"),
                       {"amount": "new"}, nullable_keys=("platform", "tactic", "campaign", "currency"),
                       aggregate=True),
    "account_daily": MergeSpec(
        "account_daily", "stage_account_daily", ("date", "platform", "account"),
        dict.fromkeys(("posts", "impressions", "engagements", "likes", "comments", "shares", "clicks",
                       "follows", "unfollows", "video_views", "watch_minutes"), "new")),
    "video_daily": MergeSpec("video_daily", "stage_video_daily", ("date", "platform", "message_id"),
                             {"video_views": "new", "watch_minutes": "new"}),
}


def _key_match(spec: MergeSpec, left: str, right: str) -> str:
    return " AND ".join(
        f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" if k in spec.nullable_keys else f"{left}.{k} = {right}.{k}"
        for k in spec.keys)


def merge(con: duckdb.DuckDBPyConnection, spec: MergeSpec, import_id: int) -> Counts:
    """Upsert `spec.stage` into `spec.table`; returns the counts over the staged rows."""
    total = _count(con, spec.stage)
    if total == 0:
        return Counts()
    keys = ", ".join(spec.keys)
    cols = [*spec.keys, *spec.values]
    _drop_s(con)
    if spec.aggregate:
        vals = ", ".join(f"sum({c}) AS {c}" if c == "amount" else f"last({c} ORDER BY line) AS {c}"
                         for c in spec.values)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _s AS SELECT {keys}, {vals}, count(*) AS _n "
                    f"FROM {spec.stage} GROUP BY ALL")
    else:
        distinct = _scalar(con, f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {spec.stage})")
        if distinct == total:
            con.execute(f"CREATE OR REPLACE TEMP VIEW _s AS SELECT {', '.join(cols)}, 1 AS _n FROM {spec.stage}")
        else:  # the same key twice in one file: the later row wins, the others count as duplicates
            con.execute(f"CREATE OR REPLACE TEMP TABLE _s AS SELECT {', '.join(cols)}, 1 AS _n FROM {spec.stage} "
                        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY line DESC) = 1")
    overlap = _scalar(con, f"SELECT count(*) FROM _s AS s SEMI JOIN {spec.table} AS e ON {_key_match(spec, 's', 'e')}")
    if not overlap:  # nothing of this file is stored yet: insert straight from staging (the 10M-row path)
        _insert(con, spec, "_s", import_id)
        new = _scalar(con, "SELECT sum(_n) FROM _s")
        _drop_s(con)
        if spec.conversations:
            attach_orphans(con)
        return Counts(new=new, updated=0, duplicate=total - new)
    merged = ", ".join(f"{RULES[rule].format(c=c)} AS {c}" for c, rule in spec.values.items())
    changed = " OR ".join(f"({RULES[rule].format(c=c)}) IS DISTINCT FROM e.{c}" for c, rule in spec.values.items())
    first_key = spec.keys[0]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _m AS
        SELECT {', '.join('s.' + k for k in spec.keys)}, {merged}, s._n,
               e.{first_key} IS NULL AS _new, e.{first_key} IS NOT NULL AND ({changed}) AS _changed
        FROM _s AS s LEFT JOIN {spec.table} AS e ON {_key_match(spec, 's', 'e')}""")
    stats = con.execute("SELECT coalesce(sum(_n) FILTER (WHERE _new), 0), "
                        "coalesce(sum(_n) FILTER (WHERE _changed), 0) FROM _m").fetchone()
    new, updated = (int(stats[0]), int(stats[1])) if stats else (0, 0)
    reparented = spec.conversations and _scalar(
        con, "SELECT count(*) FROM _m JOIN messages e USING (message_id) "
             "WHERE _m._changed AND _m.in_reply_to IS DISTINCT FROM e.in_reply_to")
    if new:
        con.execute("CREATE OR REPLACE TEMP VIEW _mnew AS SELECT * FROM _m WHERE _new")
        _insert(con, spec, "_mnew", import_id)
        con.execute("DROP VIEW _mnew")
    if updated:
        sets = ", ".join(f"{c} = _m.{c}" for c in spec.values)
        if spec.conversations:  # a changed text is scored again by derive (sentiment belongs to the text)
            sets += ", sentiment = CASE WHEN e.text IS NOT DISTINCT FROM _m.text THEN e.sentiment END"
        con.execute(f"UPDATE {spec.table} AS e SET {sets}, import_id = {int(import_id)} FROM _m "
                    f"WHERE _m._changed AND {_key_match(spec, '_m', 'e')}")
    con.execute("DROP TABLE _m")
    _drop_s(con)
    if spec.conversations and reparented:
        refresh_conversations(con)
    elif spec.conversations and new:
        attach_orphans(con)
    return Counts(new=new, updated=updated, duplicate=total - new - updated)


def _insert(con: duckdb.DuckDBPyConnection, spec: MergeSpec, rows: str, import_id: int) -> None:
    """Insert `rows` (new keys only) into the target; messages get their conversation on the way in."""
    cols = ", ".join(f"s.{c}" for c in (*spec.keys, *spec.values))
    if not spec.conversations:
        con.execute(f"INSERT INTO {spec.table} BY NAME SELECT {cols}, {int(import_id)} AS import_id FROM {rows} s")
        return
    res = assign_new(con, rows)
    con.execute(f"""INSERT INTO {spec.table} BY NAME
                    SELECT {cols}, coalesce(r.cid, s.message_id) AS conversation_id,
                           coalesce(r.missing, FALSE) AS parent_missing, {int(import_id)} AS import_id
                    FROM {rows} s LEFT JOIN {res} r ON r.id = s.message_id""")
    con.execute(f"DROP TABLE {res}")


def _drop_s(con: duckdb.DuckDBPyConnection) -> None:
    if _scalar(con, "SELECT count(*) FROM duckdb_views() WHERE view_name = '_s'"):
        con.execute("DROP VIEW _s")
    con.execute("DROP TABLE IF EXISTS _s")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return _scalar(con, f"SELECT count(*) FROM {table}")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
