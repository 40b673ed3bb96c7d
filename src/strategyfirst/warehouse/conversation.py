"""Conversation ids: each message's root of its reply tree, computed in SQL by pointer jumping (log-depth
rounds), never by walking rows in Python.

A reply whose parent is not in the warehouse roots its own conversation and is flagged `parent_missing`; when
the parent arrives in a later import the orphan and its descendants join the parent's conversation.
"""

from __future__ import annotations

import duckdb

MAX_ROUNDS = 64  # pointer jumping halves the distance each round; only a reply cycle is still moving after this


def assign_new(con: duckdb.DuckDBPyConnection, new_rows: str, out: str = "_cres", key: str = "message_id") -> str:
    """For the replies among `new_rows` (a relation with message_id, in_reply_to and `key`, not yet stored), build
    temp table `out(k, cid, anc, missing, d1)`; returns its name. `k`: the reply's `key`, a column unique among
    `new_rows` (an integer line number is joined faster than the id); `cid`: its conversation, null for a member
    of a reply cycle (it roots itself); `d1`: its parent is a new root (so `cid` is its `in_reply_to`). Stored
    messages already carry their conversation."""
    if not _scalar(con, f"SELECT count(*) FROM {new_rows} WHERE {REPLY}"):
        # no reply in the batch (posts, campaigns): nothing to look up among the stored messages
        con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT {key} AS k, message_id AS cid, {key} AS anc, "
                    f"FALSE AS missing, FALSE AS d1 FROM {new_rows} LIMIT 0")
        return out
    # Each reply's parent, looked up by id once; from then on the replies are followed by `k`. A reply whose parent
    # is a new root, is stored or is missing has its conversation now; only the others are pending.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH replies AS (SELECT {key} AS k, message_id AS id, in_reply_to AS par FROM {new_rows} WHERE {REPLY})
        SELECT r.k,
               CASE WHEN n.k IS NULL THEN coalesce(e.conversation_id, r.id) WHEN NOT n.reply THEN r.par END AS cid,
               CASE WHEN n.reply THEN n.k END AS anc,
               n.k IS NULL AND e.message_id IS NULL AS missing,
               n.k IS NOT NULL AND NOT n.reply AS d1
        FROM replies r
        LEFT JOIN (SELECT {key} AS k, message_id, {REPLY} AS reply FROM {new_rows}) n ON n.message_id = r.par
        LEFT JOIN messages e ON e.message_id = r.par""")
    pending = _scalar(con, f"SELECT count(*) FROM {out} WHERE cid IS NULL")
    if pending >= ARRAY_PENDING and key != "message_id":
        _jump_in_arrays(con, out)
    elif pending:
        # Pointer jumping over the pending replies only: a pending reply whose ancestor has its conversation takes
        # it; the others look twice as far up each round.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _cpend AS SELECT k, anc FROM {out} WHERE cid IS NULL")
        con.execute(f"DELETE FROM {out} WHERE cid IS NULL")
        for _ in range(MAX_ROUNDS):
            con.execute("CREATE OR REPLACE TEMP TABLE _cstep AS SELECT p.k, p.anc, q.anc AS up "
                        "FROM _cpend p LEFT JOIN _cpend q ON q.k = p.anc")
            # an ancestor no longer pending has its conversation: every pending reply's chain ends in one
            done = _scalar(con, f"INSERT INTO {out} SELECT s.k, r.cid, NULL, FALSE, FALSE FROM _cstep s "
                                f"JOIN {out} r ON r.k = s.anc WHERE s.up IS NULL")
            pending -= done
            if not pending or not done:  # none done: only reply cycles (and their replies) are left
                break
            con.execute("CREATE OR REPLACE TEMP TABLE _cpend AS SELECT k, up AS anc FROM _cstep WHERE up IS NOT NULL")
        if pending:  # a reply cycle: each member roots itself
            con.execute(f"INSERT INTO {out} SELECT k, NULL, NULL, FALSE, FALSE FROM _cstep WHERE up IS NOT NULL")
        con.execute("DROP TABLE IF EXISTS _cpend; DROP TABLE IF EXISTS _cstep")
    return out


REPLY = "in_reply_to IS NOT NULL AND in_reply_to <> message_id"  # SQL: a message that replies to another
# From this many pending replies keyed by an integer (a staged line), the pointer jumping runs over arrays in
# numpy: a round is a gather over the pending replies, not a join and a table written (3.7M pending replies of
# the 10M-row file: see `_jump_in_arrays`). Fewer are followed in SQL, without importing numpy and pyarrow.
ARRAY_PENDING = 100_000


def _jump_in_arrays(con: duckdb.DuckDBPyConnection, out: str) -> None:
    """The pending replies of `out` (cid null: their parent is a new reply, `anc` its integer key) take the
    conversation of the first ancestor that has one, found by pointer jumping over numpy arrays; the members
    of a reply cycle, and replies under one, root themselves (cid null), as in the SQL rounds."""
    import numpy as np
    import pyarrow as pa

    got = con.execute(f"SELECT k, anc FROM {out} WHERE cid IS NULL").fetchnumpy()
    keys, anc = np.asarray(got["k"], dtype=np.int64), np.asarray(got["anc"], dtype=np.int64)
    # up[i]: the position of reply i's current ancestor among the pending replies, -1 once that ancestor has
    # its conversation (`anc[i]` is then its key).
    order = np.argsort(keys, kind="stable")
    at = np.minimum(np.searchsorted(keys, anc, sorter=order), len(keys) - 1)
    up = np.where(keys[order[at]] == anc, order[at], -1)
    ended = int((up < 0).sum())
    for _ in range(MAX_ROUNDS):
        moving = np.flatnonzero(up >= 0)
        if not moving.size:
            break
        via = up[moving]
        anc[moving], up[moving] = anc[via], up[via]  # each looks twice as far up
        now = int((up < 0).sum())
        if now == ended:  # none reached a conversation: only reply cycles (and replies under them) are left
            break
        ended = now
    # Once the pending rows are gone, each takes its ancestor's conversation; a reply that found none names
    # itself, which is no longer there: its cid stays null.
    con.execute(f"DELETE FROM {out} WHERE cid IS NULL")
    con.register("_cjump", pa.table({"k": keys, "anc": np.where(up < 0, anc, keys)}))
    try:
        con.execute(f"INSERT INTO {out} SELECT j.k, r.cid, NULL, FALSE, FALSE FROM _cjump j "
                    f"LEFT JOIN {out} r ON r.k = j.anc")
    finally:
        con.unregister("_cjump")


def attach_orphans(con: duckdb.DuckDBPyConnection, arrived: str | None = None, listed: str | None = None) -> int:
    """Stored replies whose missing parent has now arrived join its conversation (with their descendants).
    `arrived`: a relation of the message ids just stored (the only parents that can have arrived: every other
    stored message was there when the orphans were last linked), so the orphans are looked up by them instead
    of by joining all stored messages with themselves; None looks at every stored message. `listed`: those
    ids (or more of the file's, already stored) as SQL literals, for the first look."""
    among = f" AND o.in_reply_to IN (SELECT message_id FROM {arrived})" if arrived else ""
    # Usually no orphan waits for what arrived (posts of a page, a file of new conversations): one statement.
    # By a list of literals DuckDB filters the scan instead of probing a join (~4 -> ~1.5 ms at 1M messages);
    # an id of the list that was stored before is no orphan's parent (that orphan would have been linked).
    first = f" AND o.in_reply_to IN ({listed})" if listed is not None else among
    if arrived and not _scalar(con, f"SELECT count(*) FROM messages o WHERE o.parent_missing{first}"):
        return 0
    moved = 0
    for _ in range(MAX_ROUNDS):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _att AS
            SELECT o.message_id AS old_root, p.conversation_id AS new_root
            FROM messages o JOIN messages p ON p.message_id = o.in_reply_to
            WHERE o.parent_missing{among}""")
        found = _scalar(con, "SELECT count(*) FROM _att")
        if not found:
            break
        moved += found
        # A parent that arrived under another orphan of this round (it answers that orphan) has that orphan's
        # id as its conversation, which moves too: follow such roots to where they go (a stale root was left
        # for the orphans under it: their conversation named a message that roots none).
        for _ in range(MAX_ROUNDS):
            if not _scalar(con, "UPDATE _att SET new_root = b.new_root FROM _att b WHERE _att.new_root = b.old_root "
                                "AND b.new_root <> b.old_root AND _att.new_root <> b.new_root "
                                "AND _att.old_root <> b.new_root"):
                break
        con.execute("UPDATE messages SET parent_missing = FALSE WHERE parent_missing AND "
                    "message_id IN (SELECT old_root FROM _att)")
        con.execute("""UPDATE messages SET conversation_id = a.new_root FROM _att a
                       WHERE messages.conversation_id = a.old_root AND a.new_root <> a.old_root""")
    con.execute("DROP TABLE IF EXISTS _att")
    return moved


def refresh_conversations(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute `conversation_id` and `parent_missing` of every message (after replies were re-parented);
    returns the rows changed. Conversations may have moved anywhere: the derived tables are rebuilt whole
    (`derive.forget_extent`)."""
    from strategyfirst.warehouse.derive import forget_extent

    forget_extent(con)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _conv AS
        SELECT m.message_id AS id, p.message_id AS anc
        FROM messages m JOIN messages p ON p.message_id = m.in_reply_to
        WHERE m.in_reply_to IS NOT NULL AND m.in_reply_to <> m.message_id""")
    for _ in range(MAX_ROUNDS):
        if not _scalar(con, "SELECT count(*) FROM _conv c JOIN _conv a ON a.id = c.anc"):
            break
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _conv AS
            SELECT c.id, coalesce(a.anc, c.anc) AS anc FROM _conv c LEFT JOIN _conv a ON a.id = c.anc""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _convres AS
        SELECT m.message_id AS id, coalesce(c.anc, m.message_id) AS cid,
               m.in_reply_to IS NOT NULL AND c.anc IS NULL AND m.in_reply_to <> m.message_id AS missing
        FROM messages m LEFT JOIN _conv c ON c.id = m.message_id""")
    changed = _scalar(con, """
        SELECT count(*) FROM messages m JOIN _convres r ON r.id = m.message_id
        WHERE m.conversation_id IS DISTINCT FROM r.cid OR m.parent_missing <> r.missing""")
    if changed:
        con.execute("""
            UPDATE messages SET conversation_id = r.cid, parent_missing = r.missing
            FROM _convres r
            WHERE messages.message_id = r.id
              AND (messages.conversation_id IS DISTINCT FROM r.cid OR messages.parent_missing <> r.missing)""")
    con.execute("DROP TABLE _conv")
    con.execute("DROP TABLE _convres")
    return changed


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
