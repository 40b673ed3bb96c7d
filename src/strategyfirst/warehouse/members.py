"""The record of member exports (Mailchimp, Substack, beehiiv) beside the counts the merge stored of them.

An export lists every member of its status, so the newest export of a list's series stands for every day up to
its snapshot day, and an older one imported after it changes none of those days (sources/member_counts.py). The
older export's own counts are then in no table the import log can restore: undoing the newer export would leave
the days as if neither had counted them. So each member import records (in its transaction) its series,
platform and snapshot day (`member_exports`) and its own counts per day (`member_days`: counts only, nothing
personal), and `recount` counts the later exports of a series again, in import order, once an undo took an
earlier one of it back: the series ends as if the undone import had never been made (the order-independent
result of the remaining exports), and `rebuild` gives the same rows.
"""

from __future__ import annotations

from typing import Any

import duckdb

from strategyfirst.sources.member_counts import DAYS, EXPORT, EXPORTS, OWN, stage_own
from strategyfirst.warehouse.importlog import REPLACED_BY, previous, shown_name

KEYS = ("date", "platform", "account", "metric")
VALUES = ("value", "gained", "lost")


def record(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Record the staged member export (`_member_export`, `_member_own`) as import `import_id`."""
    con.execute(f"INSERT INTO {EXPORTS} SELECT ? AS import_id, platform, account, metric, provider, exported_on, "
                f"gains, losses FROM {EXPORT}", [import_id])
    con.execute(f"INSERT INTO {DAYS} SELECT ? AS import_id, date, value, gained, lost FROM {OWN} "
                "WHERE date IS NOT NULL", [import_id])


def recount(con: duckdb.DuckDBPyConnection, undone: int) -> list[dict[str, Any]]:
    """After import `undone` was taken back (and marked undone, in the same transaction): count again, in
    import order, every later member export (not undone) of its series from its recorded own counts, under its
    own id (values it now changes of other imports' rows kept in `prev_audience`, for its own undo). Returns
    the imports whose stored rows changed, with how many."""
    series = con.execute(f"SELECT platform, account, metric FROM {EXPORTS} WHERE import_id = ?",
                         [undone]).fetchone()
    if series is None:
        return []
    later = con.execute(f"SELECT x.import_id, i.file FROM {EXPORTS} AS x JOIN imports AS i USING (import_id) "
                        "WHERE i.undone_at IS NULL AND x.import_id > ? AND x.platform = ? AND x.account = ? "
                        "AND x.metric = ? ORDER BY x.import_id", [undone, *series]).fetchall()
    out = []
    try:
        for import_id, file in later:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {EXPORT} AS SELECT platform, account, metric, provider, "
                        f"exported_on, gains, losses FROM {EXPORTS} WHERE import_id = ?", [import_id])
            con.execute(f"CREATE OR REPLACE TEMP TABLE {OWN} AS SELECT date, value, gained, lost, "
                        f"NULL::BIGINT AS line FROM {DAYS} WHERE import_id = ?", [import_id])
            stage_own(con, itself=int(import_id))
            changed = _merge_again(con, int(import_id))
            if changed:
                out.append({"import_id": int(import_id), "file": shown_name(str(file)), "rows": changed})
    finally:
        con.execute(f"DROP TABLE IF EXISTS {EXPORT}; DROP TABLE IF EXISTS {OWN}; "
                    "DROP TABLE IF EXISTS stage_audience; DROP TABLE IF EXISTS _member_again")
    return out


def _merge_again(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Merge `stage_audience` as import `import_id` counted again: as the import's merge does (a staged null
    keeps the stored value), but rows the import already wrote are changed in place (no copy of its own rows:
    its undo removes them), other imports' rows kept in `prev_audience` first. Returns the rows written."""
    match = " AND ".join(f"s.{k} = e.{k}" for k in KEYS)
    merged = ", ".join(f"coalesce(s.{c}, e.{c}) AS {c}" for c in VALUES)
    changed = " OR ".join(f"coalesce(s.{c}, e.{c}) IS DISTINCT FROM e.{c}" for c in VALUES)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _member_again AS
        SELECT {', '.join('s.' + k for k in KEYS)}, {merged}, e.date IS NULL AS _new, e.import_id AS _was
        FROM stage_audience AS s LEFT JOIN audience AS e ON {match}
        WHERE e.date IS NULL OR {changed}""")
    again = " AND ".join(f"m.{k} = e.{k}" for k in KEYS)
    con.execute(f"INSERT INTO {previous('audience')} BY NAME SELECT e.*, {import_id} AS {REPLACED_BY} "
                f"FROM audience AS e JOIN _member_again AS m ON {again} WHERE NOT m._new AND m._was <> {import_id}")
    sets = ", ".join(f"{c} = m.{c}" for c in VALUES)
    con.execute(f"UPDATE audience AS e SET {sets}, import_id = {import_id} FROM _member_again AS m "
                f"WHERE NOT m._new AND {again}")
    con.execute(f"INSERT INTO audience BY NAME SELECT {', '.join(KEYS)}, {', '.join(VALUES)}, "
                f"{import_id} AS import_id FROM _member_again WHERE _new")
    row = con.execute("SELECT count(*) FROM _member_again").fetchone()
    return int(row[0]) if row else 0
