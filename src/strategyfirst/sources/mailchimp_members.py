"""`mailchimp-members`: a Mailchimp audience export, one file per status (subscribed, unsubscribed, cleaned).

Maps to `audience` on platform `email`, account = the list: `--account`, else the list id of a file name
`<status>_members_export_<id>.csv`, else refused asking for `--account` (`subscribed.csv` names no list).
Per day: subscribers gained (CONFIRM_TIME, else OPTIN_TIME) and, in the unsubscribed and cleaned exports, lost
(UNSUB_TIME, CLEAN_TIME). Each status is its own series (metric `subscribers`, `subscribers_unsubscribed`,
`subscribers_cleaned`): an export lists only its status's members, so the three files add up without one
overwriting another's days; the list's growth is the sum over the series, its size the `subscribers` snapshot
(the subscribed export's row count) on the latest timestamp of the file (OPTIN/CONFIRM/LAST_CHANGED).
Only times are read: no address, name, IP, location, note or `EUID` is stored, not even in the raw copy (see
`member_counts`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from strategyfirst.sources.base import LoadContext, Loaded, Source, normalise_column, reasons
from strategyfirst.sources.columns import column_map
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

REQUIRED = ("member_rating", "optin_time", "confirm_time")
TIMES = ("optin_time", "confirm_time", "last_changed", "unsub_time", "clean_time")
COLUMNS = ("email address", *REQUIRED, "last_changed", "unsub_time", "clean_time", "leid")
# The list id in Mailchimp's file name; a copy a browser renamed (`... (1).csv`, a prefix) still names it.
LIST_IN_NAME = re.compile(r"(?:subscribed|unsubscribed|cleaned|members)_members_export_([0-9a-z]+)\b",
                          re.IGNORECASE)
TIME = "'%Y-%m-%d %H:%M:%S'"


def _ts(expr: str) -> str:
    return f"try_strptime(trim({expr}), {TIME})"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    found = LIST_IN_NAME.search(sf.name)
    account = (ctx.account or "").strip() or (found.group(1) if found else "")
    if not account:
        raise sf.error("a Mailchimp members export names its list only in a file name like "
                       "subscribed_members_export_<list id>.csv, and this one does not; pass --account LIST", 1, 1)
    refuse_other_platform(con, sf, ctx, account, "mailchimp")
    keys = {normalise_column(h) for h in sf.header}
    status = "unsubscribed" if "unsub_time" in keys else "cleaned" if "clean_time" in keys else "subscribed"
    names, c = column_map(sf, (*COLUMNS, *MARKS))
    read_rows(con, sf, MEMBER_ROWS, names=names)
    add_parse_rejects(con)
    joined = f"coalesce({_ts(c['confirm_time'])}, {_ts(c['optin_time'])})"
    left = {"unsubscribed": _ts(c["unsub_time"]), "cleaned": _ts(c["clean_time"])}.get(status)
    left_name = "UNSUB_TIME" if status == "unsubscribed" else "CLEAN_TIME"
    checks = [(f"{joined} IS NULL", "neither CONFIRM_TIME nor OPTIN_TIME is a time like 2018-02-05 19:28:23")]
    if left:
        checks.append((f"{left} IS NULL", f"{left_name} is not a time like 2018-02-05 19:28:23"))
    latest = f"greatest({', '.join(_ts(c[t]) for t in TIMES)})"
    keep = kept_columns(sf, {t: time_kept(c[t], _ts(c[t])) for t in TIMES}, REQUIRED)
    stage_counts(con, account=account, metric="subscribers" if status == "subscribed" else f"subscribers_{status}",
                 provider="mailchimp", joined=joined, left=left, in_size="TRUE" if status == "subscribed" else None,
                 latest=latest,
                 reject=reasons(*checks), cells=c, keep=keep, snapshot_day=given_day(ctx))
    return Loaded(primary="audience", notes=snapshot_note(con, ctx, "the latest time in the file"))


SOURCE = Source(
    name="mailchimp-members",
    description="Mailchimp audience export (subscribed, unsubscribed or cleaned members): subscribers gained "
                "and lost per day and the list's size, on platform email; no address, name or IP is stored",
    detection="header has MEMBER_RATING, OPTIN_TIME, CONFIRM_TIME",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
    redacted_raw=True,
)
