"""`youtube-studio`: the YouTube Studio export trio — `Table data.csv` (per video), `Chart data.csv` (daily
per video) and `Totals.csv` (daily channel totals). One source; the header says which of the three it is.

None of the three names its channel: the import needs `--account` and is refused without it. A video is
identified by its id (`youtube:<Content>`) whatever the account, so importing it again under another account
updates it. Per video: Views -> video_views, Watch time (hours) x 60 -> watch_minutes, Likes, Comments added
-> comments, Shares, Impressions (or Thumbnail impressions), Subscribers gained (else net Subscribers) -> follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.sources.base import (
    CONTROL_ID_REASON,
    LoadContext,
    Loaded,
    Source,
    account_or_refuse,
    add_csv_rejects,
    control_char,
    normalise_column,
    owned_sql,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import day
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

TABLE = ("content", "video title", "video publish time", "views", "watch time (hours)")
CHART = ("date", "content", "video title", "views")
TOTALS = ("date", "views")
# canonical figure <- export columns (the first present wins)
FIGURE_MAP: dict[str, tuple[str, ...]] = {
    "video_views": ("views",),
    "watch_minutes": ("watch time (hours)",),
    "likes": ("likes",),
    "comments": ("comments added", "comments"),
    "shares": ("shares",),
    "follows": ("subscribers gained", "subscribers"),
    "impressions": ("impressions", "thumbnail impressions"),
}
NUMBER_COLUMNS = tuple(dict.fromkeys(col for cols in FIGURE_MAP.values() for col in cols))
COLUMNS = ("content", "video title", "video publish time", "duration", *NUMBER_COLUMNS, "date")
DAYS = ("%b %d, %Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d %b %Y")
WATCH = "https://www.youtube.com/watch?v="


def _variant(sf: SourceFile) -> str:
    """Daily files have a Date column (Chart data per video, Totals for the channel); Table data has none."""
    have = {normalise_column(h) for h in sf.header}
    if "date" not in have and set(TABLE) <= have:
        return "table"
    return "chart" if set(CHART) <= have else "totals"


def _video_messages(c: dict[str, str], account: str, ctx: LoadContext, figures: str) -> str:
    published = day(c["video publish time"], DAYS)
    return f"""
        SELECT 'youtube:' || trim({c['content']}) AS message_id, 'youtube' AS platform, {account} AS account,
               {owned_sql(ctx, 'youtube', account, 'TRUE')} AS owned, {published}::TIMESTAMP AS created_at,
               'day' AS time_precision, 'video' AS kind, {c['video title']} AS text, NULL AS in_reply_to,
               '{WATCH}' || trim({c['content']}) AS url, NULL AS campaign, {figures}"""


def _present(sf: SourceFile, columns: tuple[str, ...]) -> str | None:
    have = {normalise_column(h) for h in sf.header}
    return next((col for col in columns if col in have), None)


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS)
    variant = _variant(sf)
    account = sql_str(account_or_refuse(sf, ctx, None, "this YouTube Studio export"))
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c[col] for col in NUMBER_COLUMNS])
    blank_id = f"sf_blank({c['content']})"
    # The figures the file has (Chart data keeps the daily views and watch time of each video).
    keep = FIGURE_MAP if variant != "chart" else {k: FIGURE_MAP[k] for k in ("video_views", "watch_minutes")}
    used = {dst: col for dst, cols in keep.items() if (col := _present(sf, cols))}
    bad = [(nums.bad(c[col]), f"{col} is not a number") for col in used.values()]
    figures = ", ".join(f"{nums.num(c[col])}{' * 60' if dst == 'watch_minutes' else ''} AS {dst}"
                        for dst, col in used.items()) or "NULL::DOUBLE AS video_views"
    if variant == "table":
        reject = reasons(
            (blank_id, "Content (the video id) is empty"),
            (f"{day(c['video publish time'], DAYS)} IS NULL", "Video publish time is not a date like 'Aug 28, 2025'"),
            *bad)
        body = _video_messages(c, account, ctx, figures)
        # The first row is the channel's `Total`, not a video: skipped, not rejected.
        stage_split(con, "messages", f"""{body}, _line AS line, {reject} AS _reject,
            NULL::VARCHAR AS _raw
            FROM src_rows WHERE lower(trim(coalesce({c['content']}, ''))) <> 'total'""")
        return Loaded(primary="messages")
    date = day(c["date"], DAYS)
    if variant == "chart":
        reject = reasons((f"{date} IS NULL", "Date is not a date"), (blank_id, "Content (the video id) is empty"),
                         (control_char(c["content"]), CONTROL_ID_REASON), *bad)
        stage_split(con, "video_daily", f"""
            SELECT {date} AS date, 'youtube' AS platform, 'youtube:' || trim({c['content']}) AS message_id,
                   {figures}, _line AS line, {reject} AS _reject,
                   NULL::VARCHAR AS _raw
            FROM src_rows""")
        # The videos themselves (title, publish day), so daily figures join to a message.
        no_figures = "NULL::DOUBLE AS video_views"
        con.execute(f"""INSERT INTO stage_messages BY NAME {_video_messages(c, account, ctx, no_figures)},
                        min(_line) OVER (PARTITION BY trim({c['content']})) AS line
                        FROM src_rows WHERE NOT {blank_id} AND ({reject}) IS NULL
                        QUALIFY row_number() OVER (PARTITION BY trim({c['content']}) ORDER BY _line) = 1""")
        return Loaded(primary="video_daily")
    reject = reasons((f"{date} IS NULL", "Date is not a date"), *bad)
    stage_split(con, "account_daily", f"""
        SELECT {date} AS date, 'youtube' AS platform, {account} AS account,
               {figures}, _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="account_daily")


SOURCE = Source(
    name="youtube-studio",
    description="YouTube Studio export: Table data.csv (per video), Chart data.csv (daily per video), Totals.csv "
                "(needs --account: the files do not name the channel)",
    detection="header has Content, Video title, Video publish time, Views, Watch time (hours) (Table data); "
              "Date, Content, Video title, Views (Chart data); or just Date, Views (Totals)",
    columns=COLUMNS,
    required=TABLE,
    alternatives=(CHART, TOTALS),
    load=load,
)
