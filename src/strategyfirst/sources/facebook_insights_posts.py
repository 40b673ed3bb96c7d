"""`facebook-insights-posts`: Page Insights post-level export and its "Video Posts" variant (second row holds
metric descriptions). Video figures where the export has them: video_views = Lifetime Total Video Views (views of
3 seconds or more), else Lifetime Organic Video Views + Lifetime Paid Video Views (the "Total Count" columns, the
first of each same-named pair; the second counts unique users); watch_minutes = Lifetime Total Video View Time
(in MS) / 60,000.

The "by action type" breakdown columns (likes, comments, shares) are sparse: Facebook leaves a zero blank there (in
the real exports no cell of them reads 0 and 70 of 99 posts leave share blank, while totals such as Lifetime Post
Total Impressions write 0). So a blank cell of a breakdown column the export has reads 0; a breakdown column the
export lacks (the 2014 one has no "- comment") stays null, and so does a blank total (clicks = Lifetime Post
Consumptions, a total, included). A post whose totals are all blank (VIC's "... was mentioned in a post" rows)
is one Facebook gave no figures for: its blank breakdown cells stay null too, not 0."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    account_or_refuse,
    add_csv_rejects,
    owned_sql,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import MISSING, column_map
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

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
    "video_views": "lifetime total video views",
    "watch_minutes": "lifetime total video view time (in ms)",
}
SCALE = {"watch_minutes": " / 60000"}
# figures read from a sparse breakdown column: blank = none, where the post has figures (TOTALS) at all
BREAKDOWNS = tuple(dst for dst, src in FIGURE_MAP.items() if " by action type - " in src)
TOTALS = ("reach", "impressions", "engagements", "clicks")
# Older post-level exports split video views into organic and paid (3 seconds or more, total count).
SPLIT_VIEWS = ("lifetime organic video views", "lifetime paid video views")
NUMBERS = (*FIGURE_MAP.values(), *SPLIT_VIEWS)
COLUMNS = (*REQUIRED, "type", *[v for v in NUMBERS if v not in REQUIRED])
# Facebook Insights Data Export (Post Level) - <Page name> - 2014-02-28 - 2014-08-23.csv
# Facebook Insights Data Export (Video Posts) - <Page name> - 2018-07-13.csv
FILE_PAGE = re.compile(r"Facebook Insights Data Export(?: \([^)]*\))? - (.+?) - "
                       r"\d{4}-\d{2}-\d{2}(?: - \d{4}-\d{2}-\d{2})?(?: \(\d+\))?\.", re.IGNORECASE)
POSTED = "['%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']"


def page_from_name(name: str) -> str | None:
    match = FILE_PAGE.search(name)
    return match.group(1).strip() if match else None


def header_skip(sf: SourceFile) -> int:
    """Rows before the data: the header, and the row of metric descriptions when present. A row of descriptions
    with fewer cells than the header is a file cut short inside it (it read as an export of no posts): refused."""
    described = any(cell.strip().startswith(("Lifetime:", "Daily:", "Weekly:", "28 Days:"))
                    for cell in sf.second_row)
    if described and len(sf.second_row) < len(sf.header):
        raise sf.error(f"the file ends inside its row of metric descriptions (line 2 has {len(sf.second_row)} of "
                       f"the header's {len(sf.header)} columns): it was cut short; download the export again "
                       "(nothing of it was imported)", 2, 1)
    return 2 if described else 1


def account_for(sf: SourceFile, ctx: LoadContext) -> str:
    return account_or_refuse(sf, ctx, page_from_name(sf.name),
                             "this Facebook Insights export (its file name, which names the page, was changed)")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = sql_str(account_for(sf, ctx))
    names, c = column_map(sf, (*COLUMNS,))
    read_rows(con, sf, "src_rows", names=names, skip=header_skip(sf))
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c[col] for col in NUMBERS])
    posted = f"try_strptime(trim({c['posted']}), {POSTED})"
    post_id = f"nullif(trim({c['post id']}), '')"
    reject = reasons(
        (f"{post_id} IS NULL", "Post ID is empty"),
        (f"{posted} IS NULL", "Posted is not a date like '06/04/2014 04:03:05 PM'"),
        *[(nums.bad(c[col]), f"{col} is not a number") for col in NUMBERS],
    )
    organic, paid = (nums.num(c[col]) for col in SPLIT_VIEWS)
    split = (f"CASE WHEN {organic} IS NOT NULL OR {paid} IS NOT NULL "
             f"THEN coalesce({organic}, 0) + coalesce({paid}, 0) END")
    value = {dst: f"{nums.num(c[src])}{SCALE.get(dst, '')}" for dst, src in FIGURE_MAP.items()}
    has_figures = " OR ".join(f"{value[t]} IS NOT NULL" for t in TOTALS)
    for dst in BREAKDOWNS:
        if c[FIGURE_MAP[dst]] != MISSING:  # a non-number is a reject (above), so only blanks become 0
            value[dst] = f"CASE WHEN {has_figures} THEN coalesce({value[dst]}, 0) ELSE {value[dst]} END"
    value["video_views"] = f"coalesce({value['video_views']}, {split})"
    figures = ", ".join(f"{sql} AS {dst}" for dst, sql in value.items())
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
