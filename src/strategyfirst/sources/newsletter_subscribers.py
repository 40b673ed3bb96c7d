"""`newsletter-subscribers`: Substack and beehiiv subscriber exports, as counts per day on platform `email`.

- beehiiv (`email, First Name, Last Name, status, tier, created_at, ..., unsubscribed_at, ...`, times like
  `2023-03-24 10:23:10 UTC`): gained = every subscriber by `created_at` except `status = pending`; lost by
  `unsubscribed_at`; the size = rows with `status = active` and no `unsubscribed_at`, on the latest
  `created_at`/`unsubscribed_at` of the file.
- Substack with `created_at` (`email, active_subscription, expiry, email_disabled, prefer_digests, created_at`):
  gained by `created_at`; the size = every row, on the latest `created_at` (`expiry` lies in the future).
- Substack without `created_at` (`email, expiry, email_disabled, prefer_digests, stripe_connected_customer_id,
  type`): the size only (every row), on the day the file was last modified (the export gives no time of its own).

Metric `subscribers`; the account is `--account` (no export names its publication), else refused. Nothing
personal is stored, not even in the raw copy (see `member_counts`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from strategyfirst.sources.base import LoadContext, Loaded, Source, normalise_column, reasons, sql_str
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import utc
from strategyfirst.sources.member_counts import (
    MARKS,
    MEMBER_ROWS,
    add_parse_rejects,
    given_day,
    kept_columns,
    refuse_other_platform,
    snapshot_note,
    stage_counts,
    time_kept,
)
from strategyfirst.sources.textfile import SourceFile, read_rows

if TYPE_CHECKING:
    import duckdb

SUBSTACK = ("email", "expiry", "email_disabled", "prefer_digests")
BEEHIIV = ("email", "status", "tier", "created_at")
COLUMNS = ("email", "status", "tier", "created_at", "unsubscribed_at", "expiry", "email_disabled",
           "prefer_digests", "active_subscription", "stripe_connected_customer_id", "type")
ISO = ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z")
BEEHIIV_TIME = "'%Y-%m-%d %H:%M:%S UTC'"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    account = (ctx.account or "").strip()
    if not account:
        raise sf.error("a Substack or beehiiv subscriber export does not name its publication; pass --account "
                       "NAME", 1, 1)
    keys = {normalise_column(h) for h in sf.header}
    beehiiv = "status" in keys and "tier" in keys
    refuse_other_platform(con, sf, ctx, account, "beehiiv" if beehiiv else "substack")
    names, c = column_map(sf, (*COLUMNS, *MARKS))
    read_rows(con, sf, MEMBER_ROWS, names=names)
    add_parse_rejects(con)
    if beehiiv:
        created = f"try_strptime(trim({c['created_at']}), {BEEHIIV_TIME})"
        unsub = f"try_strptime(trim({c['unsubscribed_at']}), {BEEHIIV_TIME})"
        status = f"lower(trim({c['status']}))"
        reject = reasons((f"{created} IS NULL", "created_at is not a time like 2023-03-24 10:23:10 UTC"),
                         (f"NOT sf_blank({c['unsubscribed_at']}) AND {unsub} IS NULL",
                          "unsubscribed_at is not a time like 2023-03-24 10:23:10 UTC"))
        # a status is kept as the word it is (lower case), any other text as "other" (read as neither)
        word = f"CASE WHEN NOT regexp_full_match({status}, '[a-z_ -]{{1,32}}') THEN 'other' ELSE {status} END"
        keep = kept_columns(sf, {"created_at": time_kept(c["created_at"], created),
                                 "unsubscribed_at": time_kept(c["unsubscribed_at"], unsub), "status": word},
                            (*SUBSTACK, *BEEHIIV))
        # Every member counted as gained (all but pending ones) is either in the size (active, not unsubscribed)
        # or lost: on unsubscribed_at, else (inactive without it: beehiiv does not date it) on the export day.
        stage_counts(con, account=account, metric="subscribers", provider="beehiiv",
                     joined=f"CASE WHEN {status} <> 'pending' THEN {created} END",
                     left=f"CASE WHEN {status} <> 'pending' THEN {unsub} END",
                     left_undated=f"{status} NOT IN ('active', 'pending')",
                     in_size=f"{status} = 'active' AND {unsub} IS NULL", latest=f"greatest({created}, {unsub})",
                     reject=reject, cells=c, keep=keep, snapshot_day=given_day(ctx))
    elif "created_at" in keys:                # Substack, with the signup time
        created = utc(c["created_at"], ISO)
        keep = kept_columns(sf, {"created_at": time_kept(c["created_at"], created)}, (*SUBSTACK, *BEEHIIV))
        stage_counts(con, account=account, metric="subscribers", provider="substack", joined=created, left=None,
                     in_size="TRUE", latest=created, reject=reasons((f"{created} IS NULL",
                                                     "created_at is not a time like 2018-08-27T15:06:27.713Z")),
                     cells=c, keep=keep, snapshot_day=given_day(ctx))
    else:                                     # Substack, no time: the size on the file's day
        day = dt.datetime.fromtimestamp(sf.path.stat().st_mtime, dt.UTC).date().isoformat()
        stage_counts(con, account=account, metric="subscribers", provider="substack", joined=None, left=None,
                     in_size="TRUE", latest="NULL::TIMESTAMP", reject="NULL::VARCHAR", cells=c,
                     keep=kept_columns(sf, {}, SUBSTACK), snapshot_day=given_day(ctx, f"DATE {sql_str(day)}"))
        return Loaded(primary="audience", notes=snapshot_note(con, ctx, "the day the file was last modified"))
    return Loaded(primary="audience", notes=snapshot_note(con, ctx, "the latest time in the file"))


SOURCE = Source(
    name="newsletter-subscribers",
    description="Substack or beehiiv subscriber export: subscribers gained (and, beehiiv, lost) per day and the "
                "list's size, on platform email (needs --account); no address or name is stored",
    detection="header has email, expiry, email_disabled, prefer_digests (Substack) or email, status, tier, "
              "created_at (beehiiv)",
    columns=COLUMNS,
    required=SUBSTACK,
    alternatives=(BEEHIIV,),
    load=load,
    redacted_raw=True,
)
