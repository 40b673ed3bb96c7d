"""`meta-overview`: Meta Business Suite overview charts (`Follows.csv`, `Views.csv`, `Interactions.csv`, ...).

UTF-16 (or UTF-8), first line `sep=,` or `sep=\t`, then one or more sections: a title line (`"Facebook views"`,
`"Instagram follows"`, `"Follows"`, trailing tabs allowed), a `"Date","Primary"` line and daily rows. Dates
like `2025-03-18T01:00:00` are days (the date part). No overview file names its account: `--account` is
required. A section's platform is named by its title, else given with `--platform`, else, where another
section of the same file names one platform ("Follows" beside "Instagram follows"), it is the other one.

Follows -> `audience` gains (metric `followers`); Views -> the account's daily impressions; Interactions -> the
account's daily engagements; Reach -> the account's daily reach; Visits -> its daily profile (page) visits.
Charts of one day in several sections or files fill one daily row. `Audience.csv` (age and gender) is refused
as demographics, not imported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    normalise_column,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.dates import day
from strategyfirst.sources.textfile import TRUNCATED, SourceFile

if TYPE_CHECKING:
    import duckdb

PLATFORMS = ("facebook", "instagram")
# title word -> (staging table, column)
METRICS = {"follows": ("audience", "gained"), "views": ("account_daily", "impressions"),
           "interactions": ("account_daily", "engagements"), "reach": ("account_daily", "reach"),
           "visits": ("account_daily", "profile_visits")}
DAILY = tuple(col for table, col in METRICS.values() if table == "account_daily")
DEMOGRAPHICS = re.compile(r"\b(age|gender|audience|cities|countries|top locations)\b", re.IGNORECASE)


def header_map(header: list[str]) -> list[str]:
    first = normalise_column(header[0]) if header else ""
    return ["sep="] if first.startswith("sep=") else [normalise_column(h) for h in header]


def _lines(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> None:
    """Temp `_ov_lines` (n, fields, cells, l): every line of the file with its number, its fields unquoted,
    its non-empty cells (trailing tabs or commas dropped) and its text; temp `_ov_headers`: the Date,Primary
    lines with the positions of the two columns."""
    first = _first_line(sf).lstrip("\ufeff")
    delim = first[4] if first.lower().startswith("sep=") and first[4:5] in (",", ";", "\t") else sf.delimiter
    con.execute("""CREATE OR REPLACE TEMP TABLE _ov_text AS
                   SELECT string_split(replace(replace(replace(content, chr(65279), ''), chr(13) || chr(10),
                                                       chr(10)), chr(13), chr(10)), chr(10)) AS ls
                   FROM read_text(?)""", [str(sf.text_path)])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ov_lines AS
        SELECT n, fields, list_filter(fields, c -> c <> '') AS cells, l
        FROM (SELECT n, l, list_transform(regexp_extract_all(l, {sql_str(_field_pattern(delim))}, 1),
                                          c -> replace(regexp_replace(trim(c, ' \t'), '^"(.*)"$', '\\1'),
                                                       '""', '"')) AS fields
              FROM (SELECT unnest(ls) AS l, generate_subscripts(ls, 1) AS n FROM _ov_text))""")
    # The Date,Primary lines, with where each column stands (found by name, wherever it is).
    con.execute("""CREATE OR REPLACE TEMP TABLE _ov_headers AS
        SELECT n, list_position(list_transform(fields, c -> lower(c)), 'date') AS dpos,
               list_position(list_transform(fields, c -> lower(c)), 'primary') AS ppos
        FROM _ov_lines
        WHERE list_contains(list_transform(fields, c -> lower(c)), 'date')
          AND list_contains(list_transform(fields, c -> lower(c)), 'primary')""")


def _field_pattern(delim: str) -> str:
    """RE2 pattern whose group 1 is each field of a line, a quoted field keeping its delimiters ("1,020")."""
    d = "\\t" if delim == "\t" else delim
    return f'(?:^|{d})("(?:[^"]|"")*"|[^{d}]*)'


def _first_line(sf: SourceFile) -> str:
    with sf.text_path.open(encoding="utf-8-sig", errors="replace") as fh:
        return fh.readline()


def _platform_of(title: str) -> str | None:
    low = title.lower()
    return next((p for p in PLATFORMS if p in low), None)


def _metric_of(title: str) -> str | None:
    low = title.lower()
    return next((m for m in METRICS if m in low), None)


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    if DEMOGRAPHICS.search(sf.path.stem):
        raise sf.error("is a Meta Business Suite audience file (age and gender): demographics, not imported", 1, 1)
    _lines(con, sf)
    # A title: a line of one cell that is neither the sep= line nor a date.
    titles = con.execute(f"""SELECT n, cells[1] FROM _ov_lines
                             WHERE len(cells) = 1 AND NOT starts_with(lower(cells[1]), 'sep=')
                               AND {day('cells[1]')} IS NULL AND lower(cells[1]) <> 'date'
                             ORDER BY n""").fetchall()
    if not titles:
        raise sf.error("has no chart title line (such as \"Facebook views\") after its sep= line: it is not a Meta "
                       "Business Suite overview export", 2, 1)
    for n, title in titles:
        if DEMOGRAPHICS.search(title):
            raise sf.error("is a Meta Business Suite audience file (age and gender): demographics, not imported",
                           int(n), 1)
    account = (ctx.account or "").strip()
    if not account:
        raise sf.error("a Meta Business Suite overview export does not say which account it belongs to; pass "
                       "--account NAME", 1, 1)
    given = (ctx.platform or "").strip().lower() or None
    if given is not None and given not in PLATFORMS:
        raise sf.error(f"--platform {given} is not a platform of Meta Business Suite overview charts; give "
                       "--platform facebook or --platform instagram", 1, 1)
    named = {p for _, t in titles if (p := _platform_of(t))}
    sections: list[tuple[int, str, str]] = []   # (title line, platform, metric)
    for n, title in titles:
        metric = _metric_of(title)
        if metric is None:
            raise sf.error(f"the chart {title!r} is not one the overview import reads (Follows, Views, "
                           "Interactions, Reach, Visits)", int(n), 1)
        # A file of both platforms names one ("Follows" beside "Instagram follows"): the other is the unnamed.
        other = next(iter(set(PLATFORMS) - named)) if len(named) == 1 else None
        platform = _platform_of(title) or given or other
        if platform is None:
            raise sf.error(f"the chart {title!r} does not say its platform (and no other chart of the file names "
                           "one); pass --platform facebook or --platform instagram", int(n), 1)
        sections.append((int(n), platform, metric))
    values = ", ".join(f"({n}, {sql_str(p)}, {sql_str(m)})" for n, p, m in sections)
    con.execute("CREATE OR REPLACE TEMP TABLE _ov_sections (start BIGINT, platform VARCHAR, metric VARCHAR)")
    con.execute(f"INSERT INTO _ov_sections VALUES {values}")
    cell_d, cell_p = "l.fields[coalesce(h.dpos, 1)]", "l.fields[coalesce(h.ppos, 2)]"
    date = f"coalesce(try_strptime(left(trim({cell_d}), 10), '%Y-%m-%d')::DATE, {day(cell_d)})"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ov_rows AS
        SELECT l.n AS line, l.cells, l.l AS raw, s.platform, s.metric, {date} AS date,
               {cell_p} AS primary_cell, sf_num({cell_p}) AS value
        FROM _ov_lines l ASOF JOIN _ov_sections s ON l.n > s.start
             ASOF LEFT JOIN _ov_headers h ON l.n > h.n
        WHERE len(l.cells) > 0 AND NOT (len(l.cells) = 1 AND l.n IN (SELECT start FROM _ov_sections))
          AND l.n NOT IN (SELECT n FROM _ov_headers)""")
    # A file that ends without a line break (and not after a closing quote) may be cut in its last value.
    cut = not sf.ends_with_newline and not sf.ends_with_quote
    last = con.execute("SELECT max(n) FROM _ov_lines WHERE len(cells) > 0").fetchone()
    last_line = int(last[0]) if cut and last and last[0] is not None else -1
    reject = reasons(
        (f"line = {last_line}", TRUNCATED),
        ("date IS NULL", "the first cell is not a date like '2025-03-18' (a Date,Primary row was expected)"),
        ("value IS NULL", "Primary is not a number"),
        ("len(cells) > 2", "the row has more cells than Date and Primary"),
    )
    acc = sql_str(account)
    daily_cols = ", ".join(f"CASE WHEN metric = '{m}' THEN value END AS {col}"
                           for m, (table, col) in METRICS.items() if table == "account_daily")
    stage_split(con, "account_daily", f"""
        SELECT date, platform, {acc} AS account, {daily_cols}, line, {reject} AS _reject, raw AS _raw
        FROM _ov_rows WHERE metric <> 'follows'""")
    stage_split(con, "audience", f"""
        SELECT date, platform, {acc} AS account, 'followers' AS metric, NULL AS value, value AS gained,
               NULL AS lost, line, {reject} AS _reject, raw AS _raw
        FROM _ov_rows WHERE metric = 'follows'""")
    # One day of one platform appears in two sections of the same metric only in a doubled file: merged by key.
    _combine_daily(con)
    has_daily = con.execute("SELECT count(*) FROM stage_account_daily").fetchone()
    return Loaded(primary="account_daily" if has_daily and has_daily[0] else "audience")


def _combine_daily(con: duckdb.DuckDBPyConnection) -> None:
    """Views, Interactions, Reach and Visits of one day in one file (several sections) become one daily row with
    all their figures."""
    figures = ", ".join(f"max({col}) AS {col}" for col in DAILY)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ov_daily AS
                    SELECT date, platform, account, {figures}, min(line) AS line
                    FROM stage_account_daily GROUP BY date, platform, account""")
    columns = [(r[0], r[1]) for r in con.execute("DESCRIBE stage_account_daily").fetchall()]
    select = ", ".join(name if name in (*DAILY, "date", "platform", "account", "line") else
                       f"NULL::{sqltype} AS {name}" for name, sqltype in columns)
    con.execute("DROP VIEW stage_account_daily")
    con.execute(f"CREATE TEMP VIEW stage_account_daily AS SELECT {select} FROM _ov_daily")


SOURCE = Source(
    name="meta-overview",
    description="Meta Business Suite overview charts (Follows.csv, Views.csv, Interactions.csv, Reach.csv, "
                "Visits.csv): sep= line, "
                "title lines, \"Date\",\"Primary\" daily rows; needs --account (and --platform when no title "
                "names one); Audience.csv is refused (demographics)",
    detection="first line is sep=, or sep=<tab> (the line Excel reads the delimiter from)",
    columns=("sep=", "<title>", "Date", "Primary"),
    required=("sep=",),
    header_map=header_map,
    load=load,
)
