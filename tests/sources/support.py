"""Helpers for import tests: a workspace, an ingest with the derived-table refresh stubbed, table snapshots."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from strategyfirst.warehouse.ingest import IngestResult, ingest_files
from strategyfirst.warehouse.schema import CANONICAL_TABLES
from strategyfirst.workspace import Workspace


@pytest.fixture
def no_derive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import tests check the import; derive.refresh (another layer) is tested on its own."""
    import strategyfirst.warehouse.derive as derive

    monkeypatch.setattr(derive, "refresh", lambda con, plan, **kw: None)


def ingest(ws: Workspace, files: Sequence[Path | str], **kw: Any) -> IngestResult:
    return ingest_files(ws, [Path(f) for f in files], **kw)


def query(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(ws: Workspace, sql: str, params: list[Any] | None = None) -> Any:
    return query(ws, sql, params)[0][0]


def snapshot(ws: Workspace) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every canonical table (empty if no warehouse yet)."""
    if not ws.warehouse_path.exists():
        return {}
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        out = {}
        for table in CANONICAL_TABLES:
            row = con.execute(f"SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM {table} AS t").fetchone()
            assert row is not None
            out[table] = (int(row[0]), int(row[1]))
        return out
    finally:
        con.close()


def one(result: IngestResult) -> dict[str, Any]:
    assert len(result.files) == 1
    f = result.files[0]
    assert f["rows_read"] == f["rows_new"] + f["rows_updated"] + f["rows_duplicate"] + f["rows_rejected"]
    return f


def stored_text(ws: Workspace) -> str:
    """Every row of every table of the warehouse as JSON text, one row a line (to search for what must not be
    stored)."""
    import json

    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return "\n".join(json.dumps(row, default=str) for t in tables
                         for row in con.execute(f'SELECT * FROM "{t}"').fetchall())
    finally:
        con.close()


def earlier_mailchimp_export(src: Path, out: Path, keep: tuple[str, ...],
                             joined: Sequence[dict[str, str]] = ()) -> Path:
    """An export of `src`'s list made earlier: its header, its members whose address starts with one of `keep`,
    then the members of `joined` (rows of another status's export, their join times kept, the other columns of
    this header empty): members who were of this status then and have left it since."""
    with src.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        head = list(reader.fieldnames or [])
        members = [r for r in reader if r["Email Address"].startswith(keep)]
    members += [{h: r.get(h, "") for h in head if h in ("Email Address", "OPTIN_TIME", "CONFIRM_TIME")}
                for r in joined]
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, head, restval="")
        writer.writeheader()
        writer.writerows(members)
    return out
