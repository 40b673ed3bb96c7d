"""The storage format of warehouse files: new ones in DuckDB 1.5's (smaller), older ones kept as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

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


def test_ids_are_stored_uncompressed_in_messages_and_the_derived_tables(tmp_path: Path) -> None:
    """Ids are written as they are (schema.ID_COLUMNS: compressing them cost ~3x the CPU of writing them, a
    tenth of a 10M-message import), in `messages` and in every derived table that holds one; texts and
    accounts are still compressed, and the derived tables hold the rows they held before."""
    from strategyfirst.warehouse import derive

    con = open_duckdb(tmp_path / "warehouse.duckdb")
    try:
        # 150,000 messages of the audience, each replied to by the brand: more than one row group per table.
        con.execute("INSERT INTO messages (message_id, platform, account, owned, created_at, time_precision, kind, "
                    "text, in_reply_to, conversation_id, import_id) "
                    "SELECT 'x:' || i, 'x', CASE WHEN i % 2 = 0 THEN 'user' || (i % 5000) ELSE 'brand' END, "
                    "i % 2 = 1, TIMESTAMP '2026-01-01' + to_seconds(i), 'second', "
                    "CASE WHEN i % 2 = 0 THEN 'post' ELSE 'reply' END, 'a message numbered ' || i || ' about "
                    "the order', CASE WHEN i % 2 = 1 THEN 'x:' || (i - 1) END, 'x:' || (i - i % 2), 1 "
                    "FROM range(300000) t(i)")
        derive.refresh(con, None, force=True)
        con.execute("CHECKPOINT")

        def compression(table: str) -> dict[str, set[str]]:
            rows = con.execute(f"SELECT column_name, compression FROM pragma_storage_info('{table}') "
                               "WHERE segment_type = 'VARCHAR'").fetchall()
            found: dict[str, set[str]] = {}
            for column, how in rows:
                found.setdefault(str(column), set()).add(str(how))
            return found

        messages = compression("messages")
        for column in ("message_id", "in_reply_to", "conversation_id"):
            assert messages[column] == {"Uncompressed"}, (column, messages[column])
        assert "Uncompressed" not in messages["text"] | messages["account"], messages
        inbound = compression("inbound")
        for column in ("message_id", "first_reply_id", "conv"):
            assert inbound[column] == {"Uncompressed"}, (column, inbound[column])
        assert compression("owned_messages")["message_id"] == {"Uncompressed"}
        assert compression("conversations")["conv"] == {"Uncompressed"}
        # Every even message is answered 1 s later by the next: 150,000 pairs, each with its reply.
        assert con.execute("SELECT count(*), count(first_reply_id), min(first_reply_minutes), "
                           "max(first_reply_minutes) FROM inbound").fetchone() == (150000, 150000, 1 / 60, 1 / 60)
        assert con.execute("SELECT count(*) FROM owned_messages").fetchone() == (150000,)
    finally:
        con.close()


def test_a_derived_table_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    """materialise: a query may read the table it replaces (its old rows); a query failing half-way leaves the
    previous table, rows and columns, and no work table."""
    from strategyfirst.warehouse.engine import ibis_backend
    from strategyfirst.warehouse.materialise import materialise

    con = open_duckdb(tmp_path / "warehouse.duckdb")
    try:
        con.execute("CREATE TABLE t AS SELECT i AS a FROM range(3) r(i)")
        backend = ibis_backend(con)
        t = backend.table("t")
        materialise(con, backend, "t", t.mutate(b=t.a + 1))
        assert con.execute("SELECT a, b FROM t ORDER BY a").fetchall() == [(0, 1), (1, 2), (2, 3)]
        # 'x' cannot be a number: the cast fails while rows are inserted
        bad = backend.sql("SELECT a, CAST(CASE WHEN a = 2 THEN 'x' ELSE CAST(a AS VARCHAR) END AS INTEGER) AS b "
                          "FROM t")
        with pytest.raises(duckdb.ConversionException):
            materialise(con, backend, "t", bad)
        assert con.execute("SELECT a, b FROM t ORDER BY a").fetchall() == [(0, 1), (1, 2), (2, 3)]
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_sf_%'").fetchone() == (0,)
    finally:
        con.close()
