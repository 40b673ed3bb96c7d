"""`facebook-metrics-uci`: the UCI "Facebook metrics" data set (`;`-delimited, month/weekday/hour, no dates).

The file names neither its page nor its posts: the import needs `--account` (refused without it), and a post's
id is derived from what the row says about the post when it was published — Page total likes at posting, Type,
Category, Post Month, Post Weekday, Post Hour, Paid — hashed, plus its ordinal among rows saying exactly the same
(`facebook:uci-<12 hex>-<n>`). The id does not depend on the account, the `--year`, the file's name or its
lifetime figures, so importing the file again (with another account) updates the same 500 posts, and a file of
another page (other like counts) cannot collide with them. With another `--year` it is refused: a post's date is
set once, so the posts would stay while their page likes moved.

`Page total likes` becomes two `page_likes` snapshots per month (the month's first and last posts' counts, on
its first and last day), so `audience_growth` by month is each month's growth from the previous month's last post
to its own last (January's from its first post): the months add up to the year.
"""

from __future__ import annotations

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
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

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
# What a row says about its post as published (not the lifetime figures): the post's identity.
IDENTITY = ("page total likes", "type", "category", "post month", "post weekday", "post hour", "paid")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = sql_str(account_or_refuse(sf, ctx, None, "this UCI Facebook metrics file"))
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c["page total likes"], *[c[col] for col in FIGURE_MAP.values()]])
    month = f"TRY_CAST(sf_num({c['post month']}) AS INTEGER)"
    reject = reasons(
        (f"{month} IS NULL OR {month} NOT BETWEEN 1 AND 12", "Post Month is not a month number 1-12"),
        (nums.bad(c["page total likes"]), "Page total likes is not a number"),
        *[(nums.bad(c[col]), f"{col} is not a number") for col in FIGURE_MAP.values()],
    )
    figures = ", ".join(f"{nums.num(c[src])} AS {dst}" for dst, src in FIGURE_MAP.items())
    key = "concat_ws('|', " + ", ".join(f"coalesce(lower(sf_id({c[col]})), '')" for col in IDENTITY) + ")"
    stage_split(con, "messages", f"""
        SELECT 'facebook:uci-' || left(md5({key}), 12) || '-'
               || row_number() OVER (PARTITION BY {key} ORDER BY _line)::VARCHAR AS message_id,
               'facebook' AS platform, {account} AS account, {owned_sql(ctx, 'facebook', account, 'TRUE')} AS owned,
               -- a month out of 1-12 is the row's reject reason, never an error of the whole file
               CASE WHEN {month} BETWEEN 1 AND 12 THEN make_timestamp({_year(ctx)}, {month}, 1, 0, 0, 0) END
                   AS created_at, 'month' AS time_precision,
               CASE WHEN lower(trim({c['type']})) = 'video' THEN 'video' ELSE 'post' END AS kind,
               NULL AS text, NULL AS in_reply_to, NULL AS url, NULL AS campaign, {figures},
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    if not ctx.replay:
        _refuse_another_year(con, sf, _year(ctx))
    # Page likes as the posts saw them. Posts are dated to the month only, so the month's first and last
    # snapshots are its lowest count (its first post: the count only grows but for unlikes) dated the 1st, and
    # its highest (its last post) dated the month's last day: last - first in a month is that month's growth,
    # and a year's runs from January's first post to December's last. One snapshot alone would make every
    # month's growth 0 and start the year at January's last post.
    likes = nums.num(c["page total likes"])
    con.execute(f"""
        INSERT INTO stage_audience
        WITH m AS (
            SELECT make_date({_year(ctx)}, CASE WHEN {month} BETWEEN 1 AND 12 THEN {month} END, 1) AS first_day,
                   min({likes}) AS lowest,
                   max({likes}) AS highest, count(*) AS posts, min(_line) AS line
            FROM src_rows WHERE ({reject}) IS NULL AND {likes} IS NOT NULL
            GROUP BY ALL)
        SELECT first_day, 'facebook', {account}, 'page_likes', lowest, NULL, NULL, line FROM m
        UNION ALL
        SELECT last_day(first_day), 'facebook', {account}, 'page_likes', highest, NULL, NULL, line FROM m
        WHERE posts > 1""")
    return Loaded(primary="messages")


def _refuse_another_year(con: duckdb.DuckDBPyConnection, sf: SourceFile, year: int) -> None:
    """A post's date is set once (warehouse/merge.py): the same posts imported again with another `--year` would
    stay where they are while their page likes went to the new year. Refused, saying how to move them."""
    found = con.execute("""
        SELECT s.line, year(m.created_at), m.import_id FROM stage_messages s JOIN messages m USING (message_id)
        WHERE year(m.created_at) <> ? ORDER BY s.line LIMIT 1""", [year]).fetchone()
    if found is None:
        return
    line, stored, import_id = found
    raise sf.error(f"these posts are already stored in {stored} (import #{import_id}) and a post's date is never "
                   f"moved: import again with --year {stored}, or to date them in {year} take back the imports "
                   f"of this file first (`strategyfirst imports undo {import_id}`; `strategyfirst imports` lists "
                   "them)", int(line), 1)


def _year(ctx: LoadContext) -> int:
    """The year of the posts: --year, else 2014 (the data set's year)."""
    return int(ctx.year) if ctx.year is not None else 2014


SOURCE = Source(
    name="facebook-metrics-uci",
    description='UCI "Facebook metrics" data set (500 posts of one page; month precision, year 2014; needs --account)',
    detection="header has Page total likes, Type, Post Month, Post Weekday, Post Hour, Lifetime Post Total Reach",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
