"""`ga4-export`: Google Analytics 4 report downloads ("Download file -> CSV") as `site_traffic` rows.

A GA4 CSV opens with `#` comment lines (`# Account:`, `# Property:`, `# Start date: YYYYMMDD`, `# End date:`),
then holds one or more tables separated by blank or comment lines (the report's table, the chart's series,
...). Each table's first line is its header. A table broken down by where the visits came from (`Session
default channel group`, `Session source / medium`, `Session campaign`, `First user default channel group`, and
GA4's newer `... primary channel group (Default Channel Group)`) with `Sessions`, `Engaged sessions`, `Users`,
`New users`, `Conversions` (or `Key events`) and `Total revenue` becomes one `site_traffic` row per table row:
the date range is the file's start and end dates, or the row's day where the table has a `Date` column. Tables
of other dimensions (devices, countries, a chart's `Nth day` series) are skipped and named in the summary, not
rejected; a file with only those imports 0 rows. A table with a second dimension (a secondary dimension added
in the report) keeps both: dimension `session source / medium + session campaign`, value `a / b + c`.

The property is the `# Property:` line, or `--account` (which overrides); without either the file is refused
asking for `--account`. Grand total rows are not stored (the rows add up to them). A row whose field count
differs from its header's, a number that is not one, or a bad date is a reject with its line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from strategyfirst.errors import SourceDetectionError
from strategyfirst.sources.base import LoadContext, Loaded, Source, normalise_column, reasons, sql_str, stage_split
from strategyfirst.sources.textfile import TRUNCATED, SourceFile

if TYPE_CHECKING:
    import duckdb

# header cell (normalised) -> the dimension stored (GA4 renamed "default" to "primary ... (Default Channel Group)")
DIMENSIONS = {
    "session default channel group": "session default channel group",
    "session primary channel group (default channel group)": "session default channel group",
    "session source / medium": "session source / medium",
    "session source": "session source",
    "session medium": "session medium",
    "session campaign": "session campaign",
    "session campaign name": "session campaign",
    "first user default channel group": "first user default channel group",
    "first user primary channel group (default channel group)": "first user default channel group",
    "first user source / medium": "first user source / medium",
    "first user campaign": "first user campaign",
}
FIGURE_COLUMNS = {   # stored column -> header cells (normalised), first found wins
    "sessions": ("sessions",),
    "engaged_sessions": ("engaged sessions",),
    "users": ("users", "total users", "active users"),
    "new_users": ("new users",),
    "conversions": ("conversions", "key events"),
    "revenue": ("total revenue",),
}
TOTAL_ROWS = ("grand total", "total", "totals")
DATE_COLUMNS = ("date",)
FIELDS = r"""',(\"(?:[^\"]|\"\")*\"|[^,\"]*)'"""


def header_map(header: list[str]) -> list[str]:
    first = header[0].replace("\ufeff", "").strip() if header else ""
    return ["#"] if first.startswith("#") else [normalise_column(h) for h in header]


def _split(delim: str) -> str:
    """SQL: the fields of line `l`, quotes taken off (quoted delimiters stay inside their field)."""
    pattern = FIELDS.replace(",", delim if delim != "\t" else "\\t")
    return (f"list_transform(regexp_extract_all({sql_str(delim)} || l, {pattern}, 1), "
            """c -> replace(regexp_replace(trim(c, ' '), '^"(.*)"$', '\\1', 's'), '""', '"'))""")


def _lines(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> None:
    """Temp `_ga_lines` (n, l, kind, block): every line with its number; kind `comment`, `blank` (nothing but
    delimiters and spaces) or `row`; rows in one run of consecutive row lines share a `block` (a table)."""
    con.execute("""CREATE OR REPLACE TEMP TABLE _ga_text AS
                   SELECT string_split(replace(replace(replace(content, chr(65279), ''), chr(13) || chr(10),
                                                       chr(10)), chr(13), chr(10)), chr(10)) AS ls
                   FROM read_text(?)""", [str(sf.text_path)])
    con.execute("""CREATE OR REPLACE TEMP TABLE _ga_lines AS
        SELECT n, l, kind, CASE WHEN kind = 'row' THEN n - row_number() OVER (PARTITION BY kind ORDER BY n) END
               AS block
        FROM (SELECT n, l, CASE WHEN starts_with(ltrim(l), '#') THEN 'comment'
                                WHEN regexp_full_match(l, '[\\s,;\t"]*') THEN 'blank' ELSE 'row' END AS kind
              FROM (SELECT unnest(ls) AS l, generate_subscripts(ls, 1) AS n FROM _ga_text))""")


def _preamble(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """`# Key: value` lines of the file (the first of each key), keys lower case."""
    rows = con.execute("""SELECT lower(trim(regexp_extract(l, '^\\s*#\\s*([^:]+):', 1))) AS k,
                                 trim(regexp_extract(l, '^\\s*#\\s*[^:]+:(.*)$', 1)) AS v
                          FROM _ga_lines WHERE kind = 'comment' AND contains(l, ':') ORDER BY n""").fetchall()
    out: dict[str, str] = {}
    for key, value in rows:
        out.setdefault(str(key), str(value).strip().strip(","))
    return out


def _ga_date(text: str) -> str | None:
    """'20240131' or '2024-01-31' as ISO text; None otherwise."""
    found = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", text.strip())
    return "-".join(found.groups()) if found else None


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    _lines(con, sf)
    pre = _preamble(con)
    if not ({"property", "start date", "end date", "account"} & set(pre)) and sf.header[:1] and \
            header_map(sf.header) == ["#"]:
        raise SourceDetectionError(str(sf.path), "starts with '#' lines but none of GA4's ('# Property:', "
                                   "'# Start date:'): not a GA4 export; check the file (or --source)", 1, 1,
                                   short="'#' lines, none of them GA4's: not an export")
    heads = con.execute("""SELECT block, min(n) AS start, arg_min(l, n) AS header, count(*) - 1 AS rows
                           FROM _ga_lines WHERE kind = 'row' GROUP BY block ORDER BY start""").fetchall()
    if not heads:
        raise sf.error("holds no table, only comment lines: download the report again as CSV", 1, 1)
    first_header = str(heads[0][2])
    counts = {d: first_header.count(d) for d in (",", ";", "\t")}
    delim = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    split = _split(delim)
    traffic: list[tuple[int, int, list[str]]] = []    # (block, header line, header cells)
    notes: list[str] = []
    for block, start, header, _ in heads:
        split_row = con.execute(f"SELECT {split} FROM (SELECT ? AS l)", [header]).fetchone()
        cells = [str(c) for c in (split_row[0] if split_row else [])]
        names = [normalise_column(c) for c in cells]
        if any(n in DIMENSIONS for n in names) and any(n in c for c in FIGURE_COLUMNS.values() for n in names):
            traffic.append((int(block), int(start), names))
        else:
            shown = ", ".join(c for c in cells[:4] if c) + (", ..." if len(cells) > 4 else "")
            notes.append(f"skipped the table at line {start} ({shown}): not a table of traffic sources "
                         "(channel group, source / medium or campaign), so not imported")
    property_name = (ctx.account or "").strip() or pre.get("property", "").strip()
    if traffic and not property_name:
        raise sf.error("the GA4 export does not name its property (no '# Property:' line); pass --account NAME "
                       "(the property's name)", 1, 1)
    start_date, end_date = _ga_date(pre.get("start date", "")), _ga_date(pre.get("end date", ""))
    con.execute("""CREATE OR REPLACE TEMP TABLE _ga_rows (line BIGINT, raw VARCHAR, n_fields INTEGER,
                   n_header INTEGER, dimension VARCHAR, value VARCHAR, day VARCHAR, sessions VARCHAR,
                   engaged_sessions VARCHAR, users VARCHAR, new_users VARCHAR, conversions VARCHAR,
                   revenue VARCHAR)""")
    for block, start, names in traffic:
        dims = [i for i, n in enumerate(names) if n in DIMENSIONS]
        date_at = next((i for i, n in enumerate(names) if n in DATE_COLUMNS), None)
        if date_at is None and (start_date is None or end_date is None):
            raise sf.error("the GA4 export does not say which dates it covers (no '# Start date: YYYYMMDD' and "
                           "'# End date:' lines, and no Date column in its table): download the report again "
                           "with its header lines", start, 1)
        dimension = " + ".join(DIMENSIONS[names[i]] for i in dims)
        value = " || ' + ' || ".join(f"f[{i + 1}]" for i in dims)
        figures = ", ".join(
            f"f[{names.index(found) + 1}]" if (found := next((c for c in cands if c in names), None)) else "NULL"
            for cands in FIGURE_COLUMNS.values())
        day = f"f[{date_at + 1}]" if date_at is not None else "NULL"
        con.execute(f"""INSERT INTO _ga_rows
            SELECT n, l, len(f), {len(names)}, {sql_str(dimension)}, {value}, {day}, {figures}
            FROM (SELECT n, l, {split} AS f FROM _ga_lines WHERE kind = 'row' AND block = ? AND n > ?)""",
                    [block, start])
    totals = con.execute(f"""SELECT count(*) FROM _ga_rows WHERE lower(trim(value)) IN
                             ({", ".join(sql_str(t) for t in TOTAL_ROWS)})""").fetchone()
    if totals and totals[0]:
        notes.append(f"{totals[0]} total row(s) not stored (the rows add up to them)")
    cut = not sf.ends_with_newline and not sf.ends_with_quote
    last = con.execute("SELECT max(n) FROM _ga_lines WHERE kind <> 'blank'").fetchone()
    last_line = int(last[0]) if cut and last and last[0] is not None else -1
    date_sql = ("coalesce(try_strptime(trim(day), '%Y%m%d'), try_strptime(trim(day), '%Y-%m-%d'))::DATE")
    # Each figure parsed once (sf_badnum would parse it again: planning the macros is most of what a
    # mapping of a few dozen rows costs).
    number_checks = [(f"_n_{c} IS NULL AND NOT sf_blank({c})", f"{c.replace('_', ' ')} is not a number")
                     for c in FIGURE_COLUMNS]
    reject = reasons(
        (f"line = {last_line}", TRUNCATED),
        ("n_fields <> n_header", "the row's field count differs from its table's header (a row cut short, "
                                 "or text after the table)"),
        (f"day IS NOT NULL AND {date_sql} IS NULL", "Date is not a date like 20240131"),
        ("trim(coalesce(value, '')) = ''", "the row names no channel, source or campaign"),
        *number_checks,
    )
    dates = (f"coalesce({date_sql}, {sql_str(start_date)}::DATE) AS date_from, "
             f"coalesce({date_sql}, {sql_str(end_date)}::DATE) AS date_to")
    parsed = ", ".join(f"sf_num({c}) AS _n_{c}" for c in FIGURE_COLUMNS)
    nums = ", ".join(f"_n_{c} AS {c}" for c in FIGURE_COLUMNS)
    stage_split(con, "site_traffic", f"""
        WITH g AS MATERIALIZED (
            SELECT *, {parsed} FROM _ga_rows
            WHERE lower(trim(coalesce(value, ''))) NOT IN ({", ".join(sql_str(t) for t in TOTAL_ROWS)})
                  OR n_fields <> n_header)
        SELECT {dates}, {sql_str(property_name or None)} AS property, dimension, trim(value) AS value, {nums},
               line, {reject} AS _reject, raw AS _raw
        FROM g""")
    if not traffic:
        notes.insert(0, "no table of traffic sources in the file: 0 rows imported")
    return Loaded(primary="site_traffic", notes=tuple(notes))


SOURCE = Source(
    name="ga4-export",
    description="Google Analytics 4 report download (CSV with '#' header lines, several tables): the table by "
                "session default channel group, source / medium or campaign -> site_traffic (sessions, engaged "
                "sessions, users, new users, conversions or key events, total revenue); other tables skipped",
    detection="first line is a '#' comment (GA4's header lines), or a table header with a GA4 traffic "
              "dimension and Sessions",
    columns=("# Property:", "# Start date:", "# End date:", "Session default channel group",
             "Session source / medium", "Session campaign", "First user default channel group", "Date",
             "Sessions", "Engaged sessions", "Users", "New users", "Conversions", "Key events", "Total revenue"),
    required=("#",),
    alternatives=(("session default channel group", "sessions"), ("session source / medium", "sessions"),
                  ("session campaign", "sessions"), ("first user default channel group", "new users")),
    header_map=header_map,
    load=load,
)
