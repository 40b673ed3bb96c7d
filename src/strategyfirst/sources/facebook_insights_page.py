"""`facebook-insights-page`: Page Insights page-level daily export (hundreds of columns) -> page likes."""

from __future__ import annotations

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
from strategyfirst.sources.facebook_insights_posts import account_for, header_skip
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("date", "lifetime total likes", "daily new likes", "daily unlikes")
DAILY_MAP = {"impressions": "daily total impressions", "engagements": "daily page engaged users"}
COLUMNS = (*REQUIRED, *DAILY_MAP.values())
DAYS = ("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = sql_str(account_for(sf, ctx))
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names, skip=header_skip(sf))
    add_csv_rejects(con)
    date = day(c["date"], DAYS)
    nums = Numbers(con, "src_rows", [c[col] for col in COLUMNS if col != "date"])
    reject = reasons(
        (f"{date} IS NULL", "Date is not a date like 1/31/2014"),
        *[(nums.bad(c[col]), f"{col} is not a number") for col in COLUMNS if col != "date"],
    )
    stage_split(con, "audience", f"""
        SELECT {date} AS date, 'facebook' AS platform, {account} AS account, 'page_likes' AS metric,
               {nums.num(c['lifetime total likes'])} AS value, {nums.num(c['daily new likes'])} AS gained,
               {nums.num(c['daily unlikes'])} AS lost,
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    daily = ", ".join(f"{nums.num(c[src])} AS {dst}" for dst, src in DAILY_MAP.items())
    con.execute(f"""INSERT INTO stage_account_daily BY NAME
                    SELECT {date} AS date, 'facebook' AS platform, {account} AS account, {daily}, _line AS line
                    FROM src_rows WHERE {date} IS NOT NULL AND ({reject}) IS NULL""")
    return Loaded(primary="audience")


SOURCE = Source(
    name="facebook-insights-page",
    description="Facebook Page Insights page-level daily export (Date, Lifetime Total Likes, Daily New Likes, ...)",
    detection="header has Date, Lifetime Total Likes, Daily New Likes, Daily Unlikes",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
