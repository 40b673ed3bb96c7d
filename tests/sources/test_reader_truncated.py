"""Files cut at a random byte: the cut last row is a reject "truncated last line", the rest imports, and no
value ever lands shortened. Real files cut inside their last field, checked against the csv module."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar

pytestmark = pytest.mark.usefixtures("no_derive")

TS = "Wed Oct 11 06:55:44 +0000 2017"


def _cut_inside_last_field(data: bytes, keep: int) -> tuple[bytes, bytes]:
    """The file cut `keep` bytes into the last field of its last line (no line end), and that last line."""
    body = data.rstrip(b"\r\n")
    last_line = body.rsplit(b"\n", 1)[1]
    start_of_last_field = len(body) - len(last_line) + max(last_line.rfind(b","), last_line.rfind(b";")) + 1
    return body[:start_of_last_field + keep], last_line


def _rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _physical_lines(data: bytes) -> int:
    return data.rstrip(b"\r\n").count(b"\n") + 1


@pytest.mark.parametrize("keep", [0, 1, 3])
def test_twcs_cut_in_its_last_reply_id_rejects_that_row(shared_data: Path, tmp_path: Path, keep: int) -> None:
    data = (shared_data / "twcs/sample.csv").read_bytes()
    cut, _ = _cut_inside_last_field(data, keep)
    full = _rows(data)
    last = full[-1]
    assert len(last[6]) > keep  # the cut really shortens the last value (an id like 119287)
    path = tmp_path / "sample.csv"
    path.write_bytes(cut)
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (len(full) - 2, 1)
    ((line, reason, raw),) = query(ws, "SELECT line, reason, raw FROM rejects")
    assert reason.startswith("truncated last line")
    assert line == _physical_lines(cut)
    assert raw.startswith(last[0])
    # The cut row is nowhere: no message with its id, and no message replying to a shortened id.
    assert scalar(ws, "SELECT count(*) FROM messages WHERE message_id = ?", [f"x:{last[0]}"]) == 0
    ids = {f"x:{r[0]}" for r in full[1:-1]}
    replies = {r[0] for r in query(ws, "SELECT in_reply_to FROM messages WHERE in_reply_to IS NOT NULL")}
    expected_replies = {f"x:{r[6]}" for r in full[1:-1] if r[6]}
    assert expected_replies <= replies and all(len(r) > 4 for r in replies)
    assert {m for (m,) in query(ws, "SELECT message_id FROM messages")} == ids


@pytest.mark.parametrize("keep", [0, 1])
def test_uci_cut_in_its_last_figure_rejects_that_row(shared_data: Path, tmp_path: Path, keep: int) -> None:
    data = (shared_data / "uci-facebook-metrics/dataset_Facebook.csv").read_bytes()
    cut, _ = _cut_inside_last_field(data, keep)
    full = _rows(data, ";")
    path = tmp_path / "dataset_Facebook.csv"
    path.write_bytes(cut)
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="uci-page"))
    assert (f["rows_new"], f["rows_rejected"]) == (len(full) - 2, 1)
    ((line, reason),) = query(ws, "SELECT line, reason FROM rejects")
    assert reason.startswith("truncated last line") and line == len(full)
    # Every stored share count is a whole value of the file: sum of "share" over rows 1..n-1 (blank = none).
    col = full[0].index("share")
    expected = sum(float(r[col]) for r in full[1:-1] if r[col])
    assert scalar(ws, "SELECT sum(shares) FROM messages") == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("keep", [0, 1])
def test_youtube_totals_cut_in_its_last_total_rejects_that_day(shared_data: Path, tmp_path: Path,
                                                                keep: int) -> None:
    data = (shared_data / "youtube-studio/priyankapatel05/Totals.csv").read_bytes()
    cut, _ = _cut_inside_last_field(data, keep)
    full = _rows(data)
    path = tmp_path / "Totals.csv"
    path.write_bytes(cut)
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="channel"))
    assert (f["rows_new"], f["rows_rejected"]) == (len(full) - 2, 1)
    ((line, reason),) = query(ws, "SELECT line, reason FROM rejects")
    assert reason.startswith("truncated last line") and line == len(full)
    assert scalar(ws, "SELECT count(*) FROM account_daily WHERE video_views IS NULL") == 0
    assert scalar(ws, "SELECT sum(video_views) FROM account_daily") == sum(int(r[1]) for r in full[1:-1])


def test_a_row_cut_before_its_last_fields_is_rejected_not_the_file(tmp_path: Path) -> None:
    text = ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
            f"1,acme,False,{TS},hello,,\n2,bob,True,{TS},cut he")
    path = tmp_path / "twcs.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    assert query(ws, "SELECT line, raw FROM rejects") == [(3, f"2,bob,True,{TS},cut he")]


def test_a_last_row_ending_in_a_closed_quote_is_whole_and_imports(tmp_path: Path) -> None:
    # X analytics quotes every field: a file ending right after a closing quote lost nothing.
    text = ('"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets","replies",'
            '"likes","url clicks","follows"\n'
            '"11","https://twitter.com/acme/status/11","a","2020-01-02 03:04 +0000","1938.0","18.0","0.0",'
            '"0.0","1.0","15.0","2"')
    path = tmp_path / "tweet_activity_metrics_acme_20200101_20200201_en.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 0)
    assert scalar(ws, "SELECT impressions FROM messages") == 1938


def test_a_cut_inside_a_quoted_last_field_is_rejected(tmp_path: Path) -> None:
    text = ('"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets","replies",'
            '"likes","url clicks","follows"\n'
            '"11","https://twitter.com/acme/status/11","a","2020-01-02 03:04 +0000","1","1","0","0","1","1","2"\n'
            '"12","https://twitter.com/acme/status/12","b","2020-01-03 03:04 +0000","1938.0","18.0","0.0",'
            '"0.0","1.0","15.0","2')
    path = tmp_path / "tweet_activity_metrics_acme_20200101_20200201_en.csv"
    path.write_bytes(text.encode())
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    ((line, reason),) = query(ws, "SELECT line, reason FROM rejects")
    assert line == 3 and reason.startswith("truncated last line")
    assert query(ws, "SELECT message_id FROM messages") == [("x:11",)]


def test_a_cut_inside_a_multibyte_character_rejects_the_last_row(tmp_path: Path) -> None:
    # Cut after the first two of an emoji's four bytes: the file ends in half a character.
    text = ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
            f"1,acme,False,{TS},hello,,\n2,bob,True,{TS},smile \U0001F600,,1\n")
    data = text.encode()
    cut = data[: data.index("\U0001F600".encode()) + 2]
    path = tmp_path / "twcs.csv"
    path.write_bytes(cut)
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    ((line, reason),) = query(ws, "SELECT line, reason FROM rejects")
    assert line == 3 and reason.startswith("truncated last line")
