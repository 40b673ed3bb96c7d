"""`facebook-insights-posts`: Page Insights post-level export (second row holds metric descriptions)."""

from __future__ import annotations

import re

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

REQUIRED = ("post id", "permalink", "post message", "posted", "lifetime post total reach")
# canonical figure <- export column (normalised)
FIGURE_MAP = {
    "reach": "lifetime post total reach",
    "impressions": "lifetime post total impressions",
    "engagements": "lifetime engaged users",
    "clicks": "lifetime post consumptions",
    "likes": "lifetime post stories by action type - like",
    "comments": "lifetime post stories by action type - comment",
    "shares": "lifetime post stories by action type - share",
}
COLUMNS = (*REQUIRED, "type", *[v for v in FIGURE_MAP.values() if v not in REQUIRED])
# Facebook Insights Data Export (Post Level) - <Page name> - 2014-02-28 - 2014-08-23.csv
FILE_PAGE = re.compile(r"Facebook Insights Data Export(?: \([^)]*\))? - (.+) - \d{4}-\d{2}-\d{2} - \d{4}-\d{2}-\d{2}",
                       re.IGNORECASE)
POSTED = "['%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']"


def page_from_name(name: str) -> str | None:
    match = FILE_PAGE.search(name)
    return match.group(1).strip() if match else None


def header_skip(sf: SourceFile) -> int:
    """Rows before the data: the header, and the row of metric descriptions when present."""
    described = any(cell.strip().startswith(("Lifetime:", "Daily:", "Weekly:", "28 Days:"))
                    for cell in sf.second_row)
    return 2 if described else 1


def account_for(sf: SourceFile, ctx: LoadContext) -> str:
    account = ctx.account or page_from_name(sf.name)
    if not account:
        raise sf.error("this Facebook Insights export does not name its page (its file name was changed); "
                       "pass --account 'Page name'", 1, 1)
    return account


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = sql_str(account_for(sf, ctx))
    names, c = column_map(sf, (*COLUMNS,))
    read_rows(con, sf, "src_rows", names=names, skip=header_skip(sf))
    add_csv_rejects(con)
    posted = f"try_strptime(trim({c['posted']}), {POSTED})"
    post_id = f"nullif(trim({c['post id']}), '')"
    reject = reasons(
        (f"{post_id} IS NULL", "Post ID is empty"),
        (f"{posted} IS NULL", "Posted is not a date like '06/04/2014 04:03:05 PM'"),
        *[(f"sf_badnum({c[col]})", f"{col} is not a number") for col in FIGURE_MAP.values()],
    )
    figures = ", ".join(f"sf_num({c[src]}) AS {dst}" for dst, src in FIGURE_MAP.items())
    stage_split(con, "messages", f"""
        SELECT 'facebook:' || {post_id} AS message_id, 'facebook' AS platform, {account} AS account,
               {owned_sql(ctx, 'facebook', account, 'TRUE')} AS owned, {posted} AS created_at,
               'second' AS time_precision,
               CASE WHEN lower(trim({c['type']})) = 'video' THEN 'video' ELSE 'post' END AS kind,
               {c['post message']} AS text, NULL AS in_reply_to, nullif(trim({c['permalink']}), '') AS url,
               NULL AS campaign, {figures},
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="messages")


SOURCE = Source(
    name="facebook-insights-posts",
    description="Facebook Page Insights post-level export (Post ID, Permalink, Post Message, Posted, Lifetime ...)",
    detection="header has Post ID, Permalink, Post Message, Posted, Lifetime Post Total Reach",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
