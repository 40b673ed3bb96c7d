"""The days a user may give (an as-of day, a range's first and last day), checked once for every way in: the
command line's options, the API's query parameters, the pages' and downloads' URLs and the library's own
arguments. A day outside EARLIEST..LATEST is refused before anything computes with it (a year 9999 overflows
Python's dates as soon as a day is added to it).
"""

from __future__ import annotations

import datetime as dt
import re

from strategyfirst.errors import UsageError

EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2200, 12, 31)
RANGE_TEXT = f"{EARLIEST} to {LATEST}"


def plausible(day: dt.date) -> dt.date:
    """`day`, if the product works with it; else ValueError saying which days it does."""
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{day.isoformat()} is outside the dates this app works with ({RANGE_TEXT})")
    return day


def parse_day(text: str) -> dt.date:
    """A calendar day written YYYY-MM-DD, within the days the product works with; else ValueError saying so."""
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"{text} is not a date (YYYY-MM-DD)")
    return plausible(day)


def check_range(since: dt.date | None, until: dt.date | None) -> None:
    """`since` must not come after `until`: an empty window is a mistake, not an empty table."""
    if since is not None and until is not None and since > until:
        raise UsageError(f"--since {since} is after --until {until}: nothing lies between them; swap them")


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (data "up to `day`" is dated before it)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def horizon_note(as_of: dt.date | None, start: dt.date | None, end: dt.date | None) -> str | None:
    """What an as-of day outside the plan's horizon means, in one line (None inside it, or without a horizon).
    Not an error: a day before the start is planning ahead, one after the end a look back; but every KPI is
    measured inside the horizon only, so without the line the first reads as "no data" and the second as if the
    later data counted."""
    if as_of is None or start is None or end is None or end < start:
        return None
    if as_of < start:
        return (f"as of {as_of.isoformat()}, before the plan's horizon starts on {start.isoformat()}: "
                "nothing is measured yet")
    if as_of > end:
        return (f"as of {as_of.isoformat()}, after the plan's horizon ended on {end.isoformat()}: the KPIs are "
                f"measured on the horizon's data, up to {end.isoformat()}")
    return None
