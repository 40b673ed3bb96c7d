"""`mastodon-outbox`: a Mastodon account archive's `outbox.json` (ActivityPub OrderedCollection).

`Create` of a Note -> post or reply (HTML stripped, `inReplyTo` kept); `Announce` -> share. The archive has no
like or boost counts, so the figures stay null ("not given"), never 0. The account is stored as the actor URL
gives it, `user@instance`; a plan's `user`, `@user` or `@user@instance` and a mention `@user@instance` or
`@user` all name it (strategyfirst.handles: the normal form of a fediverse account is its user).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.sources.base import LoadContext, Loaded, Source, owned_sql, reasons, sql_str, stage_split
from strategyfirst.sources.json_items import locate_rejects
from strategyfirst.sources.textfile import SourceFile, json_problem

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("orderedItems", "type:OrderedCollection")
ACCOUNT = r"^https?://([^/]+)/users/([^/]+)"
# A reject's line is the line where its item begins; its reason names the item by its number in orderedItems,
# which tells the items apart in an outbox as Mastodon writes it, all on one line.
LOCATED = "'item ' || line || ' of orderedItems: '"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    import duckdb

    try:
        # Some archives repeat the key (`"orderedItems":[],"orderedItems":[...]`): take every array under it,
        # the items numbered on from one array to the next (in the order of the file, as `item_lines` counts).
        con.execute("""
            CREATE OR REPLACE TEMP TABLE mo_items AS
            WITH doc AS (SELECT ltrim(content, chr(65279))::JSON AS j FROM read_text(?)),  -- a BOM is no JSON
            kv AS (SELECT unnest(list_zip(json_keys(j), json_extract(j, '$.*'), range(1, len(json_keys(j)) + 1)),
                                 recursive := false) AS kv
                   FROM doc WHERE json_type(j) = 'OBJECT'),
            arrays AS (SELECT kv[2] AS a, json_array_length(kv[2])::BIGINT AS n,
                              coalesce(sum(json_array_length(kv[2])) OVER (ORDER BY kv[3] ROWS BETWEEN UNBOUNDED
                                       PRECEDING AND 1 PRECEDING), 0)::BIGINT AS before
                       FROM kv WHERE kv[1] = 'orderedItems' AND json_type(kv[2]) = 'ARRAY')
            SELECT unnest(json_extract(a, '$[*]')) AS item, unnest(range(before + 1, before + n + 1)) AS ord
            FROM arrays""", [str(sf.text_path)])
    except duckdb.Error:
        json_problem(sf)  # the located reason when the JSON is broken
        raise sf.error("cannot be read as a Mastodon outbox; take outbox.json from a fresh archive "
                       "(this file was not imported)", 1, 1) from None
    kind = "json_extract_string(item, '$.type')"
    obj_type = "json_type(item, '$.object')"  # SQL NULL where the key is missing, 'NULL' where it is null
    obj_is_text = f"{obj_type} = 'VARCHAR'"
    actor = "json_extract_string(item, '$.actor')"
    handle = (f"CASE WHEN regexp_matches({actor}, '{ACCOUNT}') THEN regexp_extract({actor}, '{ACCOUNT}', 2) || '@' "
              f"|| regexp_extract({actor}, '{ACCOUNT}', 1) END")
    account = f"coalesce({sql_str(ctx.account)}, {handle})"
    native = (f"CASE WHEN {obj_is_text} THEN regexp_replace(json_extract_string(item, '$.id'), '/activity$', '') "
              "ELSE json_extract_string(item, '$.object.id') END")
    published = ("coalesce(TRY_CAST(json_extract_string(item, '$.published') AS TIMESTAMPTZ), "
                 "TRY_CAST(json_extract_string(item, '$.object.published') AS TIMESTAMPTZ))")
    created = f"timezone('UTC', {published})"
    reply_to = f"CASE WHEN {obj_is_text} THEN NULL ELSE json_extract_string(item, '$.object.inReplyTo') END"
    reject = reasons(
        (f"{kind} NOT IN ('Create', 'Announce')", "the activity is neither Create nor Announce"),
        (f"coalesce({obj_type}, 'NULL') = 'NULL'", "the activity has no object (it is missing or null)"),
        (f"{obj_type} NOT IN ('VARCHAR', 'OBJECT')", "the activity's object is neither an object nor a URL"),
        (f"{native} IS NULL AND {obj_is_text}", "the activity has no id"),
        (f"{native} IS NULL", "the activity's object has no id"),
        (f"{published} IS NULL", "published is not a timestamp"),
        (f"{account} IS NULL", "actor is not a Mastodon account URL; pass --account NAME"),
    )
    stage_split(con, "messages", f"""
        SELECT 'mastodon:' || {native} AS message_id, 'mastodon' AS platform, {account} AS account,
               {owned_sql(ctx, 'mastodon', account, 'TRUE')} AS owned, {created} AS created_at,
               'second' AS time_precision,
               CASE WHEN {kind} = 'Announce' THEN 'share' WHEN {reply_to} IS NOT NULL THEN 'reply'
                    ELSE 'post' END AS kind,
               CASE WHEN {obj_is_text} THEN NULL
                    ELSE sf_strip_html(json_extract_string(item, '$.object.content')) END AS text,
               CASE WHEN {reply_to} IS NOT NULL THEN 'mastodon:' || {reply_to} END AS in_reply_to,
               CASE WHEN {obj_is_text} THEN json_extract_string(item, '$.object')
                    ELSE coalesce(json_extract_string(item, '$.object.url'), {native}) END AS url,
               NULL AS campaign, ord AS line, {reject} AS _reject,
               CASE WHEN {reject} IS NOT NULL THEN left(item::VARCHAR, 500) END AS _raw
        FROM mo_items""", located=LOCATED)
    con.execute("DROP TABLE mo_items")
    locate_rejects(con, lambda: sf.text_path.read_bytes().decode("utf-8-sig", errors="replace"), "orderedItems")
    return Loaded(primary="messages")


SOURCE = Source(
    name="mastodon-outbox",
    description="Mastodon account archive outbox.json (ActivityPub): posts, replies, boosts",
    detection='JSON with "type": "OrderedCollection" and "orderedItems"',
    columns=("orderedItems[].type", "orderedItems[].published", "orderedItems[].object.content",
             "orderedItems[].object.inReplyTo"),
    required=REQUIRED,
    load=load,
    kind="json",
    forbidden=("orderedItems:links",),  # likes.json and bookmarks.json: the same collection, of URLs
)
