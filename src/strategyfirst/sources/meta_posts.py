"""`meta-posts`: Meta Business Suite post exports, Facebook and Instagram (`Mon-DD-YYYY_Mon-DD-YYYY_<id>.csv`).

Facebook (`Post ID, Page ID, Page name, ..., Publish time, ..., Custom labels, ..., Data comment, Date, Views,
Reach, "Reactions, Comments and Shares", Reactions, Comments, Shares, Total clicks`; older years `Impressions`
and `IMPRESSION:UNIQUE_USERS` instead of `Views`): owned messages on `facebook`, account = Page name;
impressions = Views (else Impressions), reach = Reach (else IMPRESSION:UNIQUE_USERS), engagements = "Reactions,
Comments and Shares", likes = Reactions, comments, shares, clicks = Total clicks.
Instagram (`Post ID, Account ID, Account username, ..., Views, Reach, Likes, Shares, Comments, Saves, Follows`,
any order): owned messages on `instagram`, account = Account username; engagements = likes + comments + shares
+ saves. Both: `Publish time` is `MM/DD/YYYY HH:MM` (minute precision), `Custom labels` -> campaign, `Post type`
with video or reel -> kind `video`.

Quirks (data.md): Excel re-saves (wrapped lines, `;`), short rows (trailing figures null), duplicate header
names (the first is read), a row without its id whose `Data comment` says "An error occurred while computing
metadata for content with ID N" (the id is N). A Facebook video first imported from a video export (message
`facebook:<Video asset ID>`) is updated by its post, whose permalink names the video, without a second message.
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
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

FACEBOOK = ("post id", "page id", "page name", "publish time", "permalink", "post type")
INSTAGRAM = ("post id", "account id", "account username", "publish time", "permalink", "post type")
TEXT_COLUMNS = ("post id", "page id", "page name", "account id", "account username", "account name", "title",
                "description", "duration (sec)", "publish time", "caption type", "permalink", "is crosspost",
                "is share", "post type", "languages", "custom labels", "funded content status", "data comment",
                "date")
# canonical figure <- export columns (the first present wins), per platform
FACEBOOK_FIGURES: dict[str, tuple[str, ...]] = {
    "impressions": ("views", "impressions"),
    "reach": ("reach", "impression:unique_users"),
    "engagements": ("reactions, comments and shares",),
    "likes": ("reactions",),
    "comments": ("comments",),
    "shares": ("shares",),
    "clicks": ("total clicks",),
}
INSTAGRAM_FIGURES: dict[str, tuple[str, ...]] = {
    "impressions": ("views",),
    "reach": ("reach",),
    "likes": ("likes",),
    "comments": ("comments",),
    "shares": ("shares",),
    "saves": ("saves",),
    "follows": ("follows",),
}
NUMBER_COLUMNS = tuple(dict.fromkeys(c for m in (FACEBOOK_FIGURES, INSTAGRAM_FIGURES) for cs in m.values()
                                     for c in cs))
COLUMNS = (*TEXT_COLUMNS, *NUMBER_COLUMNS)
PUBLISHED = "['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M %p', '%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S']"
ERROR_ID = r"content with ID ([0-9]+)"


def platform_of(header: list[str]) -> str:
    return "instagram" if "account username" in wrapped_header_map(header) else "facebook"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    unwrap(sf)
    platform = platform_of(sf.header)
    figure_map = INSTAGRAM_FIGURES if platform == "instagram" else FACEBOOK_FIGURES
    keys = [normalise_column(h) for h in sf.header]
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    figures_at = [i for i, k in enumerate(keys) if k in NUMBER_COLUMNS]
    pad_short_rows(con, sf, names, min(figures_at) if figures_at else len(names))
    add_csv_rejects(con)
    present = {dst: col for dst, cols in figure_map.items() if (col := next((x for x in cols if x in keys), None))}
    nums = Numbers(con, "src_rows", [c[col] for col in present.values()])
    value = {dst: nums.num(c[col]) for dst, col in present.items()}
    if platform == "instagram":
        parts = [value[f] for f in ("likes", "comments", "shares", "saves") if f in value]
        if parts:
            value["engagements"] = (f"CASE WHEN {' OR '.join(f'{p} IS NOT NULL' for p in parts)} THEN "
                                    + " + ".join(f"coalesce({p}, 0)" for p in parts) + " END")
    figures = ", ".join(f"{sql} AS {dst}" for dst, sql in value.items()) or "NULL::DOUBLE AS impressions"
    account_col = c["account username"] if platform == "instagram" else c["page name"]
    account = f"coalesce({sql_str(ctx.account)}, nullif({trim_space_sql(account_col)}, ''))"
    if ctx.account is None:
        named = f"nullif({trim_space_sql(account_col)}, '') IS NOT NULL"
        row = con.execute(f"SELECT count(*) FILTER (WHERE {named}), count(*) FROM src_rows").fetchone()
        if row and row[1] and not row[0]:
            what = "Account username" if platform == "instagram" else "Page name"
            raise sf.error(f"this Meta Business Suite post export has no {what} in any row, so it does not say "
                           "which account it belongs to; pass --account NAME", 1, 1)
    post_id = (f"coalesce(nullif(trim({c['post id']}), ''), "
               f"nullif(regexp_extract({c['data comment']}, '{ERROR_ID}', 1), ''))")
    published = f"try_strptime(trim({c['publish time']}), {PUBLISHED})"
    url = f"nullif(trim({c['permalink']}), '')"
    post_type = f"lower(coalesce({c['post type']}, ''))"
    kind = f"CASE WHEN {post_type} LIKE '%video%' OR {post_type} LIKE '%reel%' THEN 'video' ELSE 'post' END"
    text = f"nullif(trim(coalesce(nullif(trim({c['description']}), ''), {c['title']})), '')"
    reject = reasons(
        (f"{post_id} IS NULL", "Post ID is empty (and Data comment names no content ID)"),
        (f"{published} IS NULL", "Publish time is not a date like '03/18/2025 14:05'"),
        (f"{account} IS NULL", "the row names no account (Page name / Account username); pass --account NAME"),
        *[(nums.bad(c[col]), f"{col} is not a number") for col in present.values()],
    )
    message_id = f"'{platform}:' || {post_id}"
    if platform == "facebook" and _has_messages(con):
        # A video first imported from a video export is the message of its post: the permalink names it.
        video = f"nullif(regexp_extract({url}, '{VIDEO_IN_URL}', 1), '')"
        message_id = (f"coalesce((SELECT any_value(m.message_id) FROM messages m WHERE m.platform = 'facebook' "
                      f"AND m.message_id = 'facebook:' || {video} AND m.kind = 'video'), {message_id})")
    stage_split(con, "messages", f"""
        SELECT {message_id} AS message_id, '{platform}' AS platform, {account} AS account, TRUE AS owned,
               {published} AS created_at, 'minute' AS time_precision, {kind} AS kind, {text} AS text,
               NULL AS in_reply_to, {url} AS url, nullif(trim({c['custom labels']}), '') AS campaign,
               {figures}, _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="messages")


def _has_messages(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'messages' AND NOT temporary"
                      ).fetchone()
    return bool(row and row[0])


SOURCE = Source(
    name="meta-posts",
    description="Meta Business Suite post export, Facebook (Page name, Views or Impressions, Reactions, ...) or "
                "Instagram (Account username, Likes, Shares, Comments, Saves, Follows); Excel re-saves read too",
    detection="header has Post ID, Page ID, Page name, Publish time, Permalink, Post type (Facebook) or Post ID, "
              "Account ID, Account username, Publish time, Permalink, Post type (Instagram)",
    columns=COLUMNS,
    required=FACEBOOK,
    alternatives=(INSTAGRAM,),
    forbidden=("video asset id",),
    header_map=wrapped_header_map,
    load=load,
)
