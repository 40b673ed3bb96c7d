"""The storage format of warehouse files: new ones in DuckDB 1.5's (smaller), older ones kept as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from strategyfirst.warehouse.engine import open_duckdb
from tests.metrics.helpers import insert, msg


def _format(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT tags['storage_version'] FROM duckdb_databases() "
                      "WHERE database_name = current_database()").fetchone()
    assert row is not None
    return str(row[0])


def _ids(n: int) -> list[dict[str, object]]:
    return [msg(str(i), f"u{i % 7}", False, "2026-01-01 09:00", text=f"message number {i} of the day")
            for i in range(n)]


def test_a_new_warehouse_is_written_in_the_newer_format(tmp_path: Path) -> None:
    con = open_duckdb(tmp_path / "warehouse.duckdb")
    try:
        assert _format(con) == "v1.5.0+"
    finally:
        con.close()


def test_another_connection_of_the_same_process_is_not_refused(tmp_path: Path) -> None:
    """A notebook's own `duckdb.connect` to the warehouse, beside the product's in the same process: the
    file's format comes from how it was created, not from a connection setting DuckDB would find different."""
    path = tmp_path / "warehouse.duckdb"
    open_duckdb(path).close()
    mine = duckdb.connect(str(path), read_only=True)
    try:
        con = open_duckdb(path, read_only=True)
        try:
            assert _format(con) == "v1.5.0+"
            assert con.execute("SELECT count(*) FROM messages").fetchone() == (0,)
        finally:
            con.close()
    finally:
        mine.close()


def test_a_warehouse_in_the_older_format_opens_keeps_it_and_takes_new_rows(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()  # DuckDB's default: a file that DuckDB 1.0 can read
    con = open_duckdb(path)
    try:
        assert _format(con) == "v1.0.0+"
        insert(con, "messages", _ids(3))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    con = open_duckdb(path)
    try:
        assert _format(con) == "v1.0.0+"
        assert con.execute("SELECT count(*) FROM messages").fetchone() == (3,)
    finally:
        con.close()


def test_the_newer_format_holds_the_same_rows_in_a_smaller_file(tmp_path: Path) -> None:
    """The reason for the format: the same 200,000 messages, read back alike, in fewer bytes."""
    sizes, rows = {}, {}
    for name, older in (("old", True), ("new", False)):
        path = tmp_path / f"{name}.duckdb"
        if older:
            duckdb.connect(str(path)).close()
        con = open_duckdb(path)
        try:
            con.execute("INSERT INTO messages (message_id, platform, account, owned, created_at, time_precision, kind, "
                        "text, import_id) SELECT 'x:' || i, 'x', 'user' || (i % 5000), i % 3 = 0, "
                        "TIMESTAMP '2026-01-01' + to_seconds(i), 'second', 'reply', "
                        "'a reply numbered ' || i || ' about the order', 1 FROM range(200000) t(i)")
            con.execute("CHECKPOINT")
            rows[name] = con.execute("SELECT count(*), count(DISTINCT message_id), sum(owned::INT), "
                                     "max(text), min(created_at) FROM messages").fetchone()
        finally:
            con.close()
        sizes[name] = path.stat().st_size
    assert rows["new"] == rows["old"] == (200000, 200000, 66667, "a reply numbered 99999 about the order",
                                          dt.datetime(2026, 1, 1))
    assert sizes["new"] < sizes["old"], sizes
