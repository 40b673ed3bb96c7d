"""Read-only snapshots of the warehouse (warehouse/snapshot.py): shared between readers by token, kept while a
writer holds the workspace, replaced once the writer is done; empty tables before the first import."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from strategyfirst.warehouse.lock import workspace_lock
from strategyfirst.warehouse.snapshot import SnapshotKeeper
from strategyfirst.workspace import Workspace


def _keeper(ws: Workspace) -> SnapshotKeeper:
    return SnapshotKeeper(ws.warehouse_path, ws.state_dir, lambda: None)


def _count(keeper: SnapshotKeeper) -> int:
    row = keeper.current().cursor().execute("SELECT count(*) FROM messages").fetchone()
    assert row is not None
    return int(row[0])


def _committed(ws: Workspace) -> int:
    """Messages in the warehouse file itself, read directly (what the snapshot must hold)."""
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM messages").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def _halves(shared_data: Path, folder: Path) -> tuple[Path, Path]:
    lines = (shared_data / "twcs" / "sample.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    first, whole = folder / "first.csv", folder / "whole.csv"
    first.write_text("".join(lines[:40]), encoding="utf-8")
    whole.write_text("".join(lines), encoding="utf-8")
    return first, whole


def test_empty_tables_before_the_first_import(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    snapshot = _keeper(ws).current()
    assert not snapshot.has_data
    assert _count(_keeper(ws)) == 0
    assert not ws.warehouse_path.exists()  # reading made no warehouse


def test_two_readers_share_one_snapshot_file(tmp_path: Path, shared_data: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    first, _ = _halves(shared_data, tmp_path)
    ws.ingest([first])
    a, b = _keeper(ws), _keeper(ws)  # as two server processes
    assert _count(a) == _committed(ws) > 0
    assert a.current().token == b.current().token
    assert [p.name for p in (ws.state_dir / "snapshots").glob("*.duckdb")] == [a.current().token + ".duckdb"]


def test_a_writer_keeps_the_last_snapshot_until_it_is_done(tmp_path: Path, shared_data: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    first, whole = _halves(shared_data, tmp_path)
    ws.ingest([first])
    committed = _committed(ws)
    keeper = _keeper(ws)
    before = keeper.current()
    assert keeper.writer() is None
    with workspace_lock(ws.state_dir, doing="the import of whole.csv"):
        time.sleep(0.25)  # past the keeper's memory of "no writer"
        writer = keeper.writer()
        assert writer is not None and writer.importing and writer.doing == "the import of whole.csv"
        started = time.monotonic()
        assert keeper.current() is before  # at once, not after the writer
        assert time.monotonic() - started < 1.0
    ws.ingest([whole])
    deadline = time.monotonic() + 30
    while keeper.current() is before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert keeper.current() is not before
    assert _count(keeper) == _committed(ws) > committed
    assert before.cursor().execute("SELECT count(*) FROM messages").fetchone() == (committed,)  # still readable
