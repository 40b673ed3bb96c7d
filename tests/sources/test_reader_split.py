"""Rows the CSV reader cannot split: rejects with their true physical line and a reason in words.

Fixtures are bytes written here; every expected line number is counted by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query

pytestmark = pytest.mark.usefixtures("no_derive")

TS = "Wed Oct 11 06:55:44 +0000 2017"
# Wording of DuckDB's (or any library's) that must never reach a user.
INTERNAL = ("state machine", "csv error", "binder", "expected number of columns", "invalid input",
            "unquoted value", "missing columns", "too many columns", "duckdb", "conversion error")


def _rejects(ws: Workspace) -> list[tuple[int, str, str]]:
    return [(int(line), str(reason), str(raw)) for line, reason, raw in
            query(ws, "SELECT line, reason, raw FROM rejects ORDER BY line")]


def _assert_plain(reasons: list[str]) -> None:
    for reason in reasons:
        assert not any(word in reason.lower() for word in INTERNAL), reason


def test_pandas_twcs_variant_with_a_bare_cr_imports_every_row_it_can(tmp_path: Path) -> None:
    # The pandas re-write: a leading index column, True/False, ids like 119237.0, LF line ends, and one text
    # field holding a bare CR (not a line end: the file's lines end with LF).
    text = (
        ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"  # line 1
        f"0,119237.0,105834,True,{TS},hello there,119238.0,\n"                                      # line 2
        f"1,119238.0,ChaseSupport,False,{TS},first\rsecond,,119237.0\n"                            # line 3
        f"2,119239.0,105835,True,{TS},fine,,119238.0\n"                                             # line 4
        f"3,119240.0,105836,True,{TS},too,many,fields,,119238.0\n"                                  # line 5
        f'4,119241.0,105836,True,{TS},"quoted\nbreak",,119238.0\n'                                  # lines 6-7
        f"5,119242.0,105836,True,not a date,x,,119238.0\n"                                          # line 8
        f"6,119243.0,105836,False,{TS},last\r,,119242.0\n"                                          # line 9
    )
    path = tmp_path / "twcs_pandas.csv"
    path.write_bytes(text.encode("utf-8"))
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["source"], f["rows_read"], f["rows_new"], f["rows_rejected"]) == ("twcs", 7, 5, 2)
    rows = dict((m, (t, r)) for m, t, r in query(ws, "SELECT message_id, text, in_reply_to FROM messages"))
    # The CR stays inside its value; the ids lose pandas' ".0".
    assert rows["x:119238"] == ("first\rsecond", "x:119237")
    assert rows["x:119243"] == ("last\r", "x:119242")
    assert rows["x:119241"] == ("quoted\nbreak", "x:119238")
    assert set(rows) == {"x:119237", "x:119238", "x:119239", "x:119241", "x:119243"}
    rejects = _rejects(ws)
    assert [(line, reason) for line, reason, _ in rejects] == [
        (5, "the row has 9 fields where the header has 8"),
        (8, "created_at is not a date like 'Wed Oct 11 06:55:44 +0000 2017'"),
    ]
    assert rejects[0][2] == f"3,119240.0,105836,True,{TS},too,many,fields,,119238.0"
    _assert_plain([r for _, r, _ in rejects])


def test_rejected_rows_keep_their_physical_line_after_breaks_and_other_rejects(tmp_path: Path) -> None:
    # CRLF line ends (the Kaggle file's), quoted line breaks before and between bad rows, a blank-free file.
    lines = [
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",  # 1
        f'1,acme,False,{TS},"two\r\nlines",,',                                                   # 2-3
        "2,bob,True",                                                                           # 4: 3 fields
        f'3,bob,True,{TS},"a, b",,1,extra',                                                      # 5: 8 fields
        f'4,bob,True,{TS},"three\r\nline\r\ntext",,1',                                          # 6-8
        f"5,bob,maybe,{TS},x,,1",                                                               # 9: bad inbound
        f'6,bob,True,{TS},"quoted ""twice"" then text" after,,1',                               # 10: stray quote
        f"7,bob,True,{TS},ok,,1",                                                               # 11
        f"8,bob,True,{TS},x,,not-an-id",                                                        # 12
    ]
    path = tmp_path / "twcs.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (8, 3, 5)
    assert sorted(r[0] for r in query(ws, "SELECT message_id FROM messages")) == ["x:1", "x:4", "x:7"]
    got = [(line, reason) for line, reason, _ in _rejects(ws)]
    assert got == [
        (4, "the row has 3 fields where the header has 7"),
        (5, "the row has 8 fields where the header has 7"),
        (9, "inbound is not True/False"),
        (10, "a quoted field is not closed (a double quote opens a value but does not close it, or text "
             "follows the closing quote)"),
        (12, "in_response_to_tweet_id is not a tweet id"),
    ]
    _assert_plain([r for _, r in got])
    # The raw text of a rejected row is the row itself, without a line end of the row before it.
    assert _rejects(ws)[0][2] == "2,bob,True"


def test_an_unclosed_quote_rejects_the_rest_of_the_file_from_its_line(tmp_path: Path) -> None:
    lines = ["tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",  # 1
             f"1,acme,False,{TS},fine,,",                                                           # 2
             f'2,acme,False,{TS},"never closed,,',                                                  # 3
             f"3,acme,False,{TS},swallowed,,"]                                                       # 4
    path = tmp_path / "twcs.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    ((line, reason, raw),) = _rejects(ws)
    assert line == 3 and reason.startswith("a quoted field is not closed")
    assert raw.startswith('2,acme,False') and "swallowed" in raw  # what the open quote took in is shown


def test_lines_ending_both_in_crlf_and_lf_import(tmp_path: Path) -> None:
    # A file edited on two systems: DuckDB's reader refuses the mix; a copy with LF line ends is read instead.
    text = ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\r\n"  # 1
            f"1,acme,False,{TS},crlf,,\r\n"                                                           # 2
            f"2,acme,False,{TS},lf,,\n"                                                               # 3
            f"3,acme,False,{TS},bare\rcr,,\n"                                                         # 4
            "4,acme,False\r\n"                                                                        # 5
            f"5,acme,False,{TS},end,,\r\n")                                                           # 6
    path = tmp_path / "twcs.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (4, 1)
    assert dict(query(ws, "SELECT message_id, text FROM messages")) == {
        "x:1": "crlf", "x:2": "lf", "x:3": "bare\rcr", "x:5": "end"}
    assert [(line, reason) for line, reason, _ in _rejects(ws)] == [
        (5, "the row has 3 fields where the header has 7")]


def test_an_old_mac_file_with_cr_line_ends_imports(tmp_path: Path) -> None:
    text = ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\r"
            f"1,acme,False,{TS},one,,\r2,acme,False,{TS},two,,\r")
    path = tmp_path / "twcs.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    assert dict(query(ws, "SELECT message_id, text FROM messages")) == {"x:1": "one", "x:2": "two"}


def test_bare_crs_and_long_lines_are_found_across_chunk_boundaries(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import strategyfirst.sources.textfile as textfile

    # 7-byte chunks: every CR, CRLF and line end of the file falls on or near a boundary somewhere.
    monkeypatch.setattr(textfile, "CHUNK", 7)
    rows = [f"{i},acme,False,{TS},a\rb{'c' * i},,\r\n" for i in range(1, 9)]
    text = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\r\n" + "".join(rows)
    path = tmp_path / "twcs.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (8, 0)
    texts = dict(query(ws, "SELECT message_id, text FROM messages"))
    assert texts == {f"x:{i}": "a\rb" + "c" * i for i in range(1, 9)}
    monkeypatch.setattr(textfile, "MAX_FIELDS", 20)  # a 21-field line 3, found in 7-byte chunks
    wide = tmp_path / "wide.csv"
    wide.write_bytes(b"a,b\n1,2\n" + b",".join([b"x"] * 21) + b"\n3,4\n")
    with pytest.raises(ImportFileError, match=r"wide\.csv:3: this line has 21 fields, more than the 20"):
        textfile.open_source_file(wide, tmp_path / "tmp")


def test_a_file_none_of_whose_rows_splits_is_refused(tmp_path: Path) -> None:
    # A semicolon file whose header happens to hold commas: no row has the header's fields.
    text = ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
            "1;acme;False;x;y;;\n2;acme;False;x;y;;\n3;acme;False;x;y;;\n")
    path = tmp_path / "twcs.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ImportFileError) as info:
        ingest(ws, [path])
    assert str(info.value) == (f"{path}:2:1: not one of its 3 rows splits into the header's 7 columns (the first "
                               "one: the row has 1 field where the header has 7); check that the file is the "
                               "export, unchanged (this file was not imported)")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_blank_lines_between_rows_keep_later_rejects_on_their_line(tmp_path: Path, eol: str) -> None:
    # DuckDB skips blank lines but counts them; a blank line inside a quoted field is text, not a line.
    lines = [
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",  # 1
        f"1,acme,False,{TS},one,,",                                                             # 2
        "",                                                                                     # 3
        f'2,acme,False,{TS},"para{eol}{eol}graph",,',                                           # 4-6
        "",                                                                                     # 7
        "",                                                                                     # 8
        "3,acme,False",                                                                         # 9: 3 fields
        f"4,acme,maybe,{TS},x,,",                                                               # 10
        "",                                                                                     # 11
    ]
    path = tmp_path / "twcs.csv"
    path.write_bytes((eol.join(lines) + eol).encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 2)
    assert dict(query(ws, "SELECT message_id, text FROM messages")) == {"x:1": "one", "x:2": f"para{eol}{eol}graph"}
    assert [(line, reason) for line, reason, _ in _rejects(ws)] == [
        (9, "the row has 3 fields where the header has 7"), (10, "inbound is not True/False")]
