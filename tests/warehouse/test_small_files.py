"""The per-file machinery made cheaper for small files (issue 19.1) gives what the general path gives: a few
staged messages are matched with the stored ones through a list of their ids (merge.LITERAL_KEYS), many through
a join with the whole table; an orphan reply is linked when its parent arrives in a file without replies; a
small file is copied into raw/ at once, a large one on a thread, to the same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.warehouse import merge, rawstore
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar

pytestmark = pytest.mark.usefixtures("no_derive")

HEADER = "message_id,platform,account,created_at,text,in_reply_to,impressions,likes\n"


@pytest.mark.parametrize("literal_keys", [0, merge.LITERAL_KEYS], ids=["join", "id list"])
def test_a_newer_export_merges_the_same_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   literal_keys: int) -> None:
    monkeypatch.setattr(merge, "LITERAL_KEYS", literal_keys)
    ws = Workspace(tmp_path / "ws")
    # ids with a quote and a comma inside: the id list quotes them as SQL literals
    old = tmp_path / "old.csv"
    old.write_text(HEADER + "x:1,x,acme,2024-01-02 10:00:00,hello,,100,1\n"
                   "\"x:it's\",x,acme,2024-01-02 11:00:00,quote,,50,2\n"
                   "\"x:a,b\",x,acme,2024-01-02 12:00:00,comma,x:1,7,0\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    new.write_text(HEADER + "x:1,x,acme,2024-01-02 10:00:00,hello,,140,4\n"   # higher figures: updated
                   "\"x:it's\",x,acme,2024-01-02 11:00:00,quote,,50,2\n"      # the same: duplicate
                   "\"x:a,b\",x,acme,2024-01-02 12:00:00,comma,x:1,3,0\n"     # lower: duplicate, counted lower
                   "x:4,x,acme,2024-01-03 10:00:00,new,x:it's,1,0\n", encoding="utf-8")  # new reply
    first = one(ingest(ws, [old]))
    assert (first["rows_new"], first["rows_updated"]) == (3, 0)
    second = one(ingest(ws, [new]))
    assert (second["rows_new"], second["rows_updated"], second["rows_duplicate"], second["rows_lower_figures"]) == (
        1, 1, 2, 1)
    assert query(ws, "SELECT message_id, impressions, likes, conversation_id FROM messages ORDER BY 1") == [
        ("x:1", 140.0, 4.0, "x:1"), ("x:4", 1.0, 0.0, "x:it's"), ("x:a,b", 7.0, 0.0, "x:1"),
        ("x:it's", 50.0, 2.0, "x:it's")]
    assert scalar(ws, "SELECT count(*) FROM prev_messages") == 1  # the row the import updated, for undo


def test_a_parent_arriving_in_a_file_without_replies_takes_its_orphans_in(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    replies = tmp_path / "replies.csv"
    replies.write_text(HEADER + "x:2,x,bob,2024-01-02 10:00:00,reply,x:1,,\n"
                       "x:3,x,acme,2024-01-02 11:00:00,reply to reply,x:2,,\n"
                       "x:9,x,bob,2024-01-02 12:00:00,other orphan,x:8,,\n", encoding="utf-8")
    ingest(ws, [replies])
    assert query(ws, "SELECT message_id FROM messages WHERE parent_missing ORDER BY 1") == [("x:2",), ("x:9",)]
    root = tmp_path / "root.csv"
    root.write_text(HEADER + "x:1,x,acme,2024-01-01 09:00:00,the post,,,\n", encoding="utf-8")
    ingest(ws, [root])
    assert query(ws, "SELECT message_id, conversation_id, parent_missing FROM messages ORDER BY 1") == [
        ("x:1", "x:1", False), ("x:2", "x:1", False), ("x:3", "x:1", False), ("x:9", "x:9", True)]


FIRST = HEADER + ("x:3,x,bob,2024-01-02 11:00:00,reply before its parent,x:2,,\n"
                  "x:2,x,acme,2024-01-02 10:00:00,parent,x:1,5,1\n"
                  "x:2,x,acme,2024-01-02 10:00:00,parent again,x:1,9,2\n"   # the same id: the later row is kept
                  "x:5,x,bob,2024-01-02 12:00:00,orphan,x:4,,\n")
SECOND = HEADER + ("x:1,x,acme,2024-01-01 09:00:00,root,,,\n"
                   "x:4,x,acme,2024-01-01 09:30:00,the orphan's parent,x:1,,\n"
                   "x:2,x,acme,2024-01-02 10:00:00,parent again,x:1,9,2\n")


@pytest.mark.parametrize("literal_keys", [0, merge.LITERAL_KEYS], ids=["join", "id list"])
@pytest.mark.parametrize("order", ["first, second", "second, first"])
def test_a_first_file_into_an_empty_warehouse_links_and_counts_as_a_later_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, literal_keys: int, order: str) -> None:
    """The first import into an empty `messages` (merge.prepare's short-cut: no comparison, no orphan lookup)
    with an id twice and a reply before its parent in the file; then a file that brings the missing parents
    and one stored row again. In either order the same messages and conversations, counted as worked out."""
    monkeypatch.setattr(merge, "LITERAL_KEYS", literal_keys)
    ws = Workspace(tmp_path / "ws")
    files = {"first": tmp_path / "first.csv", "second": tmp_path / "second.csv"}
    files["first"].write_text(FIRST, encoding="utf-8")
    files["second"].write_text(SECOND, encoding="utf-8")
    names = order.split(", ")
    counts = [one(ingest(ws, [files[n]])) for n in names]
    got = [(c["rows_new"], c["rows_updated"], c["rows_duplicate"]) for c in counts]
    if names[0] == "first":
        # first: x:2 twice is one new row and one duplicate; x:3 and x:5 new. second: x:1, x:4 new; x:2 as stored
        assert got == [(3, 0, 1), (2, 0, 1)]
    else:
        # second: three new. first: x:3, x:5 new; both x:2 rows are duplicates (the kept one equals the stored)
        assert got == [(3, 0, 0), (2, 0, 2)]
    # every message ends in x:1's conversation (x:3 via x:2, x:5 via x:4), none waiting for its parent
    assert query(ws, "SELECT message_id, text, impressions, likes, conversation_id, parent_missing FROM messages "
                     "ORDER BY 1") == [
        ("x:1", "root", None, None, "x:1", False),
        ("x:2", "parent again", 9.0, 2.0, "x:1", False),
        ("x:3", "reply before its parent", None, None, "x:1", False),
        ("x:4", "the orphan's parent", None, None, "x:1", False),
        ("x:5", "orphan", None, None, "x:1", False)]


@pytest.mark.parametrize("inline_bytes", [0, rawstore.INLINE_BYTES], ids=["thread", "at once"])
def test_the_raw_copy_is_the_file_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             inline_bytes: int) -> None:
    monkeypatch.setattr(rawstore, "INLINE_BYTES", inline_bytes)
    data = b"date,platform,amount\n" + b"2024-01-01,x,1.5\n" * 1000
    source = tmp_path / "spend.csv"
    source.write_bytes(data)
    raw_dir = tmp_path / "raw"
    copy = rawstore.RawCopy(source, raw_dir)
    assert (copy._thread is None) == (inline_bytes > 0)
    assert copy.digest == hashlib.sha256(data).hexdigest()
    kept = copy.keep()
    assert kept.name == hashlib.sha256(data).hexdigest() + ".csv" and kept.read_bytes() == data
    dropped = rawstore.RawCopy(source, tmp_path / "raw2")
    dropped.discard()
    assert list((tmp_path / "raw2").iterdir()) == []
    missing = rawstore.RawCopy(tmp_path / "gone.csv", tmp_path / "raw3")
    with pytest.raises(ImportFileError, match="could not be copied"):
        _ = missing.digest
    assert list((tmp_path / "raw3").iterdir()) == []


@pytest.mark.parametrize(("ids", "unique"), [
    (["x:5", "x:7", "x:6"], True),
    (["x:5", "x:7", "x:5"], False),                      # an id twice
    (["x:7", "x:007"], False),                           # distinct ids, the same number: counted instead
    (["x:7", "y:7"], False),                             # (the distinct count then says 2)
    (["x:1", "x:a"], False),                             # an id without a number
    (["x:1", "x:18446744073709551615"], False),          # a range too wide for the bitmap
    (["x:18446744073709551614", "x:18446744073709551615"], True),
    (["x:3"], True),
])
def test_the_staged_ids_are_proven_unique_by_their_numbers_only_when_they_are(ids: list[str], unique: bool) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE stage_messages AS SELECT unnest(?::VARCHAR[]) AS message_id", [ids])
    assert merge._unique_by_number(con, merge.SPECS["messages"], len(ids)) is unique
    assert merge._unique_by_number(con, merge.SPECS["video_daily"], len(ids)) is False  # not keyed by the id
