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
