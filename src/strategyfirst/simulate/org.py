"""The simulated organisation: its calendar, accounts, care desks and what is built to work or fail.

Everything the generators draw from is declared here as data, so `truth.json` can state it plainly.
All times are UTC; hour of week is 0..167 with Monday 00:00 = 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

ORGANISATION = "Northwind Cycles"
START = dt.date(2026, 1, 1)             # first day of simulated data
END = dt.date(2026, 10, 1)              # first day after the data (the export was taken on 30 September)
HORIZON_END = dt.date(2026, 12, 31)
AS_OF = END - dt.timedelta(days=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def epoch_seconds(day: dt.date) -> int:
    return int((dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) - EPOCH).total_seconds())


START_S, END_S = epoch_seconds(START), epoch_seconds(END)


def hour_of_week(t: np.ndarray) -> np.ndarray:
    """Hour of week (Monday 00h = 0) of epoch seconds; 1970-01-01 was a Thursday."""
    days = t // 86400
    return (((days + 3) % 7) * 24 + (t // 3600) % 24).astype(np.int64)


def _inbound_profile() -> np.ndarray:
    """Relative inbound volume by hour of week: office-hours plateau, quiet nights, Monday 09-12 peak."""
    day = np.array([0.12] * 6 + [0.3, 0.6, 0.9] + [1.0] * 8 + [0.9, 0.75, 0.75, 0.75, 0.75, 0.45, 0.25])
    weekday = np.array([1.35, 1.0, 1.0, 1.0, 1.0, 0.55, 0.45])
    profile = np.outer(weekday, day).ravel()
    profile[9:12] *= 2.0                               # Monday 09:00-11:59: the weekly peak
    return profile / profile.sum()


INBOUND_PROFILE = _inbound_profile()


def hours(spec: str) -> frozenset[int]:
    """Hours of week from 'Mon 9-12' (end exclusive); several specs separated by ';'."""
    out: set[int] = set()
    for part in spec.split(";"):
        days, span = part.split()
        lo, hi = (int(x) for x in span.split("-"))
        first, _, last = days.partition("-")
        d0 = WEEKDAYS.index(first)
        d1 = WEEKDAYS.index(last) if last else d0
        for d in range(d0, d1 + 1):
            out.update(d * 24 + h for h in range(lo, hi))
    return frozenset(out)


# The care team (one team answers every desk) is short-staffed at these hours on purpose: the weekly team
# meeting falls on the Monday peak, and the team leaves early on Fridays.
SHORT_HOURS: frozenset[int] = hours("Mon 9-12;Fri 16-18")
SHORT_TEXT = ("Mondays 09-12 (weekly team meeting during the weekly peak) "
              "and Fridays 16-18 (team leaves early)")


@dataclass(frozen=True)
class Desk:
    """An owned X account that customers write to, and how well it answers."""

    handle: str
    tactic: str
    share: float                 # share of audience-started conversations addressed to it
    p_answer: float              # chance a customer message gets a reply, at staffed hours
    p_answer_short: float        # ... at short-staffed hours
    median_minutes: float        # lognormal reply lag (median) at staffed hours
    median_minutes_short: float  # ... at short-staffed hours
    sigma: float                 # lognormal shape of reply lags
    follow_up_positive: float    # chance that a customer's follow-up after a reply is a thank-you
    initials: tuple[str, ...] = ("AB",)


DESKS: tuple[Desk, ...] = (
    Desk("NorthwindHelp", "care-desk", 0.62, 0.95, 0.60, 22.0, 150.0, 0.8, 0.85, ("JD", "MK", "SL", "RR")),
    Desk("NorthwindRepairs", "repairs-desk", 0.28, 0.42, 0.20, 420.0, 900.0, 1.0, 0.15, ("TW", "PB")),
    Desk("NorthwindCycles", "commute-tips", 0.10, 0.15, 0.10, 240.0, 400.0, 1.0, 0.5, ("NC",)),
)

# Conversation dynamics (all desks).
MAX_TURNS = 4              # customer messages in one conversation, at most
P_FOLLOW_UP = 0.45         # customer writes again after a reply
P_NUDGE = 0.30             # customer writes again after being ignored
P_ME_TOO = 0.03            # another customer replies "me too" to the first message
P_SECOND_PART = 0.06       # the desk answers in two tweets
CUSTOMER_LAG_MIN = 12.0    # median minutes before a follow-up
NUDGE_LAG_MIN = 360.0      # median minutes before a nudge
ME_TOO_LAG_MIN = 90.0

# Capacity planning (Erlang C), as declared in the plan's `readiness.response` and stated in truth.json.
HANDLING_MINUTES = 6.0
SERVICE_LEVEL = 0.9
TARGET_MINUTES = 60.0          # the plan's first_response_minutes_median target
STAFFING_HEADROOM = 1.35       # staffed hours are staffed for 35% more volume than expected

# Owned broadcast accounts.
BRAND = "NorthwindCycles"
CONTEST = "NorthwindSummit"
CONTEST_START, CONTEST_END = dt.date(2026, 5, 1), dt.date(2026, 7, 1)
FB_PAGE = "Northwind Cycles"
FB_PAGE_SLUG = "NorthwindCycles"
FB_PAGE_ID = "431870962201455"
NEWSLETTER = "newsletter"
CURRENCY = "EUR"
