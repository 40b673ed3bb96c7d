"""The mutations issue 12 reports as seen on real files, pinned (the seeded fuzzer may or may not draw them):
a last line cut inside its last field (12.3), a bare CR (12.2), an odd-length UTF-16 file (12.4), giant
lines (12.5)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref

pytestmark = pytest.mark.usefixtures("no_derive")


@pytest.fixture
def no_derive(monkeypatch: pytest.MonkeyPatch) -> None:
    import strategyfirst.warehouse.derive as derive

    monkeypatch.setattr(derive, "refresh", lambda con, plan, **kw: None)


def rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def cut_after(data: bytes, marker: bytes, keep: int) -> bytes:
    """The bytes up to `keep` bytes into the last occurrence of `marker` (a file cut mid-field)."""
    at = data.rindex(marker)
    return data[: at + keep]


def test_twcs_cut_inside_the_reply_id_rejects_that_line(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "twcs/sample.csv").read_bytes()
    # line 51: 119288,SpotifyCares,False,...,,119287  -> cut after the "1" of 119287
    cut = cut_after(data[: data.index(b",,119287\r\n") + 10], b",,119287", 3)
    assert cut.endswith(b",,1") and cut.count(b"\n") == 50
    path = tmp_path / "sample.csv"
    path.write_bytes(cut)
    records = ref.twcs(shared_data / "twcs/sample.csv")
    before = [r.message_id for r in records].index("x:119288")  # whole records before the cut one
    ws = Workspace(tmp_path / "ws")
    f = ws.ingest([path]).files[0]
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (before + 1, before, 1)
    assert rows(ws, "SELECT count(*) FROM messages WHERE message_id = 'x:119288'") == [(0,)]
    [(line, reason)] = rows(ws, "SELECT line, reason FROM rejects")
    assert line == 51 and "truncated" in reason
    want = {r.message_id: r.in_reply_to for r in records}
    got = dict(rows(ws, "SELECT message_id, in_reply_to FROM messages"))
    assert all(v is None or v == want[k] for k, v in got.items())


@pytest.mark.parametrize("keep", [1, 2], ids=["empty-total", "shortened-total"])
def test_youtube_totals_cut_inside_the_last_total(keep: int, shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "youtube-studio/priyankapatel05/Totals.csv").read_bytes()
    cut = cut_after(data, b"12-06-2026,", 10 + keep)  # "12-06-2026," or "12-06-2026,1" (the file has 19)
    path = tmp_path / "Totals.csv"
    path.write_bytes(cut)
    ws = Workspace(tmp_path / "ws")
    f = ws.ingest([path], account="acct").files[0]
    assert (f["rows_new"], f["rows_rejected"]) == (364, 1)
    want = ref.youtube_totals(shared_data / "youtube-studio/priyankapatel05/Totals.csv")
    got = dict(rows(ws, "SELECT date, video_views FROM account_daily"))
    assert all(want[d] == v for d, v in got.items())


def test_uci_cut_after_a_delimiter(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "uci-facebook-metrics/dataset_Facebook.csv").read_bytes().rstrip(b"\r\n")
    path = tmp_path / "dataset_Facebook.csv"
    path.write_bytes(data[: data.rindex(b";") + 1])  # "...;316;0;91;28;" : Total Interactions cut away
    f = Workspace(tmp_path / "ws").ingest([path], account="acct").files[0]
    assert (f["rows_new"], f["rows_rejected"]) == (499, 1)


def test_twcs_bare_cr_in_an_unquoted_text(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "twcs/sample.csv").read_bytes()
    # line 2: 119237,105834,True,...,@AppleSupport causing the reply to be disregarded ... (unquoted text)
    at = data.index(b"causing the reply")
    path = tmp_path / "sample.csv"
    path.write_bytes(data[:at] + b"\r" + data[at:])
    ws = Workspace(tmp_path / "ws")
    f = ws.ingest([path]).files[0]
    assert f["rows_new"] + f["rows_rejected"] >= 92 and f["rows_new"] >= 92
    if f["rows_rejected"]:
        assert {line for line, in rows(ws, "SELECT line FROM rejects")} <= {2, 3}
    want = {r.message_id: r for r in ref.twcs(shared_data / "twcs/sample.csv")}
    for mid, text, created in rows(ws, "SELECT message_id, text, created_at FROM messages"):
        assert created == want[mid].created
        assert mid == "x:119237" or text == want[mid].text


def test_odd_length_utf16_is_one_line_with_the_byte_offset(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "twcs/sample.csv").read_text(encoding="utf-8").encode("utf-16")
    path = tmp_path / "sample.csv"
    path.write_bytes(data[:-1])
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ImportFileError) as err:
        ws.ingest([path])
    message = str(err.value)
    assert "\n" not in message and "sample.csv" in message and "byte" in message
    assert not ws.warehouse_path.exists() or rows(ws, "SELECT count(*) FROM messages") == [(0,)]


@pytest.mark.parametrize("what", ["fields", "field"])
def test_giant_lines_are_refused_quickly(what: str, shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "twcs/sample.csv").read_bytes()
    header, _, rest = data.partition(b"\n")
    giant = b"," * 100_000 if what == "fields" else b'"' + b"x" * 1_100_000 + b'"'
    path = tmp_path / "sample.csv"
    path.write_bytes(header + b"\n" + giant + b"\r\n" + rest)
    started = time.monotonic()
    with pytest.raises(ImportFileError) as err:
        Workspace(tmp_path / "ws").ingest([path])
    assert time.monotonic() - started < 2.0
    message = str(err.value)
    assert "\n" not in message and ("10,000" in message or "1 MB" in message)
