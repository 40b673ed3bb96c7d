"""The arguments of `measure`, checked before anything is built or read (standard library only: a cached
measurement checks them without importing Ibis)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from strategyfirst.dates import check_range, parse_day, plausible
from strategyfirst.errors import MeasureError
from strategyfirst.metrics.registry import resolve

BY_CHOICES = ("none", "objective", "tactic", "account", "platform")
PERIODS = {"all": None, "day": "D", "week": "W", "month": "M"}


def date(value: dt.date | str | None, name: str) -> dt.date | None:
    """`value` as a date (a datetime loses its time); a string must be YYYY-MM-DD; either within the days the
    product works with (dates.py)."""
    if value is None:
        return None
    try:
        if isinstance(value, dt.date):
            return plausible(value.date() if isinstance(value, dt.datetime) else value)
        return parse_day(str(value))
    except ValueError as exc:
        raise MeasureError(f"--{name} {exc}") from None


@dataclass(frozen=True)
class Request:
    """One measurement asked for: checked arguments, metric ids resolved in catalogue order."""

    by: str
    period: str
    since: dt.date | None
    until: dt.date | None
    metric_ids: tuple[str, ...]
    platforms: tuple[str, ...]
    accounts: tuple[str, ...]
    # With `until`: read the data as they stood at its end (metrics.asof). Off where nothing is dated after it
    # (`metrics.cached.settled`): the cut would change nothing and costs a pass over the derived tables.
    cut: bool = True

    def key(self) -> dict[str, Any]:
        """The request as JSON-ready values (part of a cached measurement's key)."""
        return {"by": self.by, "period": self.period,
                "since": None if self.since is None else self.since.isoformat(),
                "until": None if self.until is None else self.until.isoformat(),
                "metrics": list(self.metric_ids), "platforms": list(self.platforms),
                "accounts": list(self.accounts), "cut": self.cut}


def request(by: str = "none", period: str = "all", since: dt.date | str | None = None,
            until: dt.date | str | None = None, metric_ids: Iterable[str] | None = None, *,
            platforms: Iterable[str] | None = None, accounts: Iterable[str] | None = None,
            has_tactics: bool) -> Request:
    """Check the arguments of `measure` (MeasureError naming the option otherwise); `has_tactics`: the plan
    exists and has tactics (--by tactic/objective need them)."""
    if by not in BY_CHOICES:
        raise MeasureError(f"--by {by!r} is not one of {', '.join(BY_CHOICES)}")
    if period not in PERIODS:
        raise MeasureError(f"--period {period!r} is not one of {', '.join(PERIODS)}")
    if by in ("tactic", "objective") and not has_tactics:
        raise MeasureError(f"--by {by} needs a plan with tactics (strategy.yaml); without one use "
                           "--by account, --by platform or --by none")
    ids = tuple(m.id for m in resolve(metric_ids))
    first, last = date(since, "since"), date(until, "until")
    check_range(first, last)
    return Request(by, period, first, last, ids, tuple(platforms or ()), tuple(accounts or ()))
