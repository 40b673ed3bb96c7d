"""`spend-csv`: money spent, `date, platform, tactic|campaign, amount, currency`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import LoadContext, Loaded, Source, add_csv_rejects, reasons, stage_split
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import day
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

COLUMNS = ("date", "platform", "tactic", "campaign", "amount", "currency")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    date = day(c["date"])
    nums = Numbers(con, "src_rows", [c["amount"]])
    reject = reasons(
        (f"{date} IS NULL", "date is not a date (YYYY-MM-DD)"),
        (f"{nums.num(c['amount'])} IS NULL", "amount is empty or not a number"),
        (f"sf_blank({c['tactic']}) AND sf_blank({c['campaign']})", "neither tactic nor campaign is given"),
    )
    stage_split(con, "spend", f"""
        SELECT {date} AS date, nullif(lower({trim_space_sql(c['platform'])}), '') AS platform,
               nullif(trim({c['tactic']}), '') AS tactic, nullif(trim({c['campaign']}), '') AS campaign,
               {nums.num(c['amount'])} AS amount, nullif(upper(trim({c['currency']})), '') AS currency,
               _line AS line, {reject} AS _reject,
               NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="spend")


SOURCE = Source(
    name="spend-csv",
    description="spend per day and tactic or campaign (ads, contest prizes, agency fees)",
    detection="header has date, amount and tactic or campaign",
    columns=COLUMNS,
    required=("date", "amount", "tactic"),
    alternatives=(("date", "amount", "campaign"),),
    load=load,
)
