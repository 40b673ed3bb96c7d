"""Measured inbound volume by hour of week (local time of the team), averaged over the weeks in the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.errors import WorkspaceError

# The set-based core: messages per (weekday, hour) in local time, divided by how often that hour of the week
# occurs between the first and the last message (so a partial first or last week is not under-counted).
_VOLUME_SQL = """
WITH src AS (
    SELECT timezone($tz, timezone('UTC', created_at)) AS t FROM {source} WHERE created_at IS NOT NULL
),
span AS (SELECT date_trunc('hour', min(t)) AS lo, date_trunc('hour', max(t)) AS hi, count(*) AS n FROM src),
slots AS (
    SELECT isodow(s) - 1 AS weekday, hour(s) AS hour, count(*) AS occurrences
    FROM span, generate_series(span.lo, span.hi, INTERVAL 1 HOUR) AS g(s)
    WHERE span.n > 0 GROUP BY ALL
),
counts AS (SELECT isodow(t) - 1 AS weekday, hour(t) AS hour, count(*) AS messages FROM src GROUP BY ALL)
SELECT slots.weekday, slots.hour, coalesce(counts.messages, 0) AS messages, slots.occurrences
FROM slots LEFT JOIN counts USING (weekday, hour)
"""

_SPAN_SQL = """
SELECT min(created_at), max(created_at), count(*) FROM {source} WHERE created_at IS NOT NULL
"""

SOURCES = {
    "inbound": "inbound",
    # Until derive.refresh fills `inbound`: every message not written by an owned account.
    "messages": "(SELECT created_at FROM messages WHERE NOT owned)",
}


@dataclass
class HourOfWeekVolume:
    """Average arrivals per hour for each of the 168 hours of the week (Monday 00:00 first, local time)."""

    arrivals: list[list[float]]            # 7 rows × 24 hours
    messages: int = 0                      # messages counted
    weeks: float = 0.0                     # length of the observed span, in weeks
    source: str = "none"                   # "inbound", "messages" or "none" (no data)
    notes: list[str] = field(default_factory=list)

    @property
    def weekly_total(self) -> float:
        return sum(sum(row) for row in self.arrivals)


def empty_volume(note: str) -> HourOfWeekVolume:
    return HourOfWeekVolume([[0.0] * 24 for _ in range(7)], notes=[note])


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                         [table]).fetchone()
    if not exists or not exists[0]:
        return False
    row = con.execute(f"SELECT count(*) FROM {table} WHERE created_at IS NOT NULL").fetchone()
    return bool(row and row[0])


def volume_from_connection(con: duckdb.DuckDBPyConnection, timezone: str = "UTC") -> HourOfWeekVolume:
    """Hour-of-week inbound volume from an open warehouse connection (prefers the derived `inbound` table)."""
    if _has_rows(con, "inbound"):
        source = "inbound"
    elif _has_rows(con, "messages") and _non_owned(con):
        source = "messages"
    else:
        return empty_volume("no inbound messages in the warehouse yet: run `strategyfirst ingest`")
    rows = con.execute(_VOLUME_SQL.format(source=SOURCES[source]), {"tz": timezone}).fetchall()
    grid = [[0.0] * 24 for _ in range(7)]
    total = 0
    slots = 0
    for weekday, hour, messages, occurrences in rows:
        grid[int(weekday)][int(hour)] = float(messages) / float(occurrences)
        total += int(messages)
        slots += int(occurrences)
    notes = []
    if source == "messages":
        notes.append("volume counts every message not written by an owned account (the derived `inbound` "
                     "table is empty: it is filled when the warehouse is refreshed)")
    weeks = slots / 168.0
    if weeks < 4:
        notes.append(f"only {weeks:.1f} weeks of data: hour-of-week averages are rough; 8+ weeks are better")
    return HourOfWeekVolume(grid, messages=total, weeks=weeks, source=source, notes=notes)


def _non_owned(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM messages WHERE NOT owned AND created_at IS NOT NULL").fetchone()
    return bool(row and row[0])


def measure_volume(warehouse: Path, timezone: str = "UTC") -> HourOfWeekVolume:
    """Hour-of-week inbound volume from the workspace's warehouse file (read-only)."""
    if not warehouse.is_file():
        return empty_volume("no warehouse yet: run `strategyfirst ingest` to measure inbound volume")
    from strategyfirst.warehouse.engine import open_duckdb

    con: Any
    try:
        con = open_duckdb(warehouse, read_only=True)
    except duckdb.Error:
        try:  # this process already holds the file open for writing: DuckDB wants the same configuration
            con = open_duckdb(warehouse)
        except duckdb.Error as exc:
            raise WorkspaceError(f"{warehouse}: cannot open the warehouse ({exc}); "
                                 "is an ingest running?") from None
    try:
        return volume_from_connection(con, timezone)
    finally:
        con.close()
