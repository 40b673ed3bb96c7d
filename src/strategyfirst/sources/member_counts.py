"""Member exports (Mailchimp, Substack, beehiiv) as daily counts: nothing personal is read into the warehouse.

A member export holds one row per person (address, name, IP, ...). The sources read only each row's join time,
leave time and status, and stage per day `gained` and `lost` and, on the snapshot day, the list's size (`value`)
in `audience` on platform `email`. No address, name, IP, location, phone or note reaches the warehouse, the
rejects (a reject keeps its line and reason; its `raw` is `NOT_STORED`), logs or messages. No per-member key is
needed: counts per day are recomputed from the whole export, which lists every member of its status.

Idempotency: importing the same file again stages the same counts (duplicates). A newer export of the same list
and status replaces the counts of the days it covers; a day stored for the series up to the new snapshot day that
the new export has no member for (the members who joined then have since left the status) is set to 0, so the
gains of someone who unsubscribed move from the `subscribers` series to the `subscribers_unsubscribed` one
instead of counting twice.

The snapshot day is `--exported-on DATE`, else the latest timestamp in the file (see each source); the import
summary says which day was used and why (`snapshot_note`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.sources.base import LoadContext, sql_str

if TYPE_CHECKING:
    import duckdb

NOT_STORED = "(row not stored: member exports keep no personal data)"
MEMBER_ROWS = "member_rows"   # not `src_rows`: the importer would copy a reject's cells into its `raw`


def add_parse_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Rows the CSV reader could not split become rejects with their line and reason, never their cells."""
    con.execute(f"INSERT INTO stage_rejects SELECT line, reason, {sql_str(NOT_STORED)} FROM csv_rejects")


def stage_counts(con: duckdb.DuckDBPyConnection, *, account: str, metric: str, joined: str | None,
                 left: str | None, in_size: str | None, latest: str, reject: str,
                 snapshot_day: str | None = None) -> None:
    """Stage `audience` rows of one member export read into `member_rows`.

    `joined`/`left`: SQL timestamps of a member's gain and loss (None: the export gives none); `in_size`: SQL
    condition of a member counted in the list's size on the snapshot day (None: no snapshot); `latest`: SQL of
    the row's latest timestamp (the snapshot day is the latest of the file unless `snapshot_day`, an SQL date,
    says otherwise); `reject`: SQL reason of a row that counts nothing, or null.
    """
    none = "NULL::TIMESTAMP"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _members AS
        SELECT _line AS line, {joined or none} AS joined, {left or none} AS left_at,
               {in_size or 'FALSE'} AS in_size, {latest} AS latest, {reject} AS _reject
        FROM {MEMBER_ROWS}""")
    con.execute(f"INSERT INTO stage_rejects SELECT line, _reject, {sql_str(NOT_STORED)} FROM _members "
                "WHERE _reject IS NOT NULL")
    snap = snapshot_day or "(SELECT CAST(max(latest) AS DATE) FROM _members WHERE _reject IS NULL)"
    size = "(SELECT count(*) FILTER (WHERE in_size) FROM _members WHERE _reject IS NULL)"
    deltas = joined is not None or left is not None
    stored = ("SELECT date AS d FROM audience WHERE platform = 'email' AND account = ? AND metric = ? "
              "AND (gained IS NOT NULL OR lost IS NOT NULL) AND date <= (SELECT d FROM snap)") if deltas else \
        "SELECT NULL::DATE AS d WHERE FALSE"
    con.execute("DROP TABLE IF EXISTS stage_audience")
    con.execute(f"""CREATE TEMP TABLE stage_audience AS
        WITH good AS (SELECT * FROM _members WHERE _reject IS NULL),
        snap AS (SELECT {snap} AS d),
        ev AS (SELECT CAST(joined AS DATE) AS d, 1 AS g, 0 AS l, line FROM good WHERE joined IS NOT NULL
               UNION ALL
               SELECT CAST(left_at AS DATE), 0, 1, line FROM good WHERE left_at IS NOT NULL),
        days AS (SELECT d, sum(g) AS g, sum(l) AS l, min(line) AS line FROM ev GROUP BY d),
        stale AS ({stored}),
        dates AS (SELECT d FROM days UNION SELECT d FROM stale UNION SELECT d FROM snap WHERE d IS NOT NULL
                  AND {'TRUE' if in_size else 'FALSE'})
        SELECT dates.d AS date, 'email' AS platform, {sql_str(account)} AS account, {sql_str(metric)} AS metric,
               CAST(CASE WHEN {'TRUE' if in_size else 'FALSE'} AND dates.d = (SELECT d FROM snap)
                         THEN {size} END AS DOUBLE) AS value,
               CAST(CASE WHEN {'TRUE' if joined else 'FALSE'} THEN coalesce(days.g, 0) END AS DOUBLE) AS gained,
               CAST(CASE WHEN {'TRUE' if left else 'FALSE'} THEN coalesce(days.l, 0) END AS DOUBLE) AS lost,
               CAST(coalesce(days.line, (SELECT min(line) FROM good)) AS BIGINT) AS line
        FROM dates LEFT JOIN days ON days.d = dates.d""", [account, metric] if deltas else [])


def given_day(ctx: LoadContext, fallback: str | None = None) -> str | None:
    """The snapshot day as SQL: `--exported-on`, else `fallback` (None: the latest time in the file)."""
    return f"DATE {sql_str(ctx.exported_on)}" if ctx.exported_on else fallback


def snapshot_note(con: duckdb.DuckDBPyConnection, ctx: LoadContext, otherwise: str) -> tuple[str, ...]:
    """The summary's line saying which day the list's size is dated on (none when the file gave no size)."""
    row = con.execute("SELECT max(date) FROM stage_audience WHERE value IS NOT NULL").fetchone()
    if not row or row[0] is None:
        return ()
    why = "--exported-on" if ctx.exported_on else otherwise + "; pass --exported-on DATE to give the export day"
    return (f"list size dated {row[0].isoformat()} ({why})",)
