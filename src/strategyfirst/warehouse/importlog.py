"""The import log: which file was imported with which options, by whom, and what each import overwrote, so that
an import can be recognised when the same file comes again and taken back (`strategyfirst imports undo`).

- `imports` (schema.py) gains `options` (JSON of the import options: source, account, ...), `bytes`,
  `imported_by` (the OS user, or the web user), `undone_at`/`undone_by`, and `rows_lower_figures` (rows whose
  lifetime figures in the file were lower than the stored ones: the larger was kept; data quality), and
  `stamp` (a hash of the file's path, size, inode and change times when it was read: see `file_stamp`), and
  `raw_sha256` (the sha256 of its raw copy where that is a redacted copy, not the file: member exports; null
  where the raw copy is the file, whose sha256 is `sha256`).
- `prev_<table>` holds, for each merged table, the stored rows an import updated, as they were before, with
  `replaced_by` = that import. Rows an import added need no copy: they carry its `import_id`. So the store
  holds updated rows only, and undoing import N is: delete the rows N added, write back the rows N replaced.
- A later import M depends on N when M updated a row N wrote last: then `prev_<table>` holds that row with
  `import_id = N, replaced_by = M`, and undoing N is refused until M is undone.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import duckdb

from strategyfirst.errors import UsageError
from strategyfirst.sqltext import string_literal

LOGGED = ("messages", "audience", "spend", "account_daily", "video_daily",  # the tables imports merge into
          "site_traffic")
IMPORT_COLUMNS = {"options": "VARCHAR", "bytes": "BIGINT", "imported_by": "VARCHAR", "undone_at": "TIMESTAMP",
                  "undone_by": "VARCHAR", "rows_lower_figures": "BIGINT", "stamp": "VARCHAR",
                  "raw_sha256": "VARCHAR"}
# A file changed this recently may change again within the file system's timestamp granularity without its
# times moving: its stamp is not recorded (git's "racily clean" entries), so the next import hashes it.
SETTLED_NS = 2_000_000_000
REPLACED_BY = "replaced_by"


def previous(table: str) -> str:
    """The table of previous values of `table`."""
    return f"prev_{table}"


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Add the log's columns to `imports` and create or widen the `prev_` tables (cheap when up to date)."""
    have: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                     "WHERE schema_name = 'main' AND database_name = current_database()"
                                     ).fetchall():
        have.setdefault(table, set()).add(column)
    for column, kind in IMPORT_COLUMNS.items():
        if column not in have.get("imports", set()):
            con.execute(f"ALTER TABLE imports ADD COLUMN IF NOT EXISTS {column} {kind}")
    for table in LOGGED:
        if table not in have:
            continue
        prev = previous(table)
        if prev not in have:  # the columns and types of the table, without its constraints
            con.execute(f"CREATE TABLE IF NOT EXISTS {prev} AS SELECT *, 0::INTEGER AS {REPLACED_BY} "
                        f"FROM {table} LIMIT 0")
            continue
        for column in sorted(have[table] - have[prev]):  # a column added to the table later
            found = con.execute("SELECT data_type FROM duckdb_columns() WHERE schema_name = 'main' AND "
                               "database_name = current_database() AND table_name = ? AND column_name = ?",
                               [table, column]).fetchone()
            con.execute(f'ALTER TABLE {prev} ADD COLUMN "{column}" {found[0] if found else "VARCHAR"}')


def current_user() -> str:
    """Who runs this process (the OS login), for the log."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return "unknown"


def _same_options(stored: str | None, given: dict[str, Any], defaults: dict[str, Any]) -> bool:
    """Whether an import's stored options are `given` (the source aside); an option the stored import did not
    record (one added to strategyfirst since) counts as its default."""
    old = {**defaults, **_options(stored)}
    return all(old.get(k) == v for k, v in given.items() if k != "source")


def same_file(con: duckdb.DuckDBPyConnection, digest: str, size: int, source: str,
              options: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any] | None:
    """The import (not undone) of identical bytes with the same options, if any: importing it again would
    change nothing. `source` "auto" matches whatever was detected; an explicit name must be the one used."""
    # literals, not parameters: DuckDB imports pandas (~0.5 s) to bind Python parameters, and this check is
    # all an identical re-import costs besides hashing (a digest is hex, a size an int)
    rows = con.execute("SELECT import_id, file, source, options, rows_read, rows_rejected, rejects_file "
                       f"FROM imports WHERE sha256 = {_hex_literal(digest)} AND undone_at IS NULL "
                       f"AND (bytes IS NULL OR bytes = {int(size)}) ORDER BY import_id DESC").fetchall()
    for import_id, file, used, stored, read, rejected, rejects_file in rows:
        if not _same_options(stored, options, defaults):
            continue
        if source != "auto" and used != source:
            continue
        return {"import_id": int(import_id), "file": file, "source": used, "rows_read": int(read),
                "rows_rejected": int(rejected), "rejects_file": rejects_file}
    return None


def other_options(con: duckdb.DuckDBPyConnection, digest: str, options: dict[str, Any],
                  defaults: dict[str, Any]) -> list[int]:
    """The imports (not undone) of identical bytes made with other options (another --account): importing the
    file again corrects them (warehouse/merge.py `rehome`)."""
    rows = con.execute(f"SELECT import_id, options FROM imports WHERE sha256 = {string_literal(digest)} "
                       "AND undone_at IS NULL").fetchall()
    return [int(i) for i, stored in rows if not _same_options(stored, options, defaults)]


def file_stamp(path: Path, st: os.stat_result, now_ns: int | None = None) -> str | None:
    """What identifies the bytes of `path` without reading them, as make and rsync trust a file's times: a
    hash of its absolute path, device, inode, size, modification and status-change times (ns). Any write to
    the file, or replacing it, changes the change time (ctime), which no program can set back (`touch -d`
    restores the mtime, not the ctime). None for a file changed less than SETTLED_NS ago (a second write in
    the same clock tick would leave both times as they are). Only a hash is stored: no path in the log."""
    if os.name == "nt":  # there st_ctime is the creation time: a rewrite in place does not move it
        return None
    now = time.time_ns() if now_ns is None else now_ns
    if now - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLED_NS:
        return None
    parts = (str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def stamped_digest(con: duckdb.DuckDBPyConnection, stamp: str | None) -> str | None:
    """The sha256 recorded by an import (not undone) of the file whose stamp is `stamp`, if any: the same file,
    unchanged since, so hashing it again would give that digest."""
    if stamp is None:
        return None
    row = con.execute(f"SELECT sha256 FROM imports WHERE stamp = {_hex_literal(stamp)} AND undone_at IS NULL "
                      "ORDER BY import_id DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None


def maybe_seen(con: duckdb.DuckDBPyConnection, size: int) -> bool:
    """Whether an import (not undone) of a file of this size exists: only then is hashing first worth it."""
    row = con.execute("SELECT count(*) FROM imports WHERE undone_at IS NULL AND (bytes IS NULL OR bytes = "
                      f"{int(size)})").fetchone()
    return bool(row and row[0])


class SeenSizes:
    """`maybe_seen` for a batch of files, from one statement: the sizes of the files imports (not undone) read,
    looked up once. The batch adds the size of each file it goes on to read (`add`), whatever becomes of it: a
    size too many only means a file is hashed and looked up, as `maybe_seen` would have it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._sizes = {r[0] for r in con.execute("SELECT DISTINCT bytes FROM imports WHERE undone_at IS NULL"
                                                 ).fetchall()}

    def maybe(self, size: int) -> bool:
        """Whether an import (not undone) of a file of this size may exist (`maybe_seen`)."""
        return None in self._sizes or size in self._sizes

    def add(self, size: int) -> None:
        self._sizes.add(size)


def _hex_literal(digest: str) -> str:
    if not all(c in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a hex digest: {digest!r}")
    return f"'{digest}'"


def _options(text: str | None) -> dict[str, Any]:
    if not text:  # an import made before options were recorded: the defaults
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def shown_name(file: str) -> str:
    """The name a user knows an imported file by: no folders, but a zip's member keeps the archive and its place
    in it (`exports/archive.zip!data/tweets.js` is `archive.zip!data/tweets.js`)."""
    archive = re.search(r"\.zip!", file, re.IGNORECASE)
    if archive is None:
        return Path(file).name
    return Path(file[:archive.end() - 1]).name + file[archive.end() - 1:]


def listing(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every import, oldest first: id, file name (never the folder it was read from; a zip's member as
    `archive.zip!inner/name`), source, options, when, by whom, counts, and when/by whom it was undone."""
    rows = con.execute("SELECT import_id, file, source, options, started_at, imported_by, rows_read, rows_new, "
                       "rows_updated, rows_duplicate, rows_rejected, undone_at, undone_by FROM imports "
                       "ORDER BY import_id").fetchall()
    out = []
    for (import_id, file, source, options, started, by, read, new, updated, duplicate, rejected, undone_at,
         undone_by) in rows:
        opts = _options(options)
        out.append({
            "import_id": int(import_id), "file": shown_name(str(file)), "source": source,
            "account_option": opts.get("account"), "options": opts,
            "imported_at": _iso(started), "imported_by": by,
            "rows_read": int(read), "rows_new": int(new), "rows_updated": int(updated),
            "rows_duplicate": int(duplicate), "rows_rejected": int(rejected),
            "undone_at": _iso(undone_at), "undone_by": undone_by})
    return out


def _iso(value: Any) -> str | None:
    return value.isoformat(sep=" ", timespec="seconds") + "Z" if isinstance(value, dt.datetime) else None


def undone_name(rejects_file: Path) -> Path:
    """Where an undone import's rejects CSV is kept: `undone-00012-posts.rejects.csv` beside the live ones."""
    return rejects_file.with_name(f"undone-{rejects_file.name}")


def undo(con: duckdb.DuckDBPyConnection, import_id: int, by: str | None = None,
         rejects_dir: Path | None = None) -> dict[str, Any]:
    """Take import `import_id` back in one transaction: delete the rows it added, write back the values it
    replaced, drop its rejects, mark it undone, and count again the later member exports of its list that
    deferred to it (`members.recount`, listed as `recounted`). Refused (UsageError) when a later import changed
    rows it wrote.
    Its rejects CSV in `rejects_dir` is kept for the record, renamed `undone_name` (the log names it there), so
    that no file named like a live import's lists rows the warehouse no longer has. Derived tables are the
    caller's (derive.refresh)."""
    from strategyfirst.warehouse.conversation import refresh_conversations
    from strategyfirst.warehouse.derive import forget_extent
    from strategyfirst.warehouse.members import recount
    from strategyfirst.warehouse.merge import SPECS, key_match

    row = con.execute("SELECT file, undone_at, undone_by, rejects_file FROM imports WHERE import_id = ?",
                      [import_id]).fetchone()
    if row is None:
        raise UsageError(f"there is no import #{import_id}; `strategyfirst imports` lists them")
    name = shown_name(str(row[0]))
    if row[1] is not None:
        raise UsageError(f"import #{import_id} ({name}) was already undone at {_iso(row[1])} by {row[2]}")
    later: set[int] = set()
    for table in LOGGED:
        later |= {int(r[0]) for r in con.execute(
            f"SELECT DISTINCT {REPLACED_BY} FROM {previous(table)} WHERE import_id = ? AND {REPLACED_BY} <> ?",
            [import_id, import_id]).fetchall()}
    if later:
        first = min(later)
        other = con.execute("SELECT file FROM imports WHERE import_id = ?", [first]).fetchone()
        others = f" (and {len(later) - 1} more)" if len(later) > 1 else ""
        raise UsageError(
            f"import #{import_id} ({name}) cannot be undone: import #{first} "
            f"({shown_name(str(other[0])) if other else '?'}){others} later changed rows it wrote; "
            f"undo #{first} first, then #{import_id}")
    # the file in this workspace's folder: the log's path may name the folder of the workspace it was restored from
    live = rejects_dir / Path(str(row[3])).name if rejects_dir is not None and row[3] else None
    kept = undone_name(live) if live is not None and live.is_file() else None
    moved = False
    removed: dict[str, int] = {}
    restored: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in LOGGED:
            spec, prev = SPECS[table], previous(table)
            match = key_match(spec, "u", "e")
            removed[table] = _affected(con.execute(
                f"DELETE FROM {table} AS e WHERE e.import_id = ? AND NOT EXISTS "
                f"(SELECT 1 FROM {prev} AS u WHERE u.{REPLACED_BY} = ? AND {match})", [import_id, import_id]))
            columns = [c for c in _columns(con, table) if c not in spec.keys]
            sets = ", ".join(f'"{c}" = u."{c}"' for c in columns)
            restored[table] = _affected(con.execute(
                f"UPDATE {table} AS e SET {sets} FROM {prev} AS u WHERE u.{REPLACED_BY} = ? AND {match}",
                [import_id]))
            # rows the import removed (re-homed under another account): back in
            cols = ", ".join(f'"{c}"' for c in _columns(con, table))
            restored[table] += _affected(con.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {prev} AS u WHERE u.{REPLACED_BY} = ? AND "
                f"NOT EXISTS (SELECT 1 FROM {table} AS e WHERE {match})", [import_id]))
            con.execute(f"DELETE FROM {prev} WHERE {REPLACED_BY} = ?", [import_id])
        rejects = _affected(con.execute("DELETE FROM rejects WHERE import_id = ?", [import_id]))
        forget_extent(con)  # rows went and came back under earlier imports: the derived tables are rebuilt whole
        if removed["messages"] or restored["messages"]:
            refresh_conversations(con)  # replies whose parent went (or came back) get their conversation again
        con.execute("UPDATE imports SET undone_at = ?, undone_by = ?, rejects_file = ? WHERE import_id = ?",
                    [dt.datetime.now(dt.UTC).replace(tzinfo=None), by or current_user(),
                     str(kept) if kept is not None else row[3], import_id])
        # older member exports that deferred to this one count what they say again (once it is marked undone)
        recounted = recount(con, import_id)
        if live is not None and kept is not None:
            live.replace(kept)  # last before the commit, put back if the commit fails
            moved = True
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        if moved and live is not None and kept is not None:
            kept.replace(live)
        raise
    return {"import_id": import_id, "file": name, "rows_removed": sum(removed.values()),
            "rows_restored": sum(restored.values()), "rejects_removed": rejects,
            "rejects_file": str(kept) if kept is not None else None, "recounted": recounted,
            "by_table": {t: {"removed": removed[t], "restored": restored[t]} for t in LOGGED
                         if removed[t] or restored[t]}}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND "
                                      "database_name = current_database() AND table_name = ? "
                                      "ORDER BY column_index", [table]).fetchall()]


def _affected(cursor: duckdb.DuckDBPyConnection) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0
