"""`facebook-metrics-uci`: the UCI "Facebook metrics" data set (`;`-delimited, month/weekday/hour, no dates)."""

from __future__ import annotations

import duckdb

from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    owned_sql,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.textfile import SourceFile, read_rows

REQUIRED = ("page total likes", "type", "post month", "post weekday", "post hour", "lifetime post total reach")
FIGURE_MAP = {
    "reach": "lifetime post total reach",
    "impressions": "lifetime post total impressions",
    "engagements": "lifetime engaged users",
    "clicks": "lifetime post consumptions",
    "likes": "like",
    "comments": "comment",
    "shares": "share",
}
COLUMNS = (*REQUIRED, "category", "paid", *[v for v in FIGURE_MAP.values() if v not in REQUIRED])


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    month = f"TRY_CAST(sf_num({c['post month']}) AS INTEGER)"
    # The data set has no post ids: the row's place in the file is its identity (stable across re-imports).
    account = sql_str(ctx.account)
    reject = reasons(
        (f"{month} IS NULL OR {month} NOT BETWEEN 1 AND 12", "Post Month is not a month number 1-12"),
        (f"sf_badnum({c['page total likes']})", "Page total likes is not a number"),
        *[(f"sf_badnum({c[col]})", f"{col} is not a number") for col in FIGURE_MAP.values()],
    )
    figures = ", ".join(f"sf_num({c[src]}) AS {dst}" for dst, src in FIGURE_MAP.items())
    stage_split(con, "messages", f"""
        SELECT 'facebook:uci-' || coalesce({account} || '-', '') || (_line - 1)::VARCHAR AS message_id,
               'facebook' AS platform, {account} AS account, {owned_sql(ctx, 'facebook', account, 'TRUE')} AS owned,
               make_timestamp({int(ctx.year)}, {month}, 1, 0, 0, 0) AS created_at, 'month' AS time_precision,
               CASE WHEN lower(trim({c['type']})) = 'video' THEN 'video' ELSE 'post' END AS kind,
               NULL AS text, NULL AS in_reply_to, NULL AS url, NULL AS campaign, {figures},
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    # Page likes as the posts saw them: the highest per month, dated the first of the month.
    con.execute(f"""
        INSERT INTO stage_audience
        SELECT make_date({int(ctx.year)}, {month}, 1), 'facebook', coalesce({account}, ''), 'page_likes',
               max(sf_num({c['page total likes']})), NULL, NULL, min(_line)
        FROM src_rows WHERE ({reject}) IS NULL AND sf_num({c['page total likes']}) IS NOT NULL
        GROUP BY ALL""")
    return Loaded(primary="messages")


SOURCE = Source(
    name="facebook-metrics-uci",
    description='UCI "Facebook metrics" data set (500 posts of one page; month precision, year 2014)',
    detection="header has Page total likes, Type, Post Month, Post Weekday, Post Hour, Lifetime Post Total Reach",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
