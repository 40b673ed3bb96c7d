"""`audience-csv`: audience snapshots and deltas, `date, platform, account, metric, value[, gained, lost]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import DAY_FORMATS, day
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

REQUIRED = ("date", "platform", "account", "metric", "value")
COLUMNS = (*REQUIRED, "gained", "lost")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    date = day(c["date"], DAY_FORMATS)
    nums = Numbers(con, "src_rows", [c["value"], c["gained"], c["lost"]])
    account = f"coalesce({sql_str(ctx.account)}, nullif(ltrim({trim_space_sql(c['account'])}, '@'), ''))"
    reject = reasons(
        (f"{date} IS NULL", "date is not a date (YYYY-MM-DD)"),
        (f"sf_blank({c['platform']})", "platform is empty"),
        (f"{account} IS NULL", "account is empty (or pass --account)"),
        (f"sf_blank({c['metric']})", "metric is empty"),
        (nums.bad(c["value"]), "value is not a number"),
        (nums.bad(c["gained"]), "gained is not a number"),
        (nums.bad(c["lost"]), "lost is not a number"),
        (f"sf_blank({c['value']}) AND sf_blank({c['gained']}) AND sf_blank({c['lost']})",
         "value, gained and lost are all empty"),
    )
    stage_split(con, "audience", f"""
        SELECT {date} AS date, lower({trim_space_sql(c['platform'])}) AS platform, {account} AS account,
               lower(trim({c['metric']})) AS metric, {nums.num(c['value'])} AS value,
               {nums.num(c['gained'])} AS gained, {nums.num(c['lost'])} AS lost,
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="audience")


SOURCE = Source(
    name="audience-csv",
    description="audience snapshots/deltas per day: followers, subscribers, page likes, list members",
    detection="header has date, platform, account, metric, value",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
