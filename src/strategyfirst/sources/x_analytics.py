"""`x-analytics`: analytics.twitter.com tweet-level export, in any language of the header alias table.

The tweet text has `&`, `<` and `>` written as HTML entities (`R &amp; Python`): stored decoded (`sf_x_text`).
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
from strategyfirst.sources.dates import utc
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows
from strategyfirst.sources.x_headers import ENGLISH, KNOWN, canonical_header

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("tweet_id", "permalink", "text", "time", "impressions")
# canonical message column <- export column key
FIGURE_MAP = {"impressions": "impressions", "engagements": "engagements", "likes": "likes",
              "shares": "retweets", "comments": "replies", "clicks": "url_clicks", "follows": "follows",
              "spend": "spend"}
COLUMNS = (*REQUIRED, *sorted(set(FIGURE_MAP.values()) - {"impressions"}))
TIME_TZ = ("%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S %z", "%d/%m/%Y %H:%M %z", "%m/%d/%Y %H:%M %z")
TIME_NAIVE = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
HANDLE = r"(?:twitter|x)\.com/([A-Za-z0-9_]+)/status"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    wanted = (*REQUIRED, *FIGURE_MAP.values(), "engagement_rate")
    names, c = column_map(sf, wanted, canonical_header)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    # The engagement rate (0.0097 / 0,0097) is not stored but shows the file's decimal mark.
    nums = Numbers(con, "src_rows", [c[col] for col in (*FIGURE_MAP.values(), "engagement_rate")])
    created = utc(c["time"], TIME_TZ, TIME_NAIVE)
    from_link = f"nullif(regexp_extract({c['permalink']}, '{HANDLE}', 1), '')"
    if ctx.account is None:
        found = con.execute(f"SELECT count(*), count({from_link}) FROM src_rows").fetchone()
        if found and found[0] and not found[1]:  # rows, none of which names its account
            account_or_refuse(sf, ctx, None, "this X analytics export (no Tweet permalink names the account)")
    account = f"coalesce({sql_str(ctx.account)}, {from_link})"
    tweet = f"sf_id({c['tweet_id']})"
    checks = [
        ("_tweet IS NULL OR TRY_CAST(_tweet AS UBIGINT) IS NULL", "Tweet id is empty or not a tweet id"),
        ("_created IS NULL", "time is not a time like '2016-12-23 18:50 +0000'"),
        ("_account IS NULL", "no account in the permalink; pass --account NAME"),
        *[(f"\"n_{col}\" IS NULL AND NOT sf_blank({c[col]})", f"{col} is not a number")
          for col in FIGURE_MAP.values()],
    ]
    reject = reasons(*checks)
    text = c["text"]
    numbers = ", ".join(f"{nums.num(c[col])} AS \"n_{col}\"" for col in set(FIGURE_MAP.values()))
    figures = ", ".join(f"\"n_{src}\" AS {dst}" for dst, src in FIGURE_MAP.items())
    # Parsed once in a materialised CTE: the checks and the values reuse them (small plans, one pass).
    stage_split(con, "messages", f"""
        WITH t AS MATERIALIZED (
            SELECT *, {numbers}, {created} AS _created, {account} AS _account, {tweet} AS _tweet FROM src_rows)
        SELECT 'x:' || _tweet AS message_id, 'x' AS platform, _account AS account,
               {owned_sql(ctx, 'x', '_account', 'TRUE')} AS owned, _created AS created_at,
               'minute' AS time_precision,
               CASE WHEN starts_with(ltrim({text}), 'RT @') THEN 'share'
                    WHEN starts_with(ltrim({text}), '@') THEN 'reply' ELSE 'post' END AS kind,
               sf_x_text({text}) AS text, NULL AS in_reply_to, nullif(trim({c['permalink']}), '') AS url,
               NULL AS campaign, {figures},
               _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM t""")
    return Loaded(primary="messages")


SOURCE = Source(
    name="x-analytics",
    description="analytics.twitter.com tweet activity export (English, Portuguese, Spanish, French, German)",
    detection="header (through the localised alias table) has Tweet id, Tweet permalink, Tweet text, time, "
              "impressions",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
    header_map=canonical_header,
    spelled=ENGLISH,
    also_known=KNOWN,
)
