"""`x-analytics-daily`: analytics.twitter.com daily account export -> daily totals and follower gains."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import day
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows
from strategyfirst.sources.x_headers import ENGLISH, KNOWN, canonical_header

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("date", "tweets_published", "impressions", "engagements")
# account_daily column <- export column key
FIGURE_MAP = {"posts": "tweets_published", "impressions": "impressions", "engagements": "engagements",
              "likes": "likes", "shares": "retweets", "comments": "replies", "clicks": "url_clicks",
              "follows": "follows", "unfollows": "unfollows"}
COLUMNS = (*REQUIRED, *[v for v in FIGURE_MAP.values() if v not in REQUIRED])
# daily_tweet_activity_metrics_<handle>_20190101_20190201_en.csv
FILE_HANDLE = re.compile(r"activity_metrics_(.+?)_\d{8}_\d{8}", re.IGNORECASE)
DAYS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%a %b %d %Y", "%Y-%m-%d %H:%M %z")


def account_from_name(name: str) -> str | None:
    match = FILE_HANDLE.search(name)
    return match.group(1) if match else None


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = ctx.account or account_from_name(sf.name)
    if not account:
        raise sf.error("this daily X analytics export does not name its account (its file name was changed);"
                       " pass --account NAME", 1, 1)
    names, c = column_map(sf, (*FIGURE_MAP.values(), "date", "engagement_rate"), canonical_header)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    # The engagement rate (0.0097 / 0,0097) is not stored but shows the file's decimal mark.
    nums = Numbers(con, "src_rows", [c[col] for col in (*FIGURE_MAP.values(), "engagement_rate")])
    date = day(c["date"], DAYS)
    reject = reasons(
        (f"{date} IS NULL", "Date is not a date"),
        *[(nums.bad(c[col]), f"{col} is not a number")
          for col in FIGURE_MAP.values()])
    figures = ", ".join(f"{nums.num(c[src])} AS {dst}" for dst, src in FIGURE_MAP.items())
    stage_split(con, "account_daily", f"""
        SELECT {date} AS date, 'x' AS platform, {sql_str(account)} AS account, {figures},
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    con.execute("""INSERT INTO stage_audience SELECT date, platform, account, 'followers', NULL, follows,
                   unfollows, line FROM stage_account_daily WHERE follows IS NOT NULL OR unfollows IS NOT NULL""")
    return Loaded(primary="account_daily")


SOURCE = Source(
    name="x-analytics-daily",
    description="analytics.twitter.com daily account export (daily totals; follows as audience gains)",
    detection="header (through the localised alias table) has Date, Tweets published, impressions, engagements",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
    header_map=canonical_header,
    spelled=ENGLISH,
    also_known=KNOWN,
)
