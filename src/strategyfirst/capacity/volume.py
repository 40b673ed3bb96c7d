"""Measured inbound volume by hour of week (local time of the team), averaged over a stated recent window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.errors import WorkspaceError
from strategyfirst.sqltext import string_literal, timestamp_literal

# The set-based core: messages per (weekday, hour) in local time inside the window's days [lo, hi), divided
# by how often that hour of the week occurs between the first and the last message inside them (so a partial
# first or last week is not under-counted).
_VOLUME_SQL = """
WITH src AS (
    SELECT timezone({tz}, timezone('UTC', created_at)) AS t FROM {source} WHERE created_at IS NOT NULL
),
inside AS (SELECT t FROM src WHERE t >= {lo} AND t < {hi}),
span AS (SELECT date_trunc('hour', min(t)) AS lo, date_trunc('hour', max(t)) AS hi, count(*) AS n FROM inside),
slots AS (
    SELECT isodow(s) - 1 AS weekday, hour(s) AS hour, count(*) AS occurrences
    FROM span, generate_series(span.lo, span.hi, INTERVAL 1 HOUR) AS g(s)
    WHERE span.n > 0 GROUP BY ALL
),
counts AS (SELECT isodow(t) - 1 AS weekday, hour(t) AS hour, count(*) AS messages FROM inside GROUP BY ALL)
SELECT slots.weekday, slots.hour, coalesce(counts.messages, 0) AS messages, slots.occurrences
FROM slots LEFT JOIN counts USING (weekday, hour)
"""

# Messages per local day: the window is chosen from these (a few hundred rows, not the messages).
_DAYS_SQL = """
SELECT CAST(timezone({tz}, timezone('UTC', created_at)) AS DATE) AS day, count(*) AS n
FROM {source} WHERE created_at IS NOT NULL GROUP BY 1 ORDER BY 1
"""

SOURCES = {
    "inbound": "inbound",
    # Only in a warehouse never derived (derive.refresh has not run: no `inbound` yet): every message the
    # source did not flag as owned. Once derived, `inbound` is the volume, empty or not: it follows the plan's
    # owned accounts, as every measurement does (metrics.md, Vocabulary).
    "messages": "(SELECT created_at FROM messages WHERE NOT owned)",
}


# The window: the latest stretch of days with data where no gap between two days with data exceeds MAX_GAP_DAYS
# and that holds at least MIN_SHARE of the messages (a lone straggler years before or after is no stretch),
# cut to its most recent MAX_WEEKS weeks (volume drifts; a year still covers the plan's seasons once).
MAX_GAP_DAYS = 7
MIN_SHARE = 0.1
MAX_WEEKS = 52


def told_length(days: int) -> str:
    """A number of days as a reader counts them: under two weeks in days ('2 days', not '0.3 weeks' beside a
    window of '2 days'), from two weeks on in weeks ('6.0 weeks')."""
    return f"{days / 7:.1f} weeks" if days >= 14 else f"{days} day{'s' if days != 1 else ''}"


@dataclass(frozen=True)
class Window:
    """The days [start, end] whose messages give the hour-of-week volume, and why those."""

    start: dt.date
    end: dt.date
    days_with_data: int
    left_out: int                       # messages outside the window
    left_out_first: dt.date | None = None
    left_out_last: dt.date | None = None
    capped: bool = False                # the stretch was longer than MAX_WEEKS

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def length(self) -> str:
        """How long the window is, as every text about the volume tells it ('2 days', '6.0 weeks')."""
        return told_length(self.days)

    @property
    def statement(self) -> str:
        """Which window, and why, in one sentence."""
        why = (f"the latest stretch of data with no gap over {MAX_GAP_DAYS} days"
               + (f", cut to its last {MAX_WEEKS} weeks" if self.capped else ""))
        text = (f"volume per hour of week from {self.start.isoformat()} to {self.end.isoformat()} "
                f"({self.length}, data on {self.days_with_data} of {self.days} days): {why}")
        if self.left_out and self.left_out_first is not None and self.left_out_last is not None:
            span = (self.left_out_first.isoformat() if self.left_out_first == self.left_out_last
                    else f"{self.left_out_first.isoformat()} to {self.left_out_last.isoformat()}")
            text += f"; {self.left_out} message{'s' if self.left_out != 1 else ''} outside it ({span}) left out"
        return text


def choose_window(days: Sequence[tuple[dt.date, int]]) -> Window | None:
    """The window for `days` ((day, messages) for each day with data, any order); None without data."""
    ordered = sorted((d, int(n)) for d, n in days if n)
    if not ordered:
        return None
    stretches: list[list[tuple[dt.date, int]]] = [[ordered[0]]]
    for day, n in ordered[1:]:
        if (day - stretches[-1][-1][0]).days > MAX_GAP_DAYS:
            stretches.append([])
        stretches[-1].append((day, n))
    total = sum(n for _, n in ordered)
    enough = [s for s in stretches if sum(n for _, n in s) >= MIN_SHARE * total]
    chosen = enough[-1] if enough else max(stretches, key=lambda s: sum(n for _, n in s))
    start, end = chosen[0][0], chosen[-1][0]
    capped = (end - start).days + 1 > MAX_WEEKS * 7
    if capped:
        start = end - dt.timedelta(days=MAX_WEEKS * 7 - 1)
    inside = [(d, n) for d, n in ordered if start <= d <= end]
    outside = [d for d, _ in ordered if not start <= d <= end]
    return Window(start, end, days_with_data=len(inside), left_out=total - sum(n for _, n in inside),
                  left_out_first=min(outside) if outside else None,
                  left_out_last=max(outside) if outside else None, capped=capped)


@dataclass
class HourOfWeekVolume:
    """Average arrivals per hour for each of the 168 hours of the week (Monday 00:00 first, local time)."""

    arrivals: list[list[float]]            # 7 rows × 24 hours
    messages: int = 0                      # messages counted (inside the window)
    weeks: float = 0.0                     # length of the window, in weeks
    source: str = "none"                   # "inbound", "messages" or "none" (no data)
    notes: list[str] = field(default_factory=list)
    window: Window | None = None

    @property
    def weekly_total(self) -> float:
        return sum(sum(row) for row in self.arrivals)


def empty_volume(note: str) -> HourOfWeekVolume:
    return HourOfWeekVolume([[0.0] * 24 for _ in range(7)], notes=[note])


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    exists = con.execute(f"SELECT count(*) FROM information_schema.tables WHERE table_name = {string_literal(table)}"
                         ).fetchone()
    if not exists or not exists[0]:
        return False
    row = con.execute(f"SELECT count(*) FROM {table} WHERE created_at IS NOT NULL").fetchone()
    return bool(row and row[0])


def volume_from_connection(con: duckdb.DuckDBPyConnection, timezone: str = "UTC") -> HourOfWeekVolume:
    """Hour-of-week inbound volume from an open warehouse connection (prefers the derived `inbound` table),
    over the window `choose_window` picks."""
    if _has_rows(con, "inbound"):
        source = "inbound"
    elif _derived(con):
        return empty_volume("no inbound messages addressed to the plan's owned accounts (its `accounts`): "
                            "nothing to staff for yet")
    elif _has_rows(con, "messages") and _non_owned(con):
        source = "messages"
    else:
        return empty_volume("no inbound messages in the warehouse yet: run `strategyfirst ingest`")
    days = con.execute(_DAYS_SQL.format(source=SOURCES[source], tz=string_literal(timezone))).fetchall()
    window = choose_window([(d, n) for d, n in days])
    if window is None:
        return empty_volume("no dated inbound messages in the warehouse yet: run `strategyfirst ingest`")
    lo = dt.datetime.combine(window.start, dt.time())
    hi = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time())
    rows = con.execute(_VOLUME_SQL.format(source=SOURCES[source], tz=string_literal(timezone), lo=timestamp_literal(lo),
                                          hi=timestamp_literal(hi))).fetchall()
    grid = [[0.0] * 24 for _ in range(7)]
    total = 0
    slots = 0
    for weekday, hour, messages, occurrences in rows:
        grid[int(weekday)][int(hour)] = float(messages) / float(occurrences)
        total += int(messages)
        slots += int(occurrences)
    notes = [window.statement]
    if window.days_with_data < 0.5 * window.days:
        notes.append(f"data on only {window.days_with_data} of the window's {window.days} days: the hours "
                     "without data count as hours without messages")
    if source == "messages":
        notes.append("volume counts every message not written by an owned account (the derived `inbound` "
                     "table is empty: it is filled when the warehouse is refreshed)")
    weeks = slots / 168.0
    if window.days < 28:  # told as long as the window is, in its words (one count of the data's length)
        notes.append(f"only {window.length} of data: hour-of-week averages are rough; 8+ weeks are better")
    return HourOfWeekVolume(grid, messages=total, weeks=weeks, source=source, notes=notes, window=window)


def _derived(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether derive.refresh has built the warehouse's derived tables (then `inbound` is the inbound volume)."""
    from strategyfirst.warehouse.derive import DATA_KEY

    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()
    if not exists or not exists[0]:
        return False
    row = con.execute(f"SELECT count(*) FROM meta WHERE key = {string_literal(DATA_KEY)}").fetchone()
    return bool(row and row[0])


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
