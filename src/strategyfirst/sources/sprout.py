"""`sprout-posts` and `sprout-profiles`: Sprout Social's "Post Performance" and "Profile Performance" exports.

A team moving from Sprout brings its history for every network in the file: the platform of each row is its
`Network` (Sprout's names mapped to platform ids: Instagram, Facebook, X / Twitter, LinkedIn, TikTok, YouTube,
Threads, Pinterest, Bluesky, Mastodon); the account is `Profile`. Numbers carry thousands separators
(`"136,832"`) and rates percent signs (`"0%"`, not stored); dates come as `4/8/2026 9:22 pm` (minute precision,
as the export's own time zone gives it) or `02-01-2025` (day precision), month first as Sprout's US default
writes them, unless a date of the file can only be read day first (`25-01-2025`): then the whole file is.

Posts -> owned messages (`<platform>:<Post ID>`, the id the platform's own export uses, so an Instagram post in a
Meta Business Suite export and in Sprout counts once; a LinkedIn `urn:li:activity:<id>` is `linkedin:<id>`, as
in LinkedIn's own export): impressions, reach, engagements, likes = Reactions (else
Likes), comments, shares, saves, clicks = Post Link Clicks, follows = Follows from Post, video views, watch
minutes = Video View Time (Seconds) / 60; `Post` -> text, `Link` -> url, `Tags` -> campaign; `Post Type` reply /
retweet-repost-share and `Content Type` video / reel give the kind. `Sent by` (staff names) is never read.
Profiles -> daily totals (posts = Published Posts, impressions, reach, engagements, ..., follows = Audience Gained,
profile_visits = Profile Views) and
`audience` followers: the snapshot `Audience` and the gains `Audience Gained`; Sprout has no lost column, so
`lost` stays null.
"""

from __future__ import annotations

import csv
import io
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
from strategyfirst.sources.linkedin_content import POST_ID as LINKEDIN_ID
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import ROWS, SourceFile, ident, read_rows, unique_names

if TYPE_CHECKING:
    import duckdb

# Sprout's network names (lower case; the first rule that matches wins) -> platform ids.
NETWORKS = (("instagram", "instagram"), ("facebook", "facebook"), ("twitter", "x"), ("linkedin", "linkedin"),
            ("tiktok", "tiktok"), ("youtube", "youtube"), ("threads", "threads"), ("pinterest", "pinterest"),
            ("bluesky", "bluesky"), ("mastodon", "mastodon"))
TIMES = "['%m/%d/%Y %I:%M %p', '%m/%d/%Y %H:%M', '%m/%d/%Y %I:%M:%S %p', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M']"
DAYS = "['%m-%d-%Y', '%m/%d/%Y', '%Y-%m-%d']"
RATES = ("engagement rate (per impression)", "engagement rate (per reach)", "click-through rate")

POSTS_REQUIRED = ("date", "post id", "network", "post type", "content type", "profile", "link", "post")
# canonical figure <- Sprout columns (the first non-blank wins)
POST_FIGURES: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions",), "reach": ("reach",), "engagements": ("engagements",),
    "likes": ("reactions", "likes"), "comments": ("comments",), "shares": ("shares",), "saves": ("saves",),
    "clicks": ("post link clicks",), "follows": ("follows from post",), "video_views": ("video views",),
    "watch_minutes": ("video view time (seconds)",),
}
POST_COLUMNS = (*POSTS_REQUIRED, "linked content", "tags",
                *dict.fromkeys(c for cs in POST_FIGURES.values() for c in cs))

PROFILES_REQUIRED = ("date", "network", "profile", "audience", "net audience growth", "audience gained")
DAILY_FIGURES: dict[str, tuple[str, ...]] = {
    "posts": ("published posts",), "impressions": ("impressions",), "engagements": ("engagements",),
    "likes": ("reactions", "likes"), "comments": ("comments",), "shares": ("shares",),
    "clicks": ("post link clicks",), "follows": ("audience gained",), "video_views": ("video views",),
    "reach": ("reach",), "profile_visits": ("profile views",),
}
PROFILE_COLUMNS = (*PROFILES_REQUIRED, *dict.fromkeys(c for cs in DAILY_FIGURES.values() for c in cs))


def platform_sql(network: str) -> str:
    """SQL: the platform id of a Sprout `Network` cell (null when it names no known network)."""
    low = f"lower(trim({network}))"
    whens = " ".join(f"WHEN contains({low}, '{key}') THEN '{pid}'" for key, pid in NETWORKS)
    return f"CASE {whens} WHEN {low} = 'x' OR starts_with({low}, 'x ') OR starts_with({low}, 'x/') THEN 'x' END"


def _read(con: duckdb.DuckDBPyConnection, sf: SourceFile, figures: dict[str, tuple[str, ...]],
          wanted: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Read the rows; return the column SQL, each figure's value SQL and its reject checks."""
    names, c = column_map(sf, (*wanted, *RATES))
    read_rows(con, sf, ROWS, names=names)
    _forget_staff(con, sf)
    add_csv_rejects(con)
    sources = {col for cols in figures.values() for col in cols}
    # The rates ("1.25%") are not stored but show the file's decimal mark: "136,832" is then a count.
    nums = Numbers(con, "src_rows", [c[col] for col in (*sorted(sources), *RATES)])
    value = {dst: "coalesce(" + ", ".join(nums.num(c[col]) for col in cols) + ")" for dst, cols in figures.items()}
    checks = [f"WHEN {nums.bad(c[col])} THEN '{col} is not a number'" for col in sorted(sources)]
    return c, value, checks


def _forget_staff(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> None:
    """`Sent by` (the staff member who posted) blanked before anything is staged: a rejected row's raw cells
    (and a row the reader could not split) are kept without it."""
    keys = [normalise_column(h) for h in sf.header]
    if "sent by" not in keys:
        return
    at = keys.index("sent by")
    con.execute(f"UPDATE {ROWS}_raw SET {ident(unique_names(sf.header)[at])} = NULL")
    fixed = []
    for line, raw in con.execute("SELECT line, raw FROM csv_rejects WHERE raw IS NOT NULL").fetchall():
        try:
            cells = next(csv.reader(io.StringIO(raw, newline=""), delimiter=sf.delimiter))
        except (csv.Error, StopIteration):
            cells = []
        if len(cells) > at:
            cells[at] = ""
        out = io.StringIO()
        csv.writer(out, delimiter=sf.delimiter, lineterminator="").writerow(cells)
        fixed.append((out.getvalue() if cells else None, line))
    if fixed:
        con.executemany("UPDATE csv_rejects SET raw = ? WHERE line = ?", fixed)


def _formats(con: duckdb.DuckDBPyConnection, date: str) -> tuple[str, str]:
    """The time and day formats of the file: month first (Sprout's US default), or day first when some date
    of the file can only be read so (`25-01-2025`, `13/4/2026 9:22 pm`)."""
    first = f"TRY_CAST(regexp_extract(trim({date}), '^([0-9]{{1,2}})[-/][0-9]{{1,2}}[-/][0-9]{{4}}', 1) AS INTEGER)"
    row = con.execute(f"SELECT coalesce(bool_or({first} > 12), FALSE) FROM {ROWS}").fetchone()
    if not (row and row[0]):
        return TIMES, DAYS
    return TIMES.replace("%m/%d/", "%d/%m/"), DAYS.replace("%m-%d-", "%d-%m-").replace("%m/%d/", "%d/%m/")


def _reject(first: tuple[str, str] | None, platform: str, date: tuple[str, str], account: str,
            number_checks: list[str]) -> str:
    """SQL of a row's reject reason: `first` (condition, why), then network, date (SQL, examples), account and
    the figures."""
    reject = reasons(
        *((first,) if first else ()),
        (f"{platform} IS NULL", "Network is not a network Sprout exports (Instagram, Facebook, X, LinkedIn, "
                                "TikTok, YouTube, Threads, Pinterest)"),
        (f"{date[0]} IS NULL", f"Date is not a date like {date[1]}"),
        (f"{account} IS NULL", "the row names no Profile; pass --account NAME"),
    )
    return f"coalesce({reject}, CASE {' '.join(number_checks)} END)" if number_checks else reject


def _account(c: dict[str, str], ctx: LoadContext) -> str:
    return f"coalesce({sql_str(ctx.account)}, nullif(ltrim({trim_space_sql(c['profile'])}, '@'), ''))"


def load_posts(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    c, value, number_checks = _read(con, sf, POST_FIGURES, POST_COLUMNS)
    value["watch_minutes"] = f"{value['watch_minutes']} / 60"
    platform = platform_sql(c["network"])
    times, days = _formats(con, c["date"])
    timed = f"try_strptime(trim({c['date']}), {times})"
    created = f"coalesce({timed}, try_strptime(trim({c['date']}), {days}))"
    given_id = f"nullif(trim({c['post id']}), '')"
    # A LinkedIn post is `urn:li:activity:<id>` in Sprout and `linkedin:<id>` from LinkedIn's own export.
    linkedin_id = f"nullif(regexp_extract({given_id}, '{LINKEDIN_ID}', 1), '')"
    post_id = f"CASE WHEN {platform} = 'linkedin' THEN coalesce({linkedin_id}, {given_id}) ELSE {given_id} END"
    account = _account(c, ctx)
    post_type, content = f"lower(coalesce({c['post type']}, ''))", f"lower(coalesce({c['content type']}, ''))"
    kind = (f"CASE WHEN contains({post_type}, 'repl') OR contains({post_type}, 'comment') THEN 'reply' "
            f"WHEN regexp_matches({post_type}, 'retweet|repost|share') THEN 'share' "
            f"WHEN regexp_matches({content}, 'video|reel') THEN 'video' ELSE 'post' END")
    reject = _reject((f"{post_id} IS NULL", "Post ID is empty"), platform,
                     (created, "'4/8/2026 9:22 pm' or '02-01-2025'"), account, number_checks)
    figures = ", ".join(f"{sql} AS {dst}" for dst, sql in value.items())
    stage_split(con, "messages", f"""
        SELECT {platform} || ':' || {post_id} AS message_id, {platform} AS platform, {account} AS account,
               TRUE AS owned, {created} AS created_at,
               CASE WHEN {timed} IS NULL THEN 'day' ELSE 'minute' END AS time_precision, {kind} AS kind,
               nullif(trim({c['post']}), '') AS text, NULL AS in_reply_to, nullif(trim({c['link']}), '') AS url,
               nullif(trim({c['tags']}), '') AS campaign, {figures},
               _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="messages")


def load_profiles(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    c, value, number_checks = _read(con, sf, {**DAILY_FIGURES, "_audience": ("audience",)}, PROFILE_COLUMNS)
    platform = platform_sql(c["network"])
    times, days = _formats(con, c["date"])
    date = (f"CAST(coalesce(try_strptime(trim({c['date']}), {days}), try_strptime(trim({c['date']}), {times}))"
            " AS DATE)")
    account = _account(c, ctx)
    reject = _reject(None, platform, (date, "'02-01-2025' or '4/8/2026'"), account, number_checks)
    figures = ", ".join(f"{sql} AS {dst}" for dst, sql in value.items())
    stage_split(con, "account_daily", f"""
        SELECT {date} AS date, {platform} AS platform, {account} AS account, {figures},
               _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM src_rows""")
    # The audience: the snapshot and the day's gains; Sprout gives no losses (lost stays null).
    con.execute("""INSERT INTO stage_audience SELECT date, platform, account, 'followers', _audience, follows,
                   NULL, line FROM _mapped_account_daily
                   WHERE _reject IS NULL AND (_audience IS NOT NULL OR follows IS NOT NULL)""")
    return Loaded(primary="account_daily")


POSTS = Source(
    name="sprout-posts",
    description="Sprout Social Post Performance export: posts of every network in the file (platform from "
                "Network, account = Profile); Sent by is not read",
    detection="header has Date, Post ID, Network, Post Type, Content Type, Profile, Link, Post",
    columns=POST_COLUMNS,
    required=POSTS_REQUIRED,
    load=load_posts,
)

PROFILES = Source(
    name="sprout-profiles",
    description="Sprout Social Profile Performance export: daily totals and the audience (snapshot and gains) "
                "of every profile in the file",
    detection="header has Date, Network, Profile, Audience, Net Audience Growth, Audience Gained",
    columns=PROFILE_COLUMNS,
    required=PROFILES_REQUIRED,
    load=load_profiles,
)
