"""Hand-made warehouses for the metric tests: rows inserted directly into a real DuckDB file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from strategyfirst.warehouse.engine import open_duckdb

# A plan owning @Acme on X and acme on Instagram, its X care desk serving a dialogue objective.
CARE_PLAN = """
version: 1
organisation: Acme
owner: Ana <ana@example.org>
horizon: {start: 2026-01-01, end: 2026-12-31}
accounts:
  x: ["@Acme"]
  instagram: ["acme"]
strategy: {statement: Build a community of repeat customers over time., audiences: [customers]}
objectives:
  - id: dialogue
    statement: Answer customers
    kpis: [{metric: response_rate, target: 0.9}]
tactics:
  - {id: care, channel: x, serves: [dialogue], owner: Ana, budget: 10, match: {accounts: ["@Acme"]}}
"""

FIGURES = ("impressions", "reach", "engagements", "likes", "comments", "shares", "clicks", "follows",
           "video_views", "watch_minutes", "spend", "deliveries", "opens", "unsubscribes")


def msg(message_id: str, account: str, owned: bool, at: str | None, *, text: str | None = None,
        reply_to: str | None = None, platform: str = "x", conv: str | None = None,
        **extra: Any) -> dict[str, Any]:
    """One `messages` row; `at` like '2026-01-05 10:00'."""
    row: dict[str, Any] = {
        "message_id": f"{platform}:{message_id}", "platform": platform, "account": account, "owned": owned,
        "created_at": dt.datetime.fromisoformat(at) if at else None,
        "time_precision": extra.pop("time_precision", "second"),
        "kind": extra.pop("kind", "reply" if reply_to else "post"), "text": text,
        "in_reply_to": f"{platform}:{reply_to}" if reply_to else None,
        "conversation_id": f"{platform}:{conv}" if conv else None,
        "url": extra.pop("url", None), "campaign": extra.pop("campaign", None), "sentiment": None,
        "parent_missing": False, "import_id": 1,
    }
    for f in FIGURES:
        row[f] = extra.pop(f, None)
    if "sentiment" in extra:
        row["sentiment"] = extra.pop("sentiment")
    assert not extra, extra
    return row


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    con.register("_rows", pa.Table.from_pylist(rows))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    finally:
        con.unregister("_rows")


def warehouse(path: Path, messages: list[dict[str, Any]], *, audience: list[dict[str, Any]] | None = None,
              spend: list[dict[str, Any]] | None = None,
              imports: list[dict[str, Any]] | None = None) -> duckdb.DuckDBPyConnection:
    """A warehouse file under `path` holding the given rows (conversation ids computed when not given)."""
    con = open_duckdb(path / "warehouse.duckdb")
    by_id = {m["message_id"]: m for m in messages}
    for m in messages:  # root of the reply tree, in plain Python
        if m["conversation_id"] is None:
            node = m
            while node["in_reply_to"] in by_id:
                node = by_id[node["in_reply_to"]]
            m["conversation_id"] = node["message_id"]
        # as an import flags it: the reply itself names a parent not in the data (not its descendants)
        m["parent_missing"] = m["in_reply_to"] is not None and m["in_reply_to"] not in by_id
    insert(con, "messages", messages)
    insert(con, "audience", audience or [])
    insert(con, "spend", spend or [])
    insert(con, "imports", imports or [])
    return con


def derived_workspace(root: Path, plan: str, messages: list[dict[str, Any]]) -> Any:
    """A workspace under `root` with the plan text `plan` and these `messages`, its derived tables built."""
    from strategyfirst.plan import load
    from strategyfirst.warehouse import derive
    from strategyfirst.workspace import Workspace

    (root / "strategy.yaml").write_text(plan, encoding="utf-8")
    ws = Workspace(root).ensure()
    con = warehouse(ws.warehouse_path.parent, messages)
    derive.refresh(con, load(ws.plan_path).plan)
    con.close()
    return ws
