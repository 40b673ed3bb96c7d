"""`mailchimp-campaigns`: Mailchimp's campaign report (one row per sent campaign).

Each campaign is an owned message of kind `email` on platform `email`: message id = `Unique Id`, account = the
`List` it went to, created at `Send Date` (`Oct 26, 2018 02:56 pm`, the account's time zone, stored as given:
the report does not say which zone), text = `Subject`, campaign = `Title` (for the plan's `match: {campaign:}`).
Kept figures: deliveries = `Successful Deliveries`, opens = `Unique Opens`, clicks = `Unique Clicks`,
unsubscribes = `Unsubscribes`. The report's rates (`Open Rate`, `Click Rate` as `42.50%`) are not read: the
email metrics are ratios of the sums of these counts, never means of per-campaign rates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
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

REQUIRED = ("title", "list", "send date", "successful deliveries", "unique opens", "unique id")
# canonical message column <- report column
FIGURE_MAP = {"deliveries": "successful deliveries", "opens": "unique opens", "clicks": "unique clicks",
              "unsubscribes": "unsubscribes"}
COLUMNS = ("title", "subject", "list", "send date", "successful deliveries", "unique opens", "unique clicks",
           "unsubscribes", "unique id")
SEND_DATE = "'%b %d, %Y %I:%M %p'"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c[col] for col in FIGURE_MAP.values()])
    sent = f"try_strptime(trim({c['send date']}), {SEND_DATE})"
    given = (ctx.account or "").strip()
    account = sql_str(given) if given else f"nullif({trim_space_sql(c['list'])}, '')"
    reject = reasons(
        (f"sf_blank({c['unique id']})", "Unique Id is empty"),
        (f"{sent} IS NULL", "Send Date is not a time like 'Oct 26, 2018 02:56 pm'"),
        (f"{account} IS NULL", "List is empty; pass --account LIST"),
        *[(nums.bad(c[col]), f"{col.title()} is not a number") for col in FIGURE_MAP.values()],
    )
    figures = ", ".join(f"{nums.num(c[src])} AS {dst}" for dst, src in FIGURE_MAP.items())
    stage_split(con, "messages", f"""
        SELECT 'email:' || trim({c['unique id']}) AS message_id, 'email' AS platform, {account} AS account,
               {owned_sql(ctx, 'email', account, 'TRUE')} AS owned, {sent} AS created_at,
               'minute' AS time_precision, 'email' AS kind, nullif(trim({c['subject']}), '') AS text,
               NULL AS in_reply_to, NULL AS url, nullif(trim({c['title']}), '') AS campaign, {figures},
               _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM src_rows""")
    return Loaded(primary="messages")


SOURCE = Source(
    name="mailchimp-campaigns",
    description="Mailchimp campaign report: each campaign an owned email (deliveries, unique opens, unique "
                "clicks, unsubscribes) on platform email, account = its list, campaign = its title",
    detection="header has Title, List, Send Date, Successful Deliveries, Unique Opens, Unique Id",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
)
