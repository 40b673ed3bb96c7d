"""What an import source is: a declared object (name, description, detection, expected columns, loader).

A loader reads one file into the staging temp tables (`stage_messages`, `stage_audience`, `stage_spend`,
`stage_account_daily`, `stage_video_daily`, `stage_rejects`) with set-based SQL; the warehouse merges them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql, without_instance_by_row_sql, without_instance_sql
from strategyfirst.sources.textfile import SourceFile
from strategyfirst.sqltext import string_list, string_literal

if TYPE_CHECKING:
    import duckdb

FIGURES = ("impressions", "reach", "engagements", "likes", "comments", "shares", "saves", "clicks", "follows",
           "video_views", "watch_minutes", "spend", "deliveries", "opens", "unsubscribes")

STAGE_DDL = {
    "stage_messages": """message_id VARCHAR, platform VARCHAR, account VARCHAR, owned BOOLEAN,
        created_at TIMESTAMP, time_precision VARCHAR, kind VARCHAR, text VARCHAR, in_reply_to VARCHAR,
        url VARCHAR, campaign VARCHAR, """ + ", ".join(f"{f} DOUBLE" for f in FIGURES) + ", line BIGINT",
    "stage_audience": """date DATE, platform VARCHAR, account VARCHAR, metric VARCHAR, value DOUBLE,
        gained DOUBLE, lost DOUBLE, line BIGINT""",
    "stage_spend": """date DATE, platform VARCHAR, tactic VARCHAR, campaign VARCHAR, amount DOUBLE,
        currency VARCHAR, account VARCHAR, date_to DATE, level VARCHAR, results DOUBLE, result_indicator VARCHAR,
        impressions DOUBLE, line BIGINT""",
    "stage_account_daily": """date DATE, platform VARCHAR, account VARCHAR, posts DOUBLE, impressions DOUBLE,
        engagements DOUBLE, likes DOUBLE, comments DOUBLE, shares DOUBLE, clicks DOUBLE, follows DOUBLE,
        unfollows DOUBLE, video_views DOUBLE, watch_minutes DOUBLE, reach DOUBLE, profile_visits DOUBLE,
        line BIGINT""",
    "stage_video_daily": """date DATE, platform VARCHAR, message_id VARCHAR, video_views DOUBLE,
        watch_minutes DOUBLE, line BIGINT""",
    "stage_site_traffic": """date_from DATE, date_to DATE, property VARCHAR, dimension VARCHAR, value VARCHAR,
        sessions DOUBLE, engaged_sessions DOUBLE, users DOUBLE, new_users DOUBLE, conversions DOUBLE,
        revenue DOUBLE, line BIGINT""",
    "stage_rejects": "line BIGINT, reason VARCHAR, raw VARCHAR",
}


@dataclass(frozen=True)
class LoadContext:
    """What a loader knows besides the file: the account given on the command line, the plan's accounts."""

    account: str | None = None
    owned_accounts: dict[str, frozenset[str]] = field(default_factory=dict)  # platform -> normalised handles
    year: int | None = None     # --year: the year of files that give none (TikTok `February 28`; UCI: 2014)
    platform: str | None = None                                                # --platform, where a file names none
    currency: str | None = None          # the plan's budget currency (spend is checked against it), not an option
    rates: str | None = None             # --rate: "UAH=0.024,USD=0.92", 1 unit in the plan's currency
    exported_on: str | None = None       # --exported-on: the snapshot day of member exports (ISO date)
    replay: bool = False                 # made again from raw/ as the log says it was (rebuild), not a new import


@dataclass(frozen=True)
class Loaded:
    """What a loader staged: which staging table holds one row per file row (for the counts)."""

    primary: str          # "messages" | "audience" | "spend" | "account_daily" | "video_daily" | "site_traffic"
    notes: tuple[str, ...] = ()  # what the summary says besides the counts (e.g. GA4 tables skipped)
    unique_lines: bool = False   # no two rows of the primary staging table share a line (one row per record)


Loader = Callable[["duckdb.DuckDBPyConnection", SourceFile, LoadContext], Loaded]
HeaderMap = Callable[[list[str]], list[str]]


def _lower(header: list[str]) -> list[str]:
    return [normalise_column(h) for h in header]


@functools.lru_cache(maxsize=8192)  # every file's header is compared with every source's columns
def normalise_column(name: str) -> str:
    """A header cell compared loosely: lower case, single spaces, no surrounding quotes or BOM."""
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().strip('"').lower())


@dataclass(frozen=True)
class Source:
    """One import format, listed by `strategyfirst sources` and tried by `--source auto`."""

    name: str
    description: str
    detection: str                        # how --source auto recognises it, in words
    columns: tuple[str, ...]              # the columns it reads (after header aliases), as documented
    required: tuple[str, ...]             # normalised columns whose presence identifies the format
    load: Loader
    kind: str = "csv"                     # csv | json | js (X archive data) | car (IPLD repository)
    header_map: HeaderMap = _lower        # header cells -> the names `required` is written in
    forbidden: tuple[str, ...] = ()       # columns whose presence rules the format out
    file_pattern: str | None = None       # a file-name regex that must match as well, if any

    alternatives: tuple[tuple[str, ...], ...] = ()  # other column sets that identify it (file variants)
    other_kinds: tuple[str, ...] = ()     # kinds it reads besides `kind` (meta-ads: an xlsx of one table)
    # The raw copy is the redacted one its loader staged (member exports: sources/member_counts.py), not the file
    redacted_raw: bool = False
    # Columns whose name in `columns`/`required` is a key of `header_map`, not the export's own header cell
    # ('permalink' for X analytics' "Tweet permalink"): the cell a message names instead.
    spelled: Mapping[str, str] = field(default_factory=dict)
    # Names `header_map` gives the export's other columns, which it has but does not read (X analytics' "app
    # opens"): not "columns it does not expect" of a file whose header is not recognised.
    also_known: frozenset[str] = frozenset()

    def spell(self, column: str) -> str:
        """A column as the export writes it in its header."""
        return self.spelled.get(column, column)

    def score(self, sf: SourceFile) -> tuple[float, list[str], list[str], int]:
        """How well the file's header fits: share of required columns present, missing ones, unexpected
        ones, and how many columns the best-fitting variant requires (more = more specific)."""
        if sf.kind != self.kind and sf.kind not in self.other_kinds:
            return 0.0, list(self.required), [], 0
        if self.file_pattern and not re.search(self.file_pattern, sf.name, re.IGNORECASE):
            return 0.0, list(self.required), [], 0
        mapped_header = self.header_map(sf.header) if self.kind == "csv" else sf.header
        # each name as compared, with the cell the file writes (a map that reshapes the header keeps its names)
        written = sf.header if len(mapped_header) == len(sf.header) else mapped_header
        cells = list(zip(mapped_header, written, strict=True))
        have = {mapped for mapped, _ in cells}
        if any(c in have for c in self.forbidden):
            return 0.0, list(self.required), [], 0
        best: tuple[float, list[str], list[str], int] = (-1.0, [], [], 0)
        known = _documented(self.columns) | self.also_known
        for required in (self.required, *self.alternatives):
            missing = [c for c in required if c not in have]
            # the header cells as the file writes them, in its order, once each
            extra = list(dict.fromkeys(cell for mapped, cell in cells if mapped not in required
                                       and mapped not in known))
            score = (len(required) - len(missing)) / max(len(required), 1)
            if score > best[0]:
                best = (score, missing, extra, len(required))
        return best


_CREATE_STAGE = "; ".join(f"CREATE TEMP TABLE {table} ({cols})" for table, cols in STAGE_DDL.items())


@functools.lru_cache(maxsize=256)
def _documented(columns: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalise_column(c) for c in columns)


def create_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Fresh empty staging temp tables for one file. In one call: the previous file's staging objects are
    normally gone already (drop_temp); only when one is left are they looked up and dropped first."""
    import duckdb

    try:
        con.execute(_CREATE_STAGE)
    except duckdb.CatalogException:  # one already exists (as a table or a view)
        drop_stage(con)
        con.execute(_CREATE_STAGE)


# The staging tables whose rows carry a platform (what `check_platform` compares `--platform` with).
PLATFORM_STAGES = ("stage_messages", "stage_audience", "stage_spend", "stage_account_daily", "stage_video_daily")


def check_platform(con: duckdb.DuckDBPyConnection, sf: SourceFile, source: str, platform: str) -> None:
    """Refuse `--platform` where the file's rows name other platforms and none is it (a Facebook posts export
    given `--platform instagram`: the format fixes the platform, and the option was silently ignored). Where
    one of the file's platforms is it (a Meta overview section titled only "Follows"), or the rows name none,
    it stands."""
    union = " UNION ".join(f"SELECT DISTINCT lower(platform) AS p FROM {t} WHERE platform IS NOT NULL"
                           for t in PLATFORM_STAGES)
    named = sorted(str(r[0]) for r in con.execute(union).fetchall())
    if named and platform.strip().lower() not in named:
        raise sf.error(f"--platform {platform} contradicts the file: its {source} rows are of platform "
                       f"{' and '.join(named)}; import it without --platform (nothing of it was imported)", 1, 1)


CONTROL_ID_REASON = ("the id holds a control character (a line break or NUL inside it): the row is damaged; "
                     "export the file again")


def control_char(expr: str) -> str:
    """SQL: true where the text of `expr` holds a control character (a damaged id)."""
    return f"regexp_matches(coalesce(CAST({expr} AS VARCHAR), ''), '[[:cntrl:]]')"


def stage_split(con: duckdb.DuckDBPyConnection, target: str, select_sql: str,
                params: list[object] | None = None, *, located: str | None = None) -> None:
    """Run a mapping SELECT that yields the target's columns, `line`, `_raw` and `_reject` (reason or null):
    rows with a reason go to `stage_rejects`, the others to `stage_<target>`. `located`: SQL for the words
    that start every reject's reason where `line` is no line of the file (`item 7 of orderedItems: `).

    The mapping is materialised once; `stage_<target>` becomes a view over its good rows (no second copy
    of millions of rows), with every staging column present and typed.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE _mapped_{target} AS {select_sql}", params or [])
    split_mapped(con, target, located=located)


def split_mapped(con: duckdb.DuckDBPyConnection, target: str, *, line: str = "line",
                 ids_checked: bool = False, constants: dict[str, str] | None = None,
                 located: str | None = None) -> None:
    """`stage_split` of a mapping already in temp `_mapped_<target>`. `line`: SQL for the rows' line where
    the mapping has none; `ids_checked`: the mapping's `_reject` already refuses ids with control characters;
    `constants`: SQL literals of the columns the mapping leaves out as the same on every row (not written
    into its table for each of millions of rows); `located`: as for `stage_split`."""
    table = f"stage_{target}"
    mapped = {d[0] for d in con.execute(f"SELECT * FROM _mapped_{target} LIMIT 0").description or []}
    ids = [c for c in ("message_id", "in_reply_to") if c in mapped and not ids_checked]
    if ids:  # an id cut by a stray CR or NUL names a message the export never had
        damaged = " OR ".join(control_char(c) for c in ids)
        con.execute(f"UPDATE _mapped_{target} SET _reject = '{CONTROL_ID_REASON}' "
                    f"WHERE _reject IS NULL AND ({damaged})")
    reason = f"({located}) || _reject" if located else "_reject"
    con.execute(f"INSERT INTO stage_rejects SELECT {line}, {reason}, _raw FROM _mapped_{target} "
                "WHERE _reject IS NOT NULL")
    given = {name: name for name in mapped} | ({"line": line} if line != "line" else {}) | (constants or {})
    select = ", ".join(f"CAST({given.get(name, 'NULL')} AS {sqltype}) AS {name}"
                       for name, sqltype in _stage_columns(table))
    con.execute(f"DROP TABLE {table}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT {select} FROM _mapped_{target} "
                "WHERE _reject IS NULL")


def _stage_columns(table: str) -> list[tuple[str, str]]:
    """(name, type) of a staging table's columns, from STAGE_DDL."""
    out = []
    for part in STAGE_DDL[table].split(","):
        name, sqltype = part.split()
        out.append((name, sqltype))
    return out


def drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staging tables and views of one file."""
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    for table in STAGE_DDL:
        con.execute(f"DROP {'VIEW' if table in views else 'TABLE'} IF EXISTS {table}")
        con.execute(f"DROP TABLE IF EXISTS _mapped_{table.removeprefix('stage_')}")


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every temp table and view of the connection: what one file's import staged, whatever its source
    made (a failed import leaves nothing behind for the next file)."""
    rows = con.execute("SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary AND NOT internal "
                       "UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary").fetchall()
    if rows:  # in one call (a file leaves a dozen)
        con.execute("; ".join(f'DROP {kind} IF EXISTS "{name.replace(chr(34), chr(34) * 2)}"' for kind, name in rows))


def add_csv_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Rows DuckDB's reader could not split into the header's columns become rejects with their line."""
    con.execute("INSERT INTO stage_rejects SELECT line, reason, raw FROM csv_rejects")


def owned_sql(ctx: LoadContext, platform: str, account_expr: str, source_flag: str) -> str:
    """SQL for `owned`: the source's own flag, or the account is one of the plan's accounts on the platform."""
    handles = sorted(ctx.owned_accounts.get(platform, frozenset()))
    if not handles:
        return f"coalesce({source_flag}, FALSE)"
    listed = string_list(handles)
    # CASE, not OR: DuckDB evaluates both sides of an OR on every row, and the ELSE only on the rows the
    # source does not flag (half as many string operations on a ten-million-row file). An account of fewer
    # bytes than the shortest handle has characters cannot match one: trim, ltrim and cutting an '@instance'
    # only remove characters and lower maps each to one, so `strlen` (bytes, no scan) rules out the customers
    # of a support file ('115712' against '@NorthwindHelp') before trim, ltrim and lower, ~0.2 CPU s a
    # million rows.
    shortest = min(len(h) for h in handles)
    return (f"CASE WHEN coalesce({source_flag}, FALSE) THEN TRUE WHEN strlen({account_expr}) < {shortest} "
            f"THEN FALSE ELSE coalesce({_normalised(account_expr, platform)} IN ({listed}), FALSE) END")


def owned_sql_by_row(ctx: LoadContext, platform_expr: str, account_expr: str, source_flag: str) -> str:
    """`owned_sql` where the platform varies by row (canonical CSV)."""
    pairs = sorted(f"{p}:{h}" for p, hs in ctx.owned_accounts.items() for h in hs)
    if not pairs:
        return f"coalesce({source_flag}, FALSE)"
    listed = string_list(pairs)
    return (f"CASE WHEN coalesce({source_flag}, FALSE) THEN TRUE ELSE coalesce({platform_expr} || ':' || "
            f"{_normalised_by_row(account_expr, platform_expr)} IN ({listed}), FALSE) END")


def unowned_notes(con: duckdb.DuckDBPyConnection, ctx: LoadContext) -> list[str]:
    """A line per platform where the plan lists accounts and none of them is the account of the staged data:
    the owned messages (as the source flags them) and the audience of the file count for no owned account
    (metrics.md: where the plan lists accounts for a platform, exactly those are owned), which `measure` shows
    only in its data quality. Most often a mistyped `--account`; a file some of whose accounts the plan lists
    (a twcs file of 100 brands, 3 of them the plan's) gets none."""
    if not ctx.owned_accounts:
        return []
    listed = string_list(sorted(f"{p}:{h}" for p, hs in ctx.owned_accounts.items() for h in hs))
    platforms = string_list(sorted(ctx.owned_accounts))
    rows = con.execute(f"""
        WITH staged AS (SELECT platform, account, 'message' AS what FROM stage_messages
                        WHERE owned AND account IS NOT NULL AND platform IN ({platforms})
                        UNION ALL
                        SELECT platform, account, 'audience row' FROM stage_audience
                        WHERE account IS NOT NULL AND platform IN ({platforms}))
        SELECT platform, account, what, n,
               platform || ':' || {_normalised_by_row('account', 'platform')} IN ({listed}) AS owned
        FROM (SELECT platform, account, what, count(*) AS n FROM staged GROUP BY ALL)  -- a few accounts, not rows
        ORDER BY platform, n DESC, account, what""").fetchall()
    notes = []
    for platform in dict.fromkeys(r[0] for r in rows):
        on = [r for r in rows if r[0] == platform]
        if any(r[4] for r in on):
            continue
        named = [f"{account!r} ({n:,} {what}{'s' * (n != 1)})" for _, account, what, n, _ in on[:3]]
        counted = ", ".join(named) + (f" and {len(on) - 3} more" if len(on) > 3 else "")
        plan = ", ".join(sorted(ctx.owned_accounts[platform]))
        fix = ("ingest it again with --account set to the plan's name after `strategyfirst imports undo` of this "
               "import" if ctx.account else "write the plan's account as the data names it")
        notes.append(f"not counted as owned: {counted} on {platform}, where the plan lists only {plan}; "
                     f"{fix}, or add the account to the plan's accounts under {platform}")
    return notes


def _normalised(account_expr: str, platform: str) -> str:
    """SQL of an account's normal form on `platform` (strategyfirst.handles; plan.normalise_handle in Python)."""
    return without_instance_sql(f"lower(ltrim({trim_space_sql(account_expr)}, '@'))", platform)


def _normalised_by_row(account_expr: str, platform_expr: str) -> str:
    """SQL of an account's normal form on the platform of its row (`platform_expr`, SQL of a lower-case id)."""
    return without_instance_by_row_sql(f"lower(ltrim({trim_space_sql(account_expr)}, '@'))", platform_expr)


def account_or_refuse(sf: SourceFile, ctx: LoadContext, found: str | None, export: str) -> str:
    """The account of a file whose rows do not name it: `--account`, else what the file tells (`found`), else
    the import is refused with one line asking for `--account` (never stored under an empty account)."""
    account = (ctx.account or "").strip() or (found or "").strip()
    if not account:
        raise sf.error(f"{export} does not say which account it belongs to; pass --account NAME", 1, 1)
    return account


def reasons(*checks: tuple[str, str]) -> str:
    """SQL for a reject reason: the first failing check's message, or null. Each check is (condition, why)."""
    whens = " ".join(f"WHEN {cond} THEN '{why.replace(chr(39), chr(39) * 2)}'" for cond, why in checks)
    return f"CASE {whens} END" if checks else "NULL"


def sql_str(value: str | None) -> str:
    """A Python string as an SQL literal (or NULL)."""
    return "NULL" if value is None else string_literal(value)
