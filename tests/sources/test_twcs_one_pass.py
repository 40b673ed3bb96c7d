"""The twcs file read, typed and mapped in one pass when no row is rejected, and the general way (rows kept with
their line numbers) when one is: the same rows stored either way, and rejects at their physical lines.

Fixtures are bytes written here; every expected value and line number is worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategyfirst.sources import twcs
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query

pytestmark = pytest.mark.usefixtures("no_derive")

TS = "Wed Oct 11 06:55:44 +0000 2017"
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


@pytest.fixture
def general_way(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read the general way (`read_rows`), by name."""
    seen: list[str] = []
    inner = twcs.read_rows

    def spy(con: Any, sf: Any, *args: Any, **kwargs: Any) -> int:
        seen.append(sf.name)
        return inner(con, sf, *args, **kwargs)

    monkeypatch.setattr(twcs, "read_rows", spy)
    return seen


def _stored(ws: Workspace) -> set[tuple[Any, ...]]:
    return set(query(ws, "SELECT message_id, account, owned, kind, text, in_reply_to, conversation_id, "
                         "parent_missing, created_at::VARCHAR FROM messages"))


def _import(tmp_path: Path, text: str) -> tuple[Workspace, dict[str, Any]]:
    """A new workspace with `text` imported as twcs.csv, and the file's import summary."""
    path = tmp_path / "twcs.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    return ws, one(ingest(ws, [path]))


def test_a_file_without_rejects_takes_one_pass_with_links_duplicates_and_quoted_breaks(
        tmp_path: Path, general_way: list[str]) -> None:
    text = (
        HEADER
        + f"10,101,True,{TS},help,\"11,12\",\n"                # a post; lists 11 (has a parent) and 12 (has none)
        + f"11,Acme,False,{TS},\"on it\nline two\",,10\n"      # a reply whose text holds a line break
        + f"12,Acme,False,{TS},linked only,,\n"                # a reply only its parent's list names: linked to 10
        + f"13,102,True,{TS},old text,,12\n"                   # id 13 twice: the later row wins
        + f"14,103,True,{TS},\"a \"\"quote\"\"\",,99\n"        # its parent is not in the file
        + f"13,102,True,{TS},new text,,12\n"
    )
    ws, f = _import(tmp_path, text)
    assert general_way == []
    assert (f["rows_read"], f["rows_new"], f["rows_duplicate"], f["rows_rejected"]) == (6, 5, 1, 0)
    t = "2017-10-11 06:55:44"
    assert _stored(ws) == {
        ("x:10", "101", False, "post", "help", None, "x:10", False, t),
        ("x:11", "Acme", True, "reply", "on it\nline two", "x:10", "x:10", False, t),
        ("x:12", "Acme", True, "reply", "linked only", "x:10", "x:10", False, t),
        ("x:13", "102", False, "reply", "new text", "x:12", "x:10", False, t),
        ("x:14", "103", False, "reply", 'a "quote"', "x:99", "x:14", True, t),
    }


def test_a_file_with_rejects_goes_the_general_way_with_physical_lines(
        tmp_path: Path, general_way: list[str]) -> None:
    text = (
        HEADER                                                  # line 1
        + f"20,201,True,{TS},\"two\nlines\",,\n"                # lines 2-3
        + f"21,Acme,False,{TS},ok,,20\n"                        # line 4
        + f"22,202,maybe,{TS},bad inbound,,\n"                  # line 5: inbound is not True/False
        + f"23,203,True,{TS},too,many,fields,1\n"              # line 6: 8 fields
        + f"24,Acme,False,{TS},\"x\ny\nz\",,21\n"               # lines 7-9
        + "25,204,True,yesterday,bad date,,24\n"               # line 10
    )
    ws, f = _import(tmp_path, text)
    assert general_way == ["twcs.csv"]
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (6, 3, 3)
    assert query(ws, "SELECT line, reason, raw FROM rejects ORDER BY line") == [
        (5, "inbound is not True/False", f"22,202,maybe,{TS},bad inbound,,"),
        (6, "the row has 8 fields where the header has 7", f"23,203,True,{TS},too,many,fields,1"),
        (10, "created_at is not a date like 'Wed Oct 11 06:55:44 +0000 2017'", "25,204,True,yesterday,bad date,,24"),
    ]
    t = "2017-10-11 06:55:44"
    assert _stored(ws) == {
        ("x:20", "201", False, "post", "two\nlines", None, "x:20", False, t),
        ("x:21", "Acme", True, "reply", "ok", "x:20", "x:20", False, t),
        ("x:24", "Acme", True, "reply", "x\ny\nz", "x:21", "x:20", False, t),
    }


def test_an_id_with_a_control_character_goes_the_general_way(tmp_path: Path, general_way: list[str]) -> None:
    # DuckDB reads "31\t" as a number: only the control-character check rejects the id (line 3).
    text = HEADER + f"30,301,True,{TS},fine,,\n" + f"31\t,302,True,{TS},tab,,30\n"
    ws, f = _import(tmp_path, text)
    assert general_way == ["twcs.csv"]
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    assert [(line, reason.startswith("the id holds a control character"))
            for line, reason in query(ws, "SELECT line, reason FROM rejects")] == [(3, True)]


def test_a_file_without_a_last_line_break_goes_the_general_way(tmp_path: Path, general_way: list[str]) -> None:
    text = HEADER + f"40,401,True,{TS},fine,,\n" + f"41,402,True,{TS},cut"  # line 3 may be cut short
    ws, f = _import(tmp_path, text)
    assert general_way == ["twcs.csv"]
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    assert [line for (line,) in query(ws, "SELECT line FROM rejects")] == [3]


def test_the_general_way_links_replies_and_checks_the_linked_parent(tmp_path: Path, general_way: list[str]) -> None:
    # 13 is rejected (inbound) yet still the parent 14 is linked to; 15's id holds a tab, so 16, linked to it,
    # names a damaged id and is refused too (lines 7 and 8).
    text = (HEADER + f"10,101,True,{TS},help,\"11,12\",\n" + f"11,Acme,False,{TS},on it,,10\n"
            + f"12,Acme,False,{TS},linked only,,\n" + f"13,102,maybe,{TS},bad,14,\n"
            + f"14,Acme,False,{TS},linked to rejected,,\n" + f"15\t,103,True,{TS},tab id,16,\n"
            + f"16,Acme,False,{TS},linked to tab,,\n")
    ws, f = _import(tmp_path, text)
    assert general_way == ["twcs.csv"]
    assert (f["rows_new"], f["rows_rejected"]) == (4, 3)
    assert query(ws, "SELECT message_id, kind, in_reply_to, conversation_id, parent_missing FROM messages "
                     "ORDER BY 1") == [
        ("x:10", "post", None, "x:10", False), ("x:11", "reply", "x:10", "x:10", False),
        ("x:12", "reply", "x:10", "x:10", False), ("x:14", "reply", "x:13", "x:14", True)]
    assert [(line, reason.split(" (")[0]) for line, reason in query(ws, "SELECT line, reason FROM rejects ORDER BY 1")
            ] == [(5, "inbound is not True/False"), (7, "the id holds a control character"),
                  (8, "the id holds a control character")]


def _mapped(rows: list[tuple[str | None, ...]]) -> list[tuple[Any, ...]]:
    """(tid-ish message_id, created_at, _reject) of `rows` (tweet_id, created_at, in_response_to_tweet_id) mapped
    by the twcs mapping, in order."""
    import duckdb

    from strategyfirst.sources import sqlfuncs
    from strategyfirst.sources.base import LoadContext

    con = duckdb.connect()
    sqlfuncs.install(con)
    con.execute("CREATE TABLE r (i INTEGER, tweet_id VARCHAR, author_id VARCHAR, inbound VARCHAR, "
                "created_at VARCHAR, text VARCHAR, response_tweet_id VARCHAR, in_response_to_tweet_id VARCHAR)")
    con.executemany("INSERT INTO r VALUES (?, ?, '1', 'True', ?, 't', NULL, ?)",
                    [(i, *row) for i, row in enumerate(rows)])
    c = {k: f'"{k}"' for k in twcs.COLUMNS}
    sql = twcs._mapping(c, LoadContext(), "(SELECT * FROM r ORDER BY i)", lined=False)
    return con.execute(f"SELECT created_at::VARCHAR, _reject FROM ({sql})").fetchall()


def test_every_control_character_in_an_id_is_a_reject_and_nothing_else_is() -> None:
    # Ids the UBIGINT cast reads besides plain digits (a sign, leading zeros, spaces, a control character around
    # them): only those with a control character (code points 0-31 and 127) are refused for it.
    damaged = "the id holds a control character"
    cases: list[tuple[str, str | None, bool]] = []
    for code in [*range(32), 127]:
        ch = chr(code)
        for tid, pid in ((f"7{ch}", None), (f"{ch}7", None), (f"7{ch}8", None), ("7", f"8{ch}"), ("7", f"{ch}8"),
                         (f"+{ch}7", None), (f" 7{ch}", "08")):
            cases.append((tid, pid, True))
    cases += [("7", None, False), ("007", None, False), ("+7", "+08", False), (" 7 ", " 8", False),
              ("18446744073709551615", "1", False), ("7.0", "8.00", False)]
    got = _mapped([(tid, TS, pid) for tid, pid, _ in cases])
    for (tid, pid, is_damaged), (_, reason) in zip(cases, got, strict=True):
        if is_damaged:  # refused: for the control character, or as no tweet id at all (the cast fails)
            assert reason is not None, (tid, pid)
        else:
            assert reason is None, (tid, pid, reason)
        if reason is not None and not reason.startswith(damaged):
            assert "not a tweet id" in reason, (tid, pid, reason)
        # the control-character reason exactly where the old check (a regex over both ids) found one
        control = any(ord(ch) < 32 or ord(ch) == 127 for ch in tid + (pid or ""))
        if reason is None or reason.startswith(damaged):
            assert (reason is not None) == control, (tid, pid, reason)


def test_created_at_in_every_accepted_format() -> None:
    got = [ts for ts, _ in _mapped([("1", v, None) for v in (
        TS, f"  {TS} ", "Wed Oct 11 08:55:44 +0200 2017", "2017-10-11 06:55:44", " 2017-10-11T06:55:44 ",
        "2017-10-11 08:55:44+02", "2017-10-11 06:55:44.5", "yesterday", "", None)])]
    t = "2017-10-11 06:55:44"
    assert got == [t, t, t, t, t, t, "2017-10-11 06:55:44.5", None, None, None]
