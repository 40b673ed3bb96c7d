"""`canonical-csv`: any CSV whose header uses the canonical `messages` column names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import (
    FIGURES,
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    owned_sql_by_row,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import utc
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("message_id", "platform", "account", "created_at")
TEXT_COLUMNS = ("owned", "time_precision", "kind", "text", "in_reply_to", "url", "campaign")
COLUMNS = (*REQUIRED, *TEXT_COLUMNS, *FIGURES)
TZ = ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S.%f%z")
NAIVE = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f",
         "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m")
PRECISIONS = "('second', 'minute', 'day', 'month')"
KINDS = "('post', 'reply', 'share', 'video')"


def _qualified(platform: str, expr: str) -> str:
    """`platform:id` unless the id already carries a platform prefix."""
    return (f"CASE WHEN sf_blank({expr}) THEN NULL WHEN contains(trim({expr}), ':') THEN trim({expr}) "
            f"ELSE {platform} || ':' || sf_id({expr}) END")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c[f] for f in FIGURES])
    platform = f"lower({trim_space_sql(c['platform'])})"
    created = utc(c["created_at"], TZ, NAIVE)
    precision = (f"coalesce(nullif(lower(trim({c['time_precision']})), ''), CASE WHEN length(trim("
                 f"{c['created_at']})) = 7 THEN 'month' WHEN length(trim({c['created_at']})) = 10 THEN 'day' "
                 f"WHEN length(trim({c['created_at']})) = 16 THEN 'minute' ELSE 'second' END)")
    account = f"coalesce({sql_str(ctx.account)}, nullif(ltrim({trim_space_sql(c['account'])}, '@'), ''))"
    kind = (f"coalesce(nullif(lower(trim({c['kind']})), ''), "
            f"CASE WHEN sf_blank({c['in_reply_to']}) THEN 'post' ELSE 'reply' END)")
    checks = [
        (f"sf_blank({c['message_id']})", "message_id is empty"),
        (f"sf_blank({c['platform']})", "platform is empty"),
        (f"{account} IS NULL", "account is empty; fill it in or pass --account NAME"),
        (f"{created} IS NULL", "created_at is not a timestamp (YYYY-MM-DD HH:MM:SS, UTC)"),
        (f"{precision} NOT IN {PRECISIONS}", "time_precision is not second, minute, day or month"),
        (f"{kind} NOT IN {KINDS}", "kind is not post, reply, share or video"),
        (f"NOT sf_blank({c['owned']}) AND sf_bool({c['owned']}) IS NULL", "owned is not true/false"),
        *[(nums.bad(c[f]), f"{f} is not a number") for f in FIGURES],
    ]
    reject = reasons(*checks)
    figures = ", ".join(f"{nums.num(c[f])} AS {f}" for f in FIGURES)
    stage_split(con, "messages", f"""
        SELECT {_qualified(platform, c['message_id'])} AS message_id, {platform} AS platform,
               {account} AS account, {owned_sql_by_row(ctx, platform, account, f"sf_bool({c['owned']})")} AS owned,
               {created} AS created_at, {precision} AS time_precision, {kind} AS kind,
               {c['text']} AS text, {_qualified(platform, c['in_reply_to'])} AS in_reply_to,
               nullif(trim({c['url']}), '') AS url, nullif(trim({c['campaign']}), '') AS campaign, {figures},
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="messages")


SOURCE = Source(
    name="canonical-csv",
    description="any CSV with the canonical messages columns (message_id, platform, account, created_at, ...)",
    detection="header has message_id, platform, account, created_at",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
