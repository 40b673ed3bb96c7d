"""`tiktok-analytics`: TikTok Studio exports on platform `tiktok`, three layouts told apart by their header.

- `Overview.csv` (`Date, Video Views, Profile Views, Likes, Comments, Shares`; business accounts: `Date, Video
  views, Reached audience, Profile views, Likes, Shares, Comments, Phone number clicks, Leads submission, Net
  growth, New followers, Lost followers`): the account's daily totals (video views, likes, comments, shares;
  follows and unfollows from New and Lost followers, which are also the day's `audience` gains and losses;
  Profile views -> profile_visits, Reached audience -> reach). Phone clicks and leads have no column in the
  warehouse and are not kept.
- `Content.csv` (`Time, Video title, Video link, Post time, Total likes, Total comments, Total shares, Total
  views`; business: `Video title, Video link, Post time, Video views, Likes, Comments, Shares, Add to
  Favorites`): each video an owned message of kind `video`, id from its link (`tiktok.com/@<handle>/video/<id>`),
  account the link's handle (or `--account`); views -> video_views, `Add to Favorites` -> saves, engagements =
  likes + comments + shares (+ saves).
- `FollowerHistory.csv` (`Date, Followers, Difference in followers from previous day`): the followers snapshot
  per day (`Followers`); the difference is a net change only, so it is not stored as gains or losses (growth
  comes from the snapshots).
Overview and FollowerHistory name no account: `--account` is required.

Dates: `2025/10/31`, `2025-10-31`, `10/31/2025`, or a day and a month name in English, Spanish, Portuguese,
French, German or Italian (`February 28`, `8 de marzo`, `8 mars`, `8. März`), with or without a year. A date
without a year takes the year of the export day: the year in the file where it says one (the last row of a daily
file, a video's `Time`), else `--year Y` (refused without it, naming the option); a yearless date later in the
calendar than the export day falls in the year before. `undefined`, `--`, `NAN` are "not given"; negative daily
values (the platform's corrections) are kept as given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    account_or_refuse,
    add_csv_rejects,
    normalise_column,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, ident, read_rows

if TYPE_CHECKING:
    import duckdb

PLATFORM = "tiktok"
OVERVIEW = ("date", "video views", "profile views", "likes", "comments", "shares")
CONTENT = ("video title", "video link", "post time")
FOLLOWERS = ("date", "followers", "difference in followers from previous day")
# canonical column <- export columns (the first present wins)
DAILY_FIGURES: dict[str, tuple[str, ...]] = {
    "video_views": ("video views",), "likes": ("likes",), "comments": ("comments",), "shares": ("shares",),
    "follows": ("new followers",), "unfollows": ("lost followers",), "reach": ("reached audience",),
    "profile_visits": ("profile views",)}
VIDEO_FIGURES: dict[str, tuple[str, ...]] = {
    "video_views": ("total views", "video views"), "likes": ("total likes", "likes"),
    "comments": ("total comments", "comments"), "shares": ("total shares", "shares"), "saves": ("add to favorites",)}
NOT_KEPT = ("phone number clicks", "leads submission", "net growth")
COLUMNS = tuple(dict.fromkeys((*OVERVIEW, *CONTENT, *FOLLOWERS, "time",
                               *(c for m in (DAILY_FIGURES, VIDEO_FIGURES) for cs in m.values() for c in cs),
                               *NOT_KEPT)))
NULLS = ("undefined", "--", "nan", "null", "n/a")
FULL = ("['%Y/%m/%d', '%Y-%m-%d', '%m/%d/%Y', '%Y/%m/%d %H:%M', '%Y/%m/%d %H:%M:%S', '%Y-%m-%d %H:%M', "
        "'%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S']")
# Month names (and their short forms) in the languages TikTok Studio exports in: en, es, pt, fr, de, it.
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "enero", "ene", "janeiro", "janvier", "janv", "januar", "jänner", "gennaio", "gen"),
    2: ("february", "feb", "febrero", "fevereiro", "fev", "février", "févr", "fév", "februar", "febbraio"),
    3: ("march", "mar", "marzo", "março", "mars", "märz", "mär"),
    4: ("april", "apr", "abril", "abr", "avril", "avr", "aprile"),
    5: ("may", "mayo", "maio", "mai", "maggio", "mag"),
    6: ("june", "jun", "junio", "junho", "juin", "juni", "giugno", "giu"),
    7: ("july", "jul", "julio", "julho", "juillet", "juil", "juli", "luglio", "lug"),
    8: ("august", "aug", "agosto", "ago", "août", "aout"),
    9: ("september", "sep", "sept", "septiembre", "setiembre", "setembro", "set", "septembre", "settembre"),
    10: ("october", "oct", "octubre", "outubro", "out", "octobre", "oktober", "okt", "ottobre", "ott"),
    11: ("november", "nov", "noviembre", "novembro", "novembre"),
    12: ("december", "dec", "diciembre", "dic", "dezembro", "dez", "décembre", "déc", "dezember", "dicembre"),
}
_NAMES = [n for names in MONTHS.values() for n in names]
_NUMBERS = [m for m, names in MONTHS.items() for _ in names]
MONTH_RE = "(?:^|[^\\p{L}])(" + "|".join(sorted(_NAMES, key=len, reverse=True)) + ")(?:[^\\p{L}]|$)"
DAY_RE = "(?:^|[^0-9])([0-9]{1,2})(?:[^0-9]|$)"
YEAR_RE = "(?:^|[^0-9])([0-9]{4})(?:[^0-9]|$)"


def _layout(header: list[str]) -> str:
    keys = {normalise_column(h) for h in header}
    if FOLLOWERS[2] in keys:
        return "followers"
    return "content" if "video link" in keys else "overview"


def date_parts(expr: str, prefix: str) -> str:
    """SQL select items: a date cell's timestamp when it is a full date (`{prefix}_full`), else its month, day
    and (maybe) year read from a month name (`{prefix}_m`, `{prefix}_d`, `{prefix}_y`)."""
    low = f"lower(trim({expr}))"
    full = f"try_strptime(trim({expr}), {FULL})"
    names = "[" + ", ".join(sql_str(n) for n in _NAMES) + "]"
    numbers = "[" + ", ".join(str(n) for n in _NUMBERS) + "]"
    named = f"nullif(regexp_extract({low}, {sql_str(MONTH_RE)}, 1), '')"
    number = f"{numbers}[list_position({names}, {named})]"
    day = f"TRY_CAST(nullif(regexp_extract({low}, {sql_str(DAY_RE)}, 1), '') AS INTEGER)"
    year = f"TRY_CAST(nullif(regexp_extract({low}, {sql_str(YEAR_RE)}, 1), '') AS INTEGER)"
    return (f"{full} AS {prefix}_full, coalesce(month({full}), {number}) AS {prefix}_m, "
            f"coalesce(day({full}), CASE WHEN {number} IS NOT NULL THEN {day} END) AS {prefix}_d, "
            f"coalesce(year({full}), CASE WHEN {number} IS NOT NULL THEN {year} END) AS {prefix}_y, "
            f"regexp_matches(coalesce({expr}, ''), '[0-9]{{1,2}}:[0-9]{{2}}') AS {prefix}_timed")


def resolved_date(prefix: str, export: str, base_year: str) -> str:
    """SQL: the date of `{prefix}_*` as a TIMESTAMP: its own year, else `base_year`, or the year before when the
    day comes later in the calendar than the export day `{export}_m/_d`."""
    later = (f"CASE WHEN {export}_m IS NOT NULL AND {prefix}_m * 100 + {prefix}_d > {export}_m * 100 + {export}_d "
             "THEN 1 ELSE 0 END")
    year = f"coalesce({prefix}_y, {base_year} - {later})"
    return (f"coalesce({prefix}_full, try_strptime(printf('%04d-%02d-%02d', {year}, {prefix}_m, {prefix}_d), "
            "'%Y-%m-%d'))")


def _present(c: dict[str, str], figures: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, str]]:
    """For each figure the file has: (its export column, the SQL of its cell)."""
    out = {}
    for dst, cols in figures.items():
        col = next((x for x in cols if not c[x].startswith("NULL")), None)
        if col is not None:
            out[dst] = (col, c[col])
    return out


def _clean(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """Temp `_tt_rows`: `src_rows` with the cells that mean "not given" (`undefined`, `--`, `NAN`) as null."""
    # list_contains, not IN: DuckDB plans each IN list of constants as a join of its own (ms a column)
    nulls = ", ".join(sql_str(n) for n in NULLS)
    cells = ", ".join(f"CASE WHEN list_contains([{nulls}], lower(trim({ident(n)}))) THEN NULL ELSE {ident(n)} END "
                      f"AS {ident(n)}"
                      for n in names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tt_rows AS SELECT {cells}, _line FROM src_rows")


def _need_year(sf: SourceFile, ctx: LoadContext, con: duckdb.DuckDBPyConnection, where: str, what: str) -> int:
    """The year of the export day from --year, or the one-line refusal naming --year at the first row whose date
    has none. `where`: SQL selecting the rows that need it."""
    row = con.execute(f"SELECT min(_line) FROM _tt_p WHERE {where}").fetchone()
    if row is None or row[0] is None:
        return 0
    if ctx.year is None:
        raise sf.error(f"dates without a year (like 'February 28'); pass --year YYYY, the year of the export day "
                       f"({what}); a date later in the calendar than that day is taken in the year before",
                       int(row[0]), 1)
    return int(ctx.year)


def _daily(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext, c: dict[str, str],
           layout: str) -> Loaded:
    """Overview.csv and FollowerHistory.csv: one row per day."""
    export = "Overview.csv" if layout == "overview" else "FollowerHistory.csv"
    account = sql_str(account_or_refuse(sf, ctx, None, f"this TikTok Studio {export}"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tt_p AS SELECT *, {date_parts(c['date'], 'p')} FROM _tt_rows")
    # The export day is the last row's date: its year (if it says one) is the file's, else --year.
    last = con.execute("SELECT p_m, p_d, p_y FROM _tt_p WHERE p_m IS NOT NULL AND p_d IS NOT NULL "
                       "ORDER BY _line DESC LIMIT 1").fetchone()
    em, ed, ey = last if last else (None, None, None)
    year = ey if ey is not None else _need_year(sf, ctx, con, "p_full IS NULL AND p_y IS NULL AND p_m IS NOT NULL",
                                                "the last row's Date")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tt_p AS SELECT *, {em or 'NULL'}::INTEGER AS e_m, "
                f"{ed or 'NULL'}::INTEGER AS e_d FROM _tt_p")
    date = f"CAST({resolved_date('p', 'e', str(int(year or 0)))} AS DATE)"
    bad_date = (f"{date} IS NULL", "Date is not a date like '2025/10/31' or 'February 28'")
    if layout == "followers":
        nums = Numbers(con, "_tt_p", [c["followers"]])
        reject = reasons(bad_date, (nums.bad(c["followers"]), "Followers is not a number"))
        stage_split(con, "audience", f"""
            SELECT {date} AS date, '{PLATFORM}' AS platform, {account} AS account, 'followers' AS metric,
                   {nums.num(c['followers'])} AS value, NULL::DOUBLE AS gained, NULL::DOUBLE AS lost, _line AS line,
                   {reject} AS _reject, NULL::VARCHAR AS _raw FROM _tt_p""")
        return Loaded(primary="audience")
    present = _present(c, DAILY_FIGURES)
    nums = Numbers(con, "_tt_p", [expr for _, expr in present.values()])
    reject = reasons(bad_date, *[(nums.bad(expr), f"{col.capitalize()} is not a number")
                                 for col, expr in present.values()])
    figures = ", ".join(f"{nums.num(expr)} AS {dst}" for dst, (_, expr) in present.items())
    stage_split(con, "account_daily", f"""
        SELECT {date} AS date, '{PLATFORM}' AS platform, {account} AS account, {figures}, _line AS line,
               {reject} AS _reject, NULL::VARCHAR AS _raw FROM _tt_p""")
    if "follows" in present or "unfollows" in present:  # business accounts: the day's gains and losses
        gained, lost = (nums.num(present[k][1]) if k in present else "NULL::DOUBLE" for k in ("follows", "unfollows"))
        # A bad row is already a reject of the daily totals: here only the good ones.
        stage_split(con, "audience", f"""
            SELECT {date} AS date, '{PLATFORM}' AS platform, {account} AS account, 'followers' AS metric,
                   NULL::DOUBLE AS value, {gained} AS gained, {lost} AS lost, _line AS line, NULL AS _reject,
                   NULL::VARCHAR AS _raw FROM _tt_p WHERE ({reject}) IS NULL""")
    return Loaded(primary="account_daily")


def _content(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext, c: dict[str, str]) -> Loaded:
    """Content.csv: one owned video message per row."""
    link = f"trim({c['video link']})"
    video_id = f"nullif(regexp_extract({link}, '/video/([0-9]+)', 1), '')"
    handle = f"nullif(regexp_extract({link}, '@([^/?#]+)', 1), '')"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tt_p AS SELECT *, {date_parts(c['post time'], 'p')}, "
                f"{date_parts(c['time'], 'e')}, {handle} AS _handle FROM _tt_rows")
    found = con.execute("SELECT mode(_handle) FROM _tt_p").fetchone()
    file_handle = found[0] if found else None
    if not (ctx.account or file_handle):
        raise sf.error("TikTok Studio's Content.csv names its account only in its video links "
                       "(tiktok.com/@<handle>/video/<id>), and no row has one; pass --account NAME", 1, 1)
    account = f"coalesce({sql_str(ctx.account)}, _handle, {sql_str(file_handle)})"
    # The export day is each row's Time (its year, if it says one, else --year).
    year = _need_year(sf, ctx, con, "p_full IS NULL AND p_y IS NULL AND p_m IS NOT NULL AND e_y IS NULL",
                      "the Time column")
    created = resolved_date("p", "e", f"coalesce(e_y, {int(year)})")
    present = _present(c, VIDEO_FIGURES)
    nums = Numbers(con, "_tt_p", [expr for _, expr in present.values()])
    value = {dst: nums.num(expr) for dst, (_, expr) in present.items()}
    parts = [value[f] for f in ("likes", "comments", "shares", "saves") if f in value]
    if parts:
        value["engagements"] = (f"CASE WHEN {' OR '.join(f'{p} IS NOT NULL' for p in parts)} THEN "
                                + " + ".join(f"coalesce({p}, 0)" for p in parts) + " END")
    figures = ", ".join(f"{sql} AS {dst}" for dst, sql in value.items()) or "NULL::DOUBLE AS video_views"
    reject = reasons(
        (f"{video_id} IS NULL", "Video link names no video (a link like tiktok.com/@handle/video/<id>)"),
        (f"{created} IS NULL", "Post time is not a date like '2025/10/31' or 'February 28'"),
        *[(nums.bad(expr), f"{col.capitalize()} is not a number") for col, expr in present.values()])
    stage_split(con, "messages", f"""
        SELECT '{PLATFORM}:' || {video_id} AS message_id, '{PLATFORM}' AS platform, {account} AS account,
               TRUE AS owned, {created} AS created_at,
               CASE WHEN p_full IS NOT NULL AND p_timed THEN 'minute' ELSE 'day' END AS time_precision,
               'video' AS kind, nullif(trim({c['video title']}), '') AS text, NULL AS in_reply_to,
               {link} AS url, NULL AS campaign, {figures}, _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM _tt_p""")
    return Loaded(primary="messages")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    layout = _layout(sf.header)
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    _clean(con, names)
    if layout == "content":
        return _content(con, sf, ctx, c)
    return _daily(con, sf, ctx, c, layout)


SOURCE = Source(
    name="tiktok-analytics",
    description="TikTok Studio exports: Overview.csv (daily totals; business accounts also follower gains and "
                "losses), Content.csv (videos; id and account from the video links), FollowerHistory.csv "
                "(followers per day); dates without a year need --year, Overview and FollowerHistory --account",
    detection="header has Date, Video Views, Profile Views, Likes, Comments, Shares (Overview) or Video title, "
              "Video link, Post time (Content) or Date, Followers, Difference in followers from previous day",
    columns=("Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares", "Reached audience",
             "Phone number clicks", "Leads submission", "Net growth", "New followers", "Lost followers", "Time",
             "Video title", "Video link", "Post time", "Total likes", "Total comments", "Total shares", "Total views",
             "Video views", "Add to Favorites", "Followers", "Difference in followers from previous day"),
    required=OVERVIEW,
    alternatives=(CONTENT, FOLLOWERS),
    forbidden=("net audience growth",),  # Sprout Social's Profile Performance has the Overview's columns too
    load=load,
)
