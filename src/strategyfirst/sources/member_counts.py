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
instead of counting twice. An older export, one whose snapshot day is before the snapshot day of the newest export
of the series stored (recorded per import in `member_exports`; for imports made before that record, the latest
stored day with gains or losses), changes no stored gain or loss up to that day: the newer export lists every
member of its status, so its counts stand for every day up to its snapshot (a member the older one still lists
has left the status since). The older export adds only its list size on its own snapshot day and, as 0, the
days up to then that nothing is stored for (what the newer export set them to had it come second): the stored
counts end the same in either order. Its own counts are recorded too (`member_days`), so that undoing the newer
export counts it again (warehouse/members.py). One account holds one platform's list (`refuse_other_platform`).

The snapshot day is `--exported-on DATE`, else the latest timestamp in the file (see each source); the import
summary says which day was used and why (`snapshot_note`).

The raw copy (warehouse/rawstore.py) of a member export is redacted (`stage_raw_copy`): a CSV of the columns the
source reads (times, status), each value kept only where the source reads it as such (a time that parses, a
status word), the columns that identify the format (`--source auto`) with empty values, and per row its line in
the original (`sf_line`) and, for a row the import rejected, only the reason (`sf_reject`). No column of it is
an address, name, IP, location, phone, note or id: the counts need none (no key is derived from the address).
Imported again (a rebuild from raw/), it stages the same rows, rejects and lines; its own raw copy is itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from strategyfirst.handles import handle_sql
from strategyfirst.sources.base import LoadContext, normalise_column, sql_str
from strategyfirst.sources.textfile import SourceFile, ident

if TYPE_CHECKING:
    import duckdb

NOT_STORED = "(row not stored: member exports keep no personal data)"
MEMBER_ROWS = "member_rows"   # not `src_rows`: the importer would copy a reject's cells into its `raw`
LINE, REJECT = "sf_line", "sf_reject"  # the redacted raw copy's columns: the original line, a rejected row's reason
MARKS = (LINE, REJECT)
RAW_COPY = "stage_raw_copy"    # the redacted raw copy's rows (ingest writes it in place of the file's bytes)
NEWER = "_member_newer"        # the series' latest stored day when it is after this export's snapshot day
OWN = "_member_own"            # the export's own counts per day (what it says, whatever is stored)
EXPORT = "_member_export"      # the export's series, provider, snapshot day and what it gives (one row)
EXPORTS, DAYS = "member_exports", "member_days"  # per import: `EXPORT` and `OWN` as recorded (`record`)
# The platforms whose member exports are read, as the messages name them.
PROVIDERS = {"mailchimp": "Mailchimp", "substack": "Substack", "beehiiv": "beehiiv"}


def add_parse_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Rows the CSV reader could not split become rejects with their line and reason, never their cells."""
    con.execute(f"INSERT INTO stage_rejects SELECT line, reason, {sql_str(NOT_STORED)} FROM csv_rejects")


def refuse_other_platform(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext, account: str,
                          provider: str) -> None:
    """Refuse a member export of `provider` under an account that holds another platform's list (account names
    compared as `measure` groups them: case-insensitively, '@' optional, `same_list`): the two lists' members,
    dates and sizes would be counted as one list's, each export replacing the other's days. Not on a replay
    (`rebuild` makes again what the log says was imported, imports made before this check included)."""
    if ctx.replay:
        return
    row = con.execute(f"SELECT arg_min(x.provider, x.import_id), min(x.import_id), arg_min(i.file, x.import_id), "
                      "arg_min(x.account, x.import_id), list(x.import_id ORDER BY x.import_id) "
                      f"FROM {live_exports()} AS x JOIN imports AS i USING (import_id) WHERE x.platform = 'email' "
                      f"AND {same_list('x.account', account)} AND x.provider <> ? HAVING count(*) > 0",
                      [provider]).fetchone()
    if row is None:
        return
    other, first, file, stored, ids = row
    more = f" and {len(ids) - 1} more" if len(ids) > 1 else ""
    undo = " then ".join(f"strategyfirst imports undo {i}" for i in reversed(ids))
    name = Path(str(file).rpartition("!")[2]).name
    raise sf.error(f"account {stored!r} already holds a {PROVIDERS.get(other, other)} list (import #{first}, "
                   f"{name}{more}) and this is a {PROVIDERS[provider]} export: counted as one list, the two "
                   "platforms' members would mix (each export resetting the other's days), corrupting its size "
                   f"and growth. Give it its own account (--account \"{account} ({PROVIDERS[provider]})\"), or, "
                   f"if {stored!r} was the wrong account, undo {'those imports' if more else 'that import'} first "
                   f"({undo})", 1, 1)


def stage_counts(con: duckdb.DuckDBPyConnection, *, account: str, metric: str, provider: str,
                 joined: str | None, left: str | None, in_size: str | None, latest: str, reject: str,
                 cells: Mapping[str, str], keep: Mapping[str, str], snapshot_day: str | None = None,
                 left_undated: str | None = None) -> None:
    """Stage `audience` rows of one member export read into `member_rows`, and its redacted raw copy's rows.

    `provider`: the platform that made the export (a key of PROVIDERS); `joined`/`left`: SQL timestamps of a
    member's gain and loss (None: the export gives none); `left_undated`: SQL condition of a member who has
    left without a time (counted as lost on the snapshot day, the latest day they can have left on);
    `in_size`: SQL condition of a member counted in the list's size on the snapshot day (None: no snapshot);
    `latest`: SQL of the row's latest timestamp (the snapshot day is the latest of the file unless
    `snapshot_day`, an SQL date, says otherwise); `reject`: SQL reason of a row that counts nothing, or null.
    `cells`: the source's column map (with MARKS); `keep`: the raw copy's columns, by header name, as SQL of
    what it keeps of each row (null: an empty cell), in the file's order (see `stage_raw_copy`).
    """
    given, account = account, stored_spelling(con, account)
    none = "NULL::TIMESTAMP"
    kept = "".join(f", {expr} AS _keep{i}" for i, expr in enumerate(keep.values()))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _members AS
        SELECT coalesce(TRY_CAST({cells[LINE]} AS BIGINT), _line) AS line, {joined or none} AS joined,
               {left or none} AS left_at, coalesce({left_undated or 'FALSE'}, FALSE) AS undated,
               {in_size or 'FALSE'} AS in_size, {latest} AS latest,
               coalesce(nullif(trim({cells[REJECT]}), ''), {reject}) AS _reject{kept}
        FROM {MEMBER_ROWS}""")
    stage_raw_copy(con, list(keep))
    con.execute(f"INSERT INTO stage_rejects SELECT line, _reject, {sql_str(NOT_STORED)} FROM _members "
                "WHERE _reject IS NOT NULL")
    snap = snapshot_day or "(SELECT CAST(max(latest) AS DATE) FROM _members WHERE _reject IS NULL)"
    sized = "TRUE" if in_size else "FALSE"
    # The export's own counts (what it says, whatever is stored): kept per import (`record`), so that an undo
    # can count an older export again once the newer one it deferred to is gone (`recount`).
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {OWN} AS
        WITH good AS (SELECT * FROM _members WHERE _reject IS NULL),
        snap AS (SELECT {snap} AS d),
        ev AS (SELECT CAST(joined AS DATE) AS d, 1 AS g, 0 AS l, line FROM good WHERE joined IS NOT NULL
               UNION ALL
               SELECT CAST(left_at AS DATE), 0, 1, line FROM good WHERE left_at IS NOT NULL
               UNION ALL
               SELECT (SELECT d FROM snap), 0, 1, line FROM good WHERE left_at IS NULL AND undated),
        days AS (SELECT d, sum(g) AS g, sum(l) AS l, min(line) AS line FROM ev WHERE d IS NOT NULL GROUP BY d),
        dates AS (SELECT d FROM days UNION SELECT d FROM snap WHERE d IS NOT NULL AND {sized})
        SELECT dates.d AS date,
               CAST(CASE WHEN {sized} AND dates.d = (SELECT d FROM snap) THEN
                    (SELECT count(*) FILTER (WHERE in_size) FROM good) END AS DOUBLE) AS value,
               CAST(CASE WHEN {'TRUE' if joined else 'FALSE'} THEN coalesce(days.g, 0) END AS DOUBLE) AS gained,
               CAST(CASE WHEN {'TRUE' if left else 'FALSE'} THEN coalesce(days.l, 0) END AS DOUBLE) AS lost,
               CAST(coalesce(days.line, (SELECT min(line) FROM good)) AS BIGINT) AS line
        FROM dates LEFT JOIN days ON days.d = dates.d""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {EXPORT} AS
        SELECT 'email' AS platform, {sql_str(account)} AS account, {sql_str(metric)} AS metric,
               {sql_str(provider)} AS provider, {snap} AS exported_on,
               {'TRUE' if joined else 'FALSE'} AS gains, {'TRUE' if left else 'FALSE'} AS losses,
               (SELECT count(*) FROM _members WHERE _reject IS NULL AND left_at IS NULL AND undated) AS undated,
               {sql_str(given)} AS given""")
    stage_own(con)


def stage_own(con: duckdb.DuckDBPyConnection, itself: int | None = None) -> None:
    """`stage_audience` from the export in `_member_own`/`_member_export` against the stored counts of its
    series, leaving out import `itself` (an import counted again by `recount`) from the exports it compares with.

    An export lists every member of its status, so the newest export of a series (by its snapshot day, as
    `member_exports` records it; else, for imports made before that record, the latest stored day with gains or
    losses) stands for every day up to its snapshot. A newer export replaces the stored counts of the days up to
    its snapshot day (0 on a stored day it has no member for); an older one changes none of them and adds its
    list size on its own day and, as 0, the days up to then that nothing is stored for."""
    row = con.execute(f"SELECT account, metric, gains OR losses FROM {EXPORT}").fetchone()
    assert row is not None
    account, metric, deltas = str(row[0]), str(row[1]), bool(row[2])
    counted = (f"SELECT date AS d FROM audience WHERE {series_of(account, metric)} "
               "AND (gained IS NOT NULL OR lost IS NOT NULL)" if deltas else "SELECT NULL::DATE AS d WHERE FALSE")
    # Exports of the series that give gains or losses (a size-only export stands for no day's counts).
    others = (f"SELECT x.exported_on AS d FROM {live_exports()} AS x WHERE {series_of(account, metric, 'x')} "
              "AND (x.gains OR x.losses)" + (f" AND x.import_id <> {int(itself)}" if itself is not None else "")
              if deltas else "SELECT NULL::DATE AS d WHERE FALSE")
    snap = f"(SELECT exported_on FROM {EXPORT})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {NEWER} AS SELECT max(d) AS d FROM ({counted} UNION ALL {others}) "
                f"HAVING max(d) > {snap}")
    con.execute("DROP TABLE IF EXISTS stage_audience")
    con.execute(f"""CREATE TEMP TABLE stage_audience AS
        WITH own AS (SELECT * FROM {OWN}), x AS (SELECT * FROM {EXPORT}),
        counted AS ({counted}),
        stale AS (SELECT d FROM counted WHERE d <= {snap}),
        dates AS (SELECT date AS d FROM own UNION SELECT d FROM stale),
        -- `covered`: a day up to the newer stored counts: NULL where it has them (the merge keeps them: a
        -- duplicate row, so the file stages the same days as ever), else 0 (as the newer export would set it).
        marked AS (SELECT dates.d, coalesce(dates.d <= (SELECT d FROM {NEWER}), FALSE) AS covered,
                          dates.d IN (SELECT d FROM counted) AS known FROM dates)
        SELECT m.d AS date, x.platform, x.account, x.metric, own.value,
               CAST(CASE WHEN NOT x.gains OR (m.covered AND m.known) THEN NULL
                         WHEN m.covered THEN 0 ELSE coalesce(own.gained, 0) END AS DOUBLE) AS gained,
               CAST(CASE WHEN NOT x.losses OR (m.covered AND m.known) THEN NULL
                         WHEN m.covered THEN 0 ELSE coalesce(own.lost, 0) END AS DOUBLE) AS lost,
               CAST(coalesce(own.line, (SELECT min(line) FROM own)) AS BIGINT) AS line
        FROM marked AS m CROSS JOIN x LEFT JOIN own ON own.date = m.d""")


def series_of(account: str, metric: str, alias: str = "") -> str:
    """SQL condition of the rows of one member series (platform `email`, the account as stored, the metric)."""
    a = f"{alias}." if alias else ""
    return f"{a}platform = 'email' AND {a}account = {sql_str(account)} AND {a}metric = {sql_str(metric)}"


def normal_account_sql(expr: str) -> str:
    """SQL of the normal form of a list's name (strategyfirst.handles, as `measure` groups accounts: no white
    space at either end, lower case, no leading '@'; an '@host' stays: `news@acme.com` is a list of its own)."""
    return handle_sql(expr)


def same_list(expr: str, account: str) -> str:
    """SQL condition: the account in `expr` names the list `account`, in its normal form."""
    return f"{normal_account_sql(expr)} = {normal_account_sql(sql_str(account))}"


def stored_spelling(con: duckdb.DuckDBPyConnection, account: str) -> str:
    """The spelling under which the list `account` is stored: that of its first member export recorded (not
    undone), else of its first audience rows on platform `email`, else `account` as given. Accounts match
    case-insensitively ('@' optional), as `measure` groups them: `--account news` after `--account News` is the
    same list, stored (and shown) as `News`, so that each export of it sees the others (the newest export's
    days, undo, one platform per list) and its days are not counted twice."""
    row = con.execute(f"""SELECT account FROM (
        SELECT account, 0 AS k, import_id FROM {live_exports()} WHERE platform = 'email'
        UNION ALL SELECT account, 1 AS k, import_id FROM audience WHERE platform = 'email')
        WHERE {same_list('account', account)} ORDER BY k, import_id, account LIMIT 1""").fetchone()
    return str(row[0]) if row else account


def live_exports() -> str:
    """SQL of the recorded member exports (`member_exports`) whose import is not undone, but those whose file a
    later import (not undone) made again under another account: its rows moved there (merge.rehome)."""
    return (f"""(SELECT x.* FROM {EXPORTS} AS x JOIN imports AS i ON i.import_id = x.import_id
                WHERE i.undone_at IS NULL AND NOT EXISTS (
                    SELECT 1 FROM {EXPORTS} AS y JOIN imports AS j ON j.import_id = y.import_id
                    WHERE j.undone_at IS NULL AND y.import_id > x.import_id AND j.sha256 = i.sha256
                      AND y.account <> x.account))""")


def kept_columns(sf: SourceFile, keep: Mapping[str, str], identify: Sequence[str]) -> dict[str, str]:
    """The raw copy's columns in the file's order: those of `keep` (normalised name -> SQL of the value kept)
    the file has, and those of `identify` (what `--source auto` recognises the export by) as empty cells."""
    out: dict[str, str] = {}
    for name in (normalise_column(h) for h in sf.header):
        if name in keep and name not in out:
            out[name] = keep[name]
        elif name in identify and name not in out:
            out[name] = "NULL::VARCHAR"
    return out


def time_kept(cell: str, parsed: str) -> str:
    """SQL: a time cell as it is where it parses (`parsed`, SQL), else nothing (a free text is no time)."""
    return f"CASE WHEN ({parsed}) IS NOT NULL THEN {cell} END"


def stage_raw_copy(con: duckdb.DuckDBPyConnection, columns: list[str]) -> None:
    """The redacted raw copy's rows (in `_members`' `_keep<i>`, named `columns`): a rejected row keeps its line
    and reason only, a row the CSV reader could not split (`csv_rejects`) likewise."""
    empty = "".join(", NULL::VARCHAR" for _ in columns)
    kept = "".join(f", CASE WHEN _reject IS NULL THEN CAST(_keep{i} AS VARCHAR) END AS {ident(name)}"
                   for i, name in enumerate(columns))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {RAW_COPY} AS
        SELECT line{kept}, _reject FROM _members
        UNION ALL SELECT line{empty}, reason FROM csv_rejects""")


def write_raw_copy(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Write the staged redacted raw copy as CSV (UTF-8, `,`, LF), its rows in the file's order."""
    columns = [d[0] for d in con.execute(f"SELECT * FROM {RAW_COPY} LIMIT 0").description or []]
    cells = ", ".join(ident(c) for c in columns[1:-1])
    select = (f"SELECT {cells + ', ' if cells else ''}line AS {LINE}, _reject AS {REJECT} FROM {RAW_COPY} "
              "ORDER BY line")
    con.execute(f"COPY ({select}) TO {sql_str(str(path))} (FORMAT csv, HEADER, DELIMITER ',', NEW_LINE '\n')")


def given_day(ctx: LoadContext, fallback: str | None = None) -> str | None:
    """The snapshot day as SQL: `--exported-on`, else `fallback` (None: the latest time in the file)."""
    return f"DATE {sql_str(ctx.exported_on)}" if ctx.exported_on else fallback


def snapshot_note(con: duckdb.DuckDBPyConnection, ctx: LoadContext, otherwise: str) -> tuple[str, ...]:
    """The summary's lines: how many members the file listed and the rows of counts they make (the summary's
    counts are of those rows, its rejected ones of members), then which day the list's size is dated on (none
    when the file gave no size)."""
    # A row the CSV reader could not split is in `stage_rejects` (and the import's `rows_rejected`) but not in
    # `_members`: the members read are the rows counted plus every rejected row, of either kind.
    counted = con.execute("SELECT (SELECT count(*) FROM _members WHERE _reject IS NULL) + (SELECT count(*) FROM "
                          "stage_rejects), (SELECT count(*) FROM stage_rejects), (SELECT count(*) FROM "
                          "stage_audience)").fetchone()
    members, rejected, rows = (int(v) for v in counted) if counted else (0, 0, 0)
    lines = [f"{members:,} member{'s' if members != 1 else ''} read"
             + (f" ({rejected:,} rejected)" if rejected else "")
             + f", counted as {rows:,} row{'s' if rows != 1 else ''} of daily gains, losses and list size "
             "(no address, name or IP stored)"]
    row = con.execute("SELECT max(date) FROM stage_audience WHERE value IS NOT NULL").fetchone()
    if row and row[0] is not None:
        why = "--exported-on" if ctx.exported_on else otherwise + "; pass --exported-on DATE to give the export day"
        lines.append(f"list size dated {row[0].isoformat()} ({why})")
    spelt = con.execute(f"SELECT given, account FROM {EXPORT} WHERE given <> account").fetchone()
    if spelt:
        lines.append(f"account {spelt[0]!r} is the list stored as {spelt[1]!r} (accounts match case-insensitively, "
                     "'@' optional): counted as that list")
    undated = con.execute(f"SELECT undated, exported_on FROM {EXPORT}").fetchone()
    if undated and undated[0]:
        n = int(undated[0])
        lines.append(f"{n:,} member{'s' if n != 1 else ''} left without a date (neither active nor pending, no "
                     f"unsubscribed_at): counted as lost on {undated[1].isoformat()}, the export day, the latest "
                     "they can have left on")
    newer = con.execute(f"SELECT d FROM {NEWER}").fetchone()
    if newer and newer[0] is not None:
        lines.append(f"older than the counts stored for this list (they run to {newer[0].isoformat()}, the day "
                     "of the newest export stored): the gains and losses stored up to then stay as the newer "
                     "export gave them")
    if ctx.exported_on:
        lines.extend(_export_day_warning(con, ctx.exported_on))
    return tuple(lines)


def _export_day_warning(con: duckdb.DuckDBPyConnection, exported_on: str) -> list[str]:
    """A warning line when the file holds a time after `--exported-on` (a day's slack for time zones: the file's
    times are UTC, the day given is the downloader's): it cannot have been downloaded before then. Warned, not
    refused: the counts per day stand either way, and `rebuild` replays imports made before this check."""
    row = con.execute("SELECT max(latest), arg_max(line, latest) FROM _members WHERE _reject IS NULL").fetchone()
    if not row or row[0] is None:
        return []
    latest, line = row
    given = dt.date.fromisoformat(exported_on)
    if latest.date() <= given + dt.timedelta(days=1):
        return []
    return [f"warning: --exported-on {given} is before the latest time in the file ({latest:%Y-%m-%d %H:%M}, "
            f"line {line}): the file was downloaded later; check the day (without --exported-on the size is "
            f"dated {latest.date()})"]
