"""Conversation ids of a batch of new messages (warehouse/conversation.py's pointer jumping) against a plain-Python
walk up each reply chain, on random reply forests with stored parents, missing parents, self-replies and cycles."""

from __future__ import annotations

import random

import duckdb
import pytest

from strategyfirst.warehouse import conversation
from strategyfirst.warehouse.conversation import assign_new


def _reference(new: dict[str, str | None], stored: dict[str, str]) -> dict[str, tuple[str, bool]]:
    """id -> (conversation, parent missing) for each reply of the batch, walking parents one by one."""
    replies = {i: p for i, p in new.items() if p is not None and p != i}
    out = {}
    for r in replies:
        x, seen, cid = r, {r}, None
        while cid is None:
            p = replies[x]
            if p in replies:
                if p in seen:  # the chain runs into a cycle: the reply roots itself
                    cid = r
                x = p
                seen.add(p)
            elif p in new:
                cid = p  # a new message that replies to nothing: the root
            elif p in stored:
                cid = stored[p]  # a stored parent: its conversation
            else:
                cid = x  # the parent is nowhere: the highest reply found roots the conversation
        out[r] = (cid, replies[r] not in new and replies[r] not in stored)
    return out


@pytest.mark.parametrize("key", ["message_id", "line", "line in arrays"])
@pytest.mark.parametrize("seed", range(8))
def test_conversation_ids_equal_a_walk_up_each_chain(seed: int, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """By id, by line, and by line with the pending replies followed in numpy (`_jump_in_arrays`, used from
    ARRAY_PENDING of them: here from the first)."""
    arrays = key == "line in arrays"
    if arrays:
        key = "line"
        monkeypatch.setattr(conversation, "ARRAY_PENDING", 1)
        jumped = []
        real = conversation._jump_in_arrays
        monkeypatch.setattr(conversation, "_jump_in_arrays", lambda con, out: (jumped.append(out), real(con, out)))
    rng = random.Random(seed)
    stored = {f"s{i}": f"s{rng.randrange(i + 1)}" for i in range(40)}
    ids = [f"n{i}" for i in range(400)]
    new: dict[str, str | None] = {}
    for i, mid in enumerate(ids):
        kind = rng.random()
        if kind < 0.15:
            new[mid] = None
        elif kind < 0.55 and i:
            new[mid] = ids[rng.randrange(i)]  # an earlier new message: a tree
        elif kind < 0.65:
            new[mid] = ids[rng.randrange(len(ids))]  # any new message: cycles possible
        elif kind < 0.8:
            new[mid] = f"s{rng.randrange(40)}"
        elif kind < 0.95:
            new[mid] = f"gone{rng.randrange(20)}"
        else:
            new[mid] = mid  # replies to itself: no reply
    con = duckdb.connect()
    con.execute("CREATE TABLE messages (message_id VARCHAR, conversation_id VARCHAR)")
    con.executemany("INSERT INTO messages VALUES (?, ?)", list(stored.items()))
    con.execute("CREATE TEMP TABLE batch (message_id VARCHAR, in_reply_to VARCHAR, line BIGINT)")
    lines = rng.sample(range(10_000), len(new))  # unique, in no order
    con.executemany("INSERT INTO batch VALUES (?, ?, ?)",
                    [(i, p, n) for (i, p), n in zip(new.items(), lines, strict=True)])
    out = assign_new(con, "batch", key=key)
    got = {r[0]: (r[1], r[2]) for r in con.execute(
        f"SELECT b.message_id, coalesce(cid, b.message_id), missing FROM {out} JOIN batch b ON b.{key} = k").fetchall()}
    assert got == _reference(new, stored)
    assert con.execute(f"SELECT count(*) - count(DISTINCT k) FROM {out}").fetchone() == (0,)
    # a reply marked d1 replies to a new root: its conversation is its parent
    assert con.execute(f"SELECT count(*) FROM {out} JOIN batch b ON b.{key} = k "
                       "WHERE d1 AND cid IS DISTINCT FROM b.in_reply_to").fetchone() == (0,)
    if arrays:
        assert jumped == [out]  # the pending replies were followed in numpy
