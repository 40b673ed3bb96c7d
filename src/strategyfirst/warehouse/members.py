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

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path
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


# `meta` key of a warehouse upgraded to schema v8 whose member imports made before it are still to be recorded.
PENDING = "member_records_pending"


def record_earlier(con: duckdb.DuckDBPyConnection, raw_dir: Path | None) -> list[int]:
    """Record the member exports imported before `member_exports` existed (schema < 8), from their raw copies,
    as each was recorded at its import: the warehouse holds only the merged counts (an older export's own counts
    and a list's platform are in no table), the raw copy holds what the import read, as `rebuild` reads it. In
    import order (a list's spelling is its first export's), one transaction each (a raw copy that is missing or
    no longer reads is left unrecorded, as before v8: `rebuild` says which). Clears PENDING when done; returns
    the imports recorded."""
    from strategyfirst.sources import sqlfuncs
    from strategyfirst.sources.base import LoadContext, create_stage, drop_temp
    from strategyfirst.sources.registry import BY_NAME
    from strategyfirst.sources.textfile import open_source_file

    member_sources = sorted(name for name, src in BY_NAME.items() if src.redacted_raw)
    todo = con.execute(f"SELECT i.import_id, i.file, i.sha256, i.source, i.options FROM imports AS i "
                       f"WHERE i.undone_at IS NULL AND list_contains(?, i.source) AND NOT EXISTS "
                       f"(SELECT 1 FROM {EXPORTS} AS x WHERE x.import_id = i.import_id) ORDER BY i.import_id",
                       [member_sources]).fetchall()
    done: list[int] = []
    work = Path(tempfile.mkdtemp(prefix=".sf-members-", dir=raw_dir.parent)) if todo and raw_dir else None
    try:
        sqlfuncs.install(con)
        for import_id, file, digest, source, options in todo:
            raw = sorted(raw_dir.glob(f"{digest}*")) if raw_dir is not None and raw_dir.is_dir() else []
            if not raw or work is None:
                continue
            # under its own name, as rebuild does: Mailchimp's list id may be in it
            named = work / str(import_id) / Path(str(file).rpartition("!")[2]).name
            named.parent.mkdir()
            try:
                os.link(raw[0], named)
            except OSError:
                shutil.copy2(raw[0], named)
            opts = json.loads(options or "{}")
            given = {f.name: opts[f.name] for f in dataclasses.fields(LoadContext) if f.name in opts
                     and f.name != "owned_accounts"}
            try:
                sf = open_source_file(named, work)
                create_stage(con)
                BY_NAME[str(source)].load(con, sf, dataclasses.replace(LoadContext(**given), replay=True))
            except Exception:  # an unreadable copy stays unrecorded (as before v8); the warehouse still opens
                drop_temp(con)
                continue
            con.execute("BEGIN TRANSACTION")
            try:
                record(con, int(import_id))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                drop_temp(con)
            done.append(int(import_id))
        con.execute("DELETE FROM meta WHERE key = ?", [PENDING])
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return done
