"""`meta-video`: Meta Business Suite video export (`Video asset ID, Universal video ID, Page ID, Page name,
Title, Duration (sec), Publish time, ..., Reach, 3-second video views, 1-minute video views, Seconds viewed,
...`).

Its figures go to the matching owned Facebook video message: video_views = 3-second video views,
watch_minutes = Seconds viewed / 60. A video matches the message `facebook:<Video asset ID>`, or a Facebook
message whose permalink names the video (`/videos/<id>`, `/reel/<id>`, `?v=<id>`), as a post export writes it.
A matched message keeps its publish time, text, permalink and campaign (the post export set them). A video no
message matches becomes an owned message of kind `video` (id = Video asset ID, time from `Publish time`, reach
from `Reach`); a later post export of the same video updates it without moving its publish time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    normalise_column,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.meta_common import VIDEO_IN_URL, pad_short_rows, unwrap, wrapped_header_map
from strategyfirst.sources.meta_posts import PUBLISHED
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("video asset id", "page id", "page name", "publish time", "3-second video views")
NUMBER_COLUMNS = ("reach", "3-second video views", "1-minute video views", "seconds viewed")
TEXT_COLUMNS = ("video asset id", "universal video id", "page id", "page name", "title", "description",
                "duration (sec)", "publish time", "permalink", "custom labels", "date")
COLUMNS = (*TEXT_COLUMNS, *NUMBER_COLUMNS)


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    unwrap(sf)
    keys = [normalise_column(h) for h in sf.header]
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    figures_at = [i for i, k in enumerate(keys) if k in NUMBER_COLUMNS]
    pad_short_rows(con, sf, names, min(figures_at) if figures_at else len(names))
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c[col] for col in NUMBER_COLUMNS])
    asset = f"nullif(trim({c['video asset id']}), '')"
    account = f"coalesce({sql_str(ctx.account)}, nullif({trim_space_sql(c['page name'])}, ''))"
    if ctx.account is None:
        row = con.execute(f"SELECT count(*) FILTER (WHERE {account} IS NOT NULL), count(*) FROM src_rows"
                          ).fetchone()
        if row and row[1] and not row[0]:
            raise sf.error("this Meta Business Suite video export has no Page name in any row, so it does not "
                           "say which account it belongs to; pass --account NAME", 1, 1)
    # The stored Facebook message of each video: its own id, else a post whose permalink names it.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _meta_video_match AS
        SELECT a.asset, coalesce(any_value(m.message_id) FILTER (WHERE m.message_id = 'facebook:' || a.asset),
                                 min(m.message_id)) AS message_id
        FROM (SELECT DISTINCT {asset} AS asset FROM src_rows WHERE {asset} IS NOT NULL) a
        JOIN messages m ON m.platform = 'facebook' AND (m.message_id = 'facebook:' || a.asset
             OR regexp_extract(coalesce(m.url, ''), '{VIDEO_IN_URL}', 1) = a.asset)
        GROUP BY a.asset""")
    published = f"try_strptime(trim({c['publish time']}), {PUBLISHED})"
    views, seconds, reach = (nums.num(c[col]) for col in ("3-second video views", "seconds viewed", "reach"))
    matched = "v.message_id IS NOT NULL"
    reject = reasons(
        (f"{asset} IS NULL", "Video asset ID is empty"),
        (f"NOT {matched} AND {published} IS NULL", "Publish time is not a date like '03/18/2025 14:05'"),
        (f"{account} IS NULL", "the row names no Page name; pass --account NAME"),
        *[(nums.bad(c[col]), f"{col} is not a number") for col in NUMBER_COLUMNS],
    )
    text = f"nullif(trim(coalesce(nullif(trim({c['title']}), ''), {c['description']})), '')"
    stage_split(con, "messages", f"""
        SELECT coalesce(v.message_id, 'facebook:' || {asset}) AS message_id, 'facebook' AS platform,
               {account} AS account, TRUE AS owned,
               CASE WHEN NOT {matched} THEN {published} END AS created_at,
               CASE WHEN NOT {matched} THEN 'minute' END AS time_precision, 'video' AS kind,
               CASE WHEN NOT {matched} THEN {text} END AS text, NULL AS in_reply_to,
               CASE WHEN NOT {matched} THEN nullif(trim({c['permalink']}), '') END AS url,
               CASE WHEN NOT {matched} THEN nullif(trim({c['custom labels']}), '') END AS campaign,
               CASE WHEN NOT {matched} THEN {reach} END AS reach,
               {views} AS video_views, {seconds} / 60 AS watch_minutes,
               _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM src_rows LEFT JOIN _meta_video_match v ON v.asset = {asset}""")
    return Loaded(primary="messages")


SOURCE = Source(
    name="meta-video",
    description="Meta Business Suite video export (Video asset ID, Page name, Publish time, 3-second video "
                "views, Seconds viewed): video views and watch minutes of the Facebook videos",
    detection="header has Video asset ID, Page ID, Page name, Publish time, 3-second video views",
    columns=COLUMNS,
    required=REQUIRED,
    header_map=wrapped_header_map,
    load=load,
)
