"""`linkedin-content`: LinkedIn analytics workbooks (`.xlsx`, `.xls`), the member "Content" export and the Page
exports, on platform `linkedin`; no sheet names the account, so `--account` is required.

Member export, sheet by sheet:
- `ENGAGEMENT` (`Date, Impressions, Engagements`, dates `M/D/YYYY`): the account's daily totals.
- `TOP POSTS`: a note row, a blank row, then two tables side by side (`Post URL, Post publish date,
  Engagements` and `Post URL, Post publish date, Impressions`): one owned message per post (id from the URL's
  `urn:li:activity:<id>`), with the figures either table gives, published on the day given.
- `FOLLOWERS` (`Total followers on M/D/YYYY:` and the total beside it, then `Date, New followers`): the
  followers snapshot on that day and the daily gains, in `audience` (metric `followers`).
- `DISCOVERY` (the period's impressions and members reached) repeats the sum of ENGAGEMENT's days and
  `DEMOGRAPHICS` is demographics: neither is imported.
Page exports: `Update metrics (aggregated)` (daily `(organic)`, `(sponsored)`, `(total)` columns: the totals,
else organic + sponsored) as daily totals (reach = `Unique impressions (total)`, else `Unique impressions
(organic)` on a day without sponsored impressions: organic and sponsored uniques overlap, so they are never
added); `Update engagement` (one row per update) as owned messages
(`Posted by`, a staff name, is not read); `New followers` (`Date, Sponsored followers, Organic followers,
Auto-invited followers, Total followers`) as daily gains. Engagements of a Page row are LinkedIn's own sum:
clicks + reactions + comments + reposts (+ follows for an update).

Header rows are found by name below any note rows; a row that cannot be read is a reject whose reason starts
with its cell (`ENGAGEMENT!A12: ...`) and whose line is its sheet row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from strategyfirst.sources.base import LoadContext, Loaded, Source, account_or_refuse, sql_str, stage_split
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile
from strategyfirst.sources.workbook import (
    cell_sql,
    excel_serial_sql,
    find_header,
    find_sheet,
    letter,
    nonempty_sql,
    raw_sql,
    read_sheet,
)

if TYPE_CHECKING:
    import duckdb

PLATFORM = "linkedin"
DAYS = "['%m/%d/%Y', '%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y %I:%M %p', '%m/%d/%y']"
POST_ID = r"(?i)(?:urn:li:(?:activity|share|ugcPost):|activity-)([0-9]+)"
METRICS_SHEET, UPDATES_SHEET, NEW_FOLLOWERS_SHEET = "Update metrics (aggregated)", "Update engagement", "New followers"
# Page daily totals: account_daily column <- the export's figure (its "(total)" column, else organic + sponsored)
PAGE_DAILY = {"impressions": "impressions", "clicks": "clicks", "likes": "reactions", "comments": "comments",
              "shares": "reposts"}
# Page updates: messages column <- export column
PAGE_POST = {"impressions": "impressions", "clicks": "clicks", "likes": "likes", "comments": "comments",
             "shares": "reposts", "follows": "follows"}
MESSAGE_COLS = ("platform", "account", "owned", "created_at", "time_precision", "kind", "text", "in_reply_to", "url",
                "campaign",
                "impressions", "engagements", "likes", "comments", "shares", "clicks", "follows")

Check = tuple[str, int | None, str]  # (SQL condition, 1-based column of the cell, why)


@dataclass
class Sheet:
    """One sheet read into a temp table: its header row and where each (normalised) column name first stands."""

    name: str
    table: str
    width: int
    header_row: int
    header: list[str]

    def pos(self, column: str, start: int = 1) -> int | None:
        """1-based position of `column` at or after `start` (first occurrence)."""
        return next((i + 1 for i, h in enumerate(self.header) if h == column and i + 1 >= start), None)

    def col(self, column: str, start: int = 1) -> str:
        at = self.pos(column, start)
        return f"c{at}" if at else "NULL::VARCHAR"

    def rows(self) -> str:
        """SQL: the data rows (below the header, not empty)."""
        return f"(SELECT * FROM {self.table} WHERE _row > {self.header_row} AND {nonempty_sql(self.width)})"


def _day(expr: str) -> str:
    return f"coalesce(CAST(try_strptime(trim({expr}), {DAYS}) AS DATE), {excel_serial_sql(expr)})"


def _located(sheet: Sheet, checks: list[Check]) -> str:
    """SQL for a reject reason that starts with the failing cell (`SHEET!C12: why`), or null."""
    whens = " ".join(f"WHEN {cond} THEN {cell_sql(sheet.name, at or 1)} || {sql_str(': ' + why)}"
                     for cond, at, why in checks)
    return f"CASE {whens} END" if checks else "NULL::VARCHAR"


def _open_sheet(con: duckdb.DuckDBPyConnection, sf: SourceFile, wanted: str, must: tuple[str, ...],
                n: int) -> Sheet | None:
    name = find_sheet(sf.sheets, wanted)
    if name is None:
        return None
    table = f"_li_sheet{n}"
    width = read_sheet(con, sf, name, table)
    found = find_header(con, table, width, must)
    if found is None:
        wanted_cols = ", ".join(m.capitalize() for m in must)
        raise sf.error(f"{name}!A1: the sheet has no header row with {wanted_cols}; it is not the LinkedIn "
                       "export's sheet, or it was edited (this file was not imported)", 1, 1)
    return Sheet(name, table, width, found[0], found[1])


def _figures(nums: Numbers, sheet: Sheet, wanted: dict[str, str]) -> tuple[dict[str, str], list[Check]]:
    """SQL values of figure columns present in the sheet (by dst name) and their reject checks."""
    values: dict[str, str] = {}
    checks: list[Check] = []
    for dst, column in wanted.items():
        at = sheet.pos(column)
        if at:
            values[dst] = nums.num(f"c{at}")
            checks.append((nums.bad(f"c{at}"), at, f"{column.capitalize()} is not a number"))
    return values, checks


def _sum(parts: list[str]) -> str:
    """SQL: the sum of the given values where any is given (null where none is)."""
    if not parts:
        return "NULL::DOUBLE"
    return (f"CASE WHEN {' OR '.join(f'{p} IS NOT NULL' for p in parts)} THEN "
            + " + ".join(f"coalesce({p}, 0)" for p in parts) + " END")


def _engagement(con: duckdb.DuckDBPyConnection, sf: SourceFile, account: str) -> list[str]:
    sheet = _open_sheet(con, sf, "ENGAGEMENT", ("date", "impressions", "engagements"), 1)
    if sheet is None:
        return []
    at = sheet.pos("date")
    nums = Numbers(con, sheet.rows(), [sheet.col("impressions"), sheet.col("engagements")])
    values, checks = _figures(nums, sheet, {"impressions": "impressions", "engagements": "engagements"})
    date = _day(f"c{at}")
    reject = _located(sheet, [(f"{date} IS NULL", at, "Date is not a date like 1/31/2024"), *checks])
    return [f"""SELECT {date} AS date, '{PLATFORM}' AS platform, {sql_str(account)} AS account,
                       {values['impressions']} AS impressions, {values['engagements']} AS engagements,
                       _row AS line, {reject} AS _reject, {raw_sql(sheet.width)} AS _raw FROM {sheet.rows()}"""]


def _page_daily(con: duckdb.DuckDBPyConnection, sf: SourceFile, account: str) -> list[str]:
    sheet = _open_sheet(con, sf, METRICS_SHEET, ("date",), 2)
    if sheet is None:
        return []
    at = sheet.pos("date")
    cols = [f"c{i + 1}" for i, h in enumerate(sheet.header) if h.endswith(("(total)", "(organic)", "(sponsored)"))]
    nums = Numbers(con, sheet.rows(), cols)
    checks: list[Check] = [(f"{_day(f'c{at}')} IS NULL", at, "Date is not a date like 1/31/2024")]
    values = {}
    for dst, name in PAGE_DAILY.items():
        total = sheet.pos(f"{name} (total)")
        parts = [p for p in (total,) if p] or [p for k in ("organic", "sponsored") if (p := sheet.pos(f"{name} ({k})"))]
        values[dst] = _sum([nums.num(f"c{p}") for p in parts])
        checks += [(nums.bad(f"c{p}"), p, f"{sheet.header[p - 1].capitalize()} is not a number") for p in parts]
    if not any(v != "NULL::DOUBLE" for v in values.values()):
        raise sf.error(f"{sheet.name}!A{sheet.header_row}: the sheet has none of the columns Impressions, Clicks, "
                       "Reactions, Comments, Reposts (organic, sponsored or total)", sheet.header_row, 1)
    engagements = _sum([values[d] for d in ("clicks", "likes", "comments", "shares") if values[d] != "NULL::DOUBLE"])
    reach_at = sheet.pos("unique impressions (total)") or sheet.pos("unique impressions (organic)")
    if reach_at:  # unique impressions are the day's reach; organic ones only on a day without sponsored impressions
        checks.append((nums.bad(f"c{reach_at}"), reach_at,
                       f"{sheet.header[reach_at - 1].capitalize()} is not a number"))
        reach = nums.num(f"c{reach_at}")
        sponsored = sheet.pos("impressions (sponsored)")
        if sheet.header[reach_at - 1].endswith("(organic)") and sponsored:
            reach = f"CASE WHEN coalesce({nums.num(f'c{sponsored}')}, 0) = 0 THEN {reach} END"
        values["reach"] = reach
    figures = ", ".join(f"{v} AS {d}" for d, v in values.items())
    return [f"""SELECT {_day(f'c{at}')} AS date, '{PLATFORM}' AS platform, {sql_str(account)} AS account, {figures},
                       {engagements} AS engagements, _row AS line, {_located(sheet, checks)} AS _reject,
                       {raw_sql(sheet.width)} AS _raw FROM {sheet.rows()}"""]


def _post_id(url: str) -> str:
    return f"nullif(regexp_extract({url}, '{POST_ID}', 1), '')"


def _top_posts(con: duckdb.DuckDBPyConnection, sf: SourceFile, account: str) -> list[str]:
    """The two side-by-side tables of TOP POSTS, each row a message with the one figure its table gives."""
    sheet = _open_sheet(con, sf, "TOP POSTS", ("post url", "post publish date"), 3)
    if sheet is None:
        return []
    starts = [i + 1 for i, h in enumerate(sheet.header) if h == "post url"]
    out = []
    for start in starts:
        end = next((s for s in starts if s > start), sheet.width + 1)
        blank = next((i + 1 for i in range(start, end - 1) if not sheet.header[i]), end)
        span = sheet.header[start - 1:blank - 1]
        figure = next((f for f in ("engagements", "impressions") if f in span), None)
        published = sheet.pos("post publish date", start)
        if figure is None or published is None or published >= blank:
            raise sf.error(f"{sheet.name}!{letter(start)}{sheet.header_row}: the table starting here has no Post "
                           "publish date and Engagements or Impressions columns", sheet.header_row, start)
        fig_at = start + span.index(figure)
        url, date, value = f"c{start}", f"c{published}", f"c{fig_at}"
        rows = f"(SELECT * FROM {sheet.rows()} WHERE {url} IS NOT NULL OR {date} IS NOT NULL OR {value} IS NOT NULL)"
        nums = Numbers(con, rows, [value])
        reject = _located(sheet, [
            (f"{_post_id(url)} IS NULL", start, "Post URL names no post (a link with urn:li:activity:<id>)"),
            (f"{_day(date)} IS NULL", published, "Post publish date is not a date like 1/31/2024"),
            (nums.bad(value), fig_at, f"{figure.capitalize()} is not a number")])
        cells = ", ".join(f"coalesce(c{i}, '')" for i in range(start, blank))
        out.append(f"""SELECT '{PLATFORM}:' || {_post_id(url)} AS message_id, '{PLATFORM}' AS platform,
                              {sql_str(account)} AS account, TRUE AS owned,
                              CAST({_day(date)} AS TIMESTAMP) AS created_at, 'day' AS time_precision,
                              'post' AS kind, NULL::VARCHAR AS text, NULL::VARCHAR AS in_reply_to, trim({url}) AS url,
                              NULL::VARCHAR AS campaign, {nums.num(value)} AS {figure}, _row AS line,
                              {reject} AS _reject, concat_ws(',', {cells}) AS _raw FROM {rows}""")
    return out


def _page_posts(con: duckdb.DuckDBPyConnection, sf: SourceFile, account: str) -> list[str]:
    sheet = _open_sheet(con, sf, UPDATES_SHEET, ("update link", "created date"), 4)
    if sheet is None:
        return []
    link, created = sheet.pos("update link") or 1, sheet.pos("created date") or 1
    url, date = f"c{link}", f"c{created}"
    nums = Numbers(con, sheet.rows(), [sheet.col(c) for c in PAGE_POST.values()])
    values, checks = _figures(nums, sheet, PAGE_POST)
    engagements = _sum([values[d] for d in ("clicks", "likes", "comments", "shares", "follows") if d in values])
    figures = ", ".join(f"{v} AS {d}" for d, v in values.items()) or "NULL::DOUBLE AS impressions"
    reject = _located(sheet, [
        (f"{_post_id(url)} IS NULL", link, "Update link names no post (a link with urn:li:activity:<id>)"),
        (f"{_day(date)} IS NULL", created, "Created date is not a date like 1/31/2024"), *checks])
    return [f"""SELECT '{PLATFORM}:' || {_post_id(url)} AS message_id, '{PLATFORM}' AS platform,
                       {sql_str(account)} AS account, TRUE AS owned, CAST({_day(date)} AS TIMESTAMP) AS created_at,
                       'day' AS time_precision, 'post' AS kind, nullif(trim({sheet.col('update title')}), '') AS text,
                       NULL::VARCHAR AS in_reply_to,
                       trim({url}) AS url, nullif(trim({sheet.col('campaign name')}), '') AS campaign, {figures},
                       {engagements} AS engagements, _row AS line, {reject} AS _reject,
                       {raw_sql(sheet.width)} AS _raw FROM {sheet.rows()}"""]


def _followers(con: duckdb.DuckDBPyConnection, sf: SourceFile, account: str) -> list[str]:
    """FOLLOWERS: the `Total followers on M/D/YYYY:` snapshot row and the `Date, New followers` rows."""
    sheet = _open_sheet(con, sf, "FOLLOWERS", ("date", "new followers"), 5)
    if sheet is None:
        return []
    acc = sql_str(account)
    at, gained_at = sheet.pos("date") or 1, sheet.pos("new followers") or 2
    nums = Numbers(con, sheet.rows(), [f"c{gained_at}"])
    date = _day(f"c{at}")
    reject = _located(sheet, [(f"{date} IS NULL", at, "Date is not a date like 1/31/2024"),
                              (nums.bad(f"c{gained_at}"), gained_at, "New followers is not a number")])
    out = [f"""SELECT {date} AS date, '{PLATFORM}' AS platform, {acc} AS account, 'followers' AS metric,
                      NULL::DOUBLE AS value, {nums.num(f'c{gained_at}')} AS gained, _row AS line, {reject} AS _reject,
                      {raw_sql(sheet.width)} AS _raw FROM {sheet.rows()}"""]
    # The snapshot row above the header: "Total followers on 1/31/2024:" and the count in the next cell.
    snap_day = _day("regexp_extract(c1, '([0-9]{1,2}/[0-9]{1,2}/[0-9]{4})', 1)")
    total = "c2" if sheet.width >= 2 else "NULL::VARCHAR"
    snap_reject = _located(sheet, [(f"{snap_day} IS NULL", 1, "the total names no date like 1/31/2024"),
                                   (f"sf_num({total}) IS NULL", 2, "the total followers is not a number")])
    out.append(f"""SELECT {snap_day} AS date, '{PLATFORM}' AS platform, {acc} AS account, 'followers' AS metric,
                          sf_num({total}) AS value, NULL::DOUBLE AS gained, _row AS line, {snap_reject} AS _reject,
                          {raw_sql(sheet.width)} AS _raw
                   FROM {sheet.table} WHERE _row < {sheet.header_row} AND lower(trim(c1)) LIKE 'total followers%'""")
    return out


def _new_followers(con: duckdb.DuckDBPyConnection, sf: SourceFile, account: str) -> list[str]:
    sheet = _open_sheet(con, sf, NEW_FOLLOWERS_SHEET, ("date",), 6)
    if sheet is None:
        return []
    at = sheet.pos("date") or 1
    kinds = [p for k in ("sponsored", "organic", "auto-invited") if (p := sheet.pos(f"{k} followers"))]
    total = sheet.pos("total followers")
    if total is None and not kinds:
        raise sf.error(f"{sheet.name}!A{sheet.header_row}: the sheet has no Total followers (nor Organic followers) "
                       "column", sheet.header_row, 1)
    parts = [total] if total else kinds
    nums = Numbers(con, sheet.rows(), [f"c{p}" for p in parts])
    gained = _sum([nums.num(f"c{p}") for p in parts])
    reject = _located(sheet, [(f"{_day(f'c{at}')} IS NULL", at, "Date is not a date like 1/31/2024"),
                              *[(nums.bad(f"c{p}"), p, f"{sheet.header[p - 1].capitalize()} is not a number")
                                for p in parts]])
    return [f"""SELECT {_day(f'c{at}')} AS date, '{PLATFORM}' AS platform, {sql_str(account)} AS account,
                       'followers' AS metric, NULL::DOUBLE AS value, {gained} AS gained, _row AS line,
                       {reject} AS _reject, {raw_sql(sheet.width)} AS _raw FROM {sheet.rows()}"""]


def _stage(con: duckdb.DuckDBPyConnection, target: str, selects: list[str], keys: tuple[str, ...],
           cols: tuple[str, ...]) -> int:
    """Stage the rows of several sheets (or tables) into one target: the readable rows of one key become one
    row (each value from the last row that gives it: a post in both TOP POSTS tables has both figures), the
    others are rejects. Returns the staged rows."""
    if not selects:
        return 0
    con.execute(f"CREATE OR REPLACE TEMP TABLE _li_{target} AS {' UNION ALL BY NAME '.join(selects)}")
    have = {d[0] for d in con.execute(f"SELECT * FROM _li_{target} LIMIT 0").description or []}
    values = ", ".join(f"arg_max({c}, line) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in cols if c in have)
    stage_split(con, target, f"""
        SELECT {', '.join(keys)}, {values}, min(line) AS line, NULL::VARCHAR AS _reject, NULL::VARCHAR AS _raw
        FROM _li_{target} WHERE _reject IS NULL GROUP BY {', '.join(keys)}
        UNION ALL BY NAME SELECT * FROM _li_{target} WHERE _reject IS NOT NULL""")
    row = con.execute(f"SELECT count(*) FROM stage_{target}").fetchone()
    return int(row[0]) if row else 0


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = account_or_refuse(sf, ctx, None, "a LinkedIn analytics workbook")
    daily = _engagement(con, sf, account) + _page_daily(con, sf, account)
    posts = _top_posts(con, sf, account) + _page_posts(con, sf, account)
    followers = _followers(con, sf, account) + _new_followers(con, sf, account)
    if not (daily or posts or followers):
        raise sf.error("has none of the sheets a LinkedIn export's data is in (ENGAGEMENT, TOP POSTS, FOLLOWERS; "
                       f"{METRICS_SHEET}, {UPDATES_SHEET}, {NEW_FOLLOWERS_SHEET})", 1, 1)
    n_posts = _stage(con, "messages", posts, ("message_id",), MESSAGE_COLS)
    n_daily = _stage(con, "account_daily", daily, ("date", "platform", "account"),
                     ("impressions", "engagements", "likes", "comments", "shares", "clicks", "reach"))
    _stage(con, "audience", followers, ("date", "platform", "account", "metric"), ("value", "gained"))
    # The file's counts are those of its posts, else of its days, else of its follower rows.
    return Loaded(primary="messages" if posts and n_posts else "account_daily" if daily and n_daily else
                  "messages" if posts else "account_daily" if daily else "audience")


SOURCE = Source(
    name="linkedin-content",
    description="LinkedIn analytics workbook (.xlsx/.xls): member Content export (ENGAGEMENT daily totals, TOP "
                "POSTS as posts, FOLLOWERS snapshot and gains) or Page exports (Update metrics (aggregated), "
                "Update engagement, New followers); needs --account",
    detection="a workbook with the sheets DISCOVERY and ENGAGEMENT, or TOP POSTS, or Update metrics (aggregated), "
              "Update engagement or New followers",
    columns=("DISCOVERY", "ENGAGEMENT: Date, Impressions, Engagements",
             "TOP POSTS: Post URL, Post publish date, Engagements | Post URL, Post publish date, Impressions",
             "FOLLOWERS: Total followers on M/D/YYYY:, Date, New followers", "DEMOGRAPHICS (not imported)",
             f"{METRICS_SHEET}: Date, Impressions/Clicks/Reactions/Comments/Reposts (organic, sponsored, total)",
             f"{UPDATES_SHEET}: Update title, Update link, Created date, Impressions, Clicks, Likes, Comments, "
             "Reposts, Follows",
             f"{NEW_FOLLOWERS_SHEET}: Date, Sponsored followers, Organic followers, Auto-invited followers, "
             "Total followers"),
    required=("sheet:discovery", "sheet:engagement"),
    alternatives=(("sheet:top posts",), ("sheet:update metrics (aggregated)",), ("sheet:update engagement",),
                  ("sheet:new followers",)),
    kind="xlsx",
    load=load,
)
