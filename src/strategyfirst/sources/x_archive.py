"""`x-archive`: the X/Twitter account archive's `data/tweets.js` (older archives: `tweet.js`).

The file is JavaScript holding one JSON array: `window.YTD.tweets.part0 = [{"tweet": {...}}, ...]` (the oldest
archives leave out the `"tweet"` wrapper). Each tweet -> an owned message on `x`, id `x:<id_str>` (the id X
analytics exports use, so a tweet in both counts once); `created_at` like `Wed Oct 10 20:19:24 +0000 2018`
(second precision); `full_text` with its HTML entities decoded; likes = favorite_count, shares = retweet_count;
`in_reply_to` = `x:<in_reply_to_status_id_str>`. A tweet with only `in_reply_to_user_id` is a reply whose
parent is missing (kind `reply`, no `in_reply_to`); `RT @...` is a share.

The archive names its account in `data/account.js` beside tweets.js: only its `username` is read (the file
also holds the account's e-mail address, which is never read into the product). `--account` wins over it;
without either the import is refused asking for `--account`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from strategyfirst.sources.base import LoadContext, Loaded, Source, account_or_refuse, owned_sql, reasons, stage_split
from strategyfirst.sources.json_items import locate_rejects
from strategyfirst.sources.textfile import SourceFile, json_problem
from strategyfirst.sqltext import string_literal

if TYPE_CHECKING:
    import duckdb

PREFIX = r"^\s*window\.YTD\.\w+\.part\d+\s*=\s*"
USERNAME = re.compile(rb'"username"\s*:\s*"([^"\\]{1,100})"')
CREATED = "'%a %b %d %H:%M:%S %z %Y'"
# A reject's line is the line where its tweet begins; its reason names the tweet by its number in the array too.
LOCATED = "'tweet ' || line || ' in the file: '"


def archive_account(sf: SourceFile) -> str | None:
    """The username in `account.js` beside the file (only that value is taken from it), or None."""
    account_js = sf.path.parent / "account.js"
    try:
        found = USERNAME.search(account_js.read_bytes()[: 1 << 20])
    except OSError:
        return None
    return found.group(1).decode("utf-8", errors="replace").strip().lstrip("@") if found else None


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    import duckdb

    account = account_or_refuse(sf, ctx, None if ctx.account else archive_account(sf),
                                "this X archive's tweets.js (no account.js beside it names the account)")
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE xa_items AS
            WITH doc AS (SELECT regexp_replace(ltrim(content, chr(65279)), '{PREFIX}', '')::JSON AS j
                         FROM read_text(?))
            SELECT unnest(json_extract(j, '$[*]')) AS item,
                   unnest(range(1, json_array_length(j)::BIGINT + 1)) AS ord
            FROM doc WHERE json_type(j) = 'ARRAY'""", [str(sf.text_path)])
    except duckdb.Error:
        _locate(sf)
        raise sf.error("cannot be read as an X archive's tweets.js; take data/tweets.js from a fresh archive "
                       "(this file was not imported)", 1, 1) from None
    tweet = "coalesce(json_extract(item, '$.tweet'), item)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE xa_tweets AS SELECT ord, item, {tweet} AS t FROM xa_items")
    con.execute("DROP TABLE xa_items")

    def field(*names: str) -> str:
        return "coalesce(" + ", ".join(f"nullif(trim(json_extract_string(t, '$.{n}')), '')" for n in names) + ")"

    tweet_id = field("id_str", "id")
    created = f"timezone('UTC', try_strptime({field('created_at')}, {CREATED}))"
    text = f"sf_strip_html({field('full_text', 'text')})"
    parent = field("in_reply_to_status_id_str", "in_reply_to_status_id")
    parent_user = field("in_reply_to_user_id_str", "in_reply_to_user_id", "in_reply_to_screen_name")
    acct = string_literal(account)
    reject = reasons(
        (f"{tweet_id} IS NULL OR TRY_CAST({tweet_id} AS UBIGINT) IS NULL", "the tweet has no id_str (a tweet id)"),
        (f"{created} IS NULL", "created_at is not a time like 'Wed Oct 10 20:19:24 +0000 2018'"),
        (f"{parent} IS NOT NULL AND TRY_CAST({parent} AS UBIGINT) IS NULL",
         "in_reply_to_status_id_str is not a tweet id"),
        *[(f"json_extract_string(t, '$.{n}') IS NOT NULL AND TRY_CAST(json_extract_string(t, '$.{n}') AS DOUBLE) "
           "IS NULL", f"{n} is not a number") for n in ("favorite_count", "retweet_count")],
    )
    stage_split(con, "messages", f"""
        SELECT 'x:' || {tweet_id} AS message_id, 'x' AS platform, {acct} AS account,
               {owned_sql(ctx, 'x', acct, 'TRUE')} AS owned, {created} AS created_at, 'second' AS time_precision,
               CASE WHEN starts_with({text}, 'RT @') THEN 'share'
                    WHEN {parent} IS NOT NULL OR {parent_user} IS NOT NULL THEN 'reply' ELSE 'post' END AS kind,
               {text} AS text, CASE WHEN {parent} IS NOT NULL THEN 'x:' || {parent} END AS in_reply_to,
               'https://x.com/' || {acct} || '/status/' || {tweet_id} AS url, NULL AS campaign,
               TRY_CAST(json_extract_string(t, '$.favorite_count') AS DOUBLE) AS likes,
               TRY_CAST(json_extract_string(t, '$.retweet_count') AS DOUBLE) AS shares,
               ord AS line, {reject} AS _reject,
               CASE WHEN {reject} IS NOT NULL THEN left(item::VARCHAR, 500) END AS _raw
        FROM xa_tweets""", located=LOCATED)
    locate_rejects(con, lambda: _json_text(sf))
    return Loaded(primary="messages")


def _json_text(sf: SourceFile) -> str:
    """The file's JSON: its `window.YTD... =` prefix blanked (lines and columns kept)."""
    text = sf.text_path.read_bytes().decode("utf-8-sig", errors="replace")
    found = re.match(PREFIX, text)
    return re.sub(r"[^\n]", " ", found.group(0)) + text[found.end():] if found else text


def _locate(sf: SourceFile) -> None:
    """The located error of broken JSON."""
    json_problem(sf, _json_text(sf))


SOURCE = Source(
    name="x-archive",
    description="X/Twitter account archive: data/tweets.js (window.YTD.tweets.part0 = [...]) with every tweet, "
                "reply links, likes and retweets; the account from account.js beside it (username only) or "
                "--account",
    detection="a .js file starting window.YTD.tweets.partN = (or window.YTD.tweet.partN = in older archives)",
    columns=("tweet.id_str", "tweet.created_at", "tweet.full_text", "tweet.in_reply_to_status_id_str",
             "tweet.in_reply_to_user_id_str", "tweet.favorite_count", "tweet.retweet_count"),
    required=("YTD:tweets",),
    alternatives=(("YTD:tweet",),),
    load=load,
    kind="js",
)
