"""The permission asset (audience-csv) and money spent (spend-csv), day by day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from strategyfirst.simulate import org
from strategyfirst.simulate.csvtext import as_str, lines, quote_where, write_lines


@dataclass(frozen=True)
class AudienceDesign:
    platform: str
    account: str
    metric: str
    start: dt.date
    initial: int
    gained_per_day: float
    lost_per_day: float


AUDIENCES: tuple[AudienceDesign, ...] = (
    AudienceDesign("email", org.NEWSLETTER, "subscribers", org.START, 2400, 24.0, 6.0),
    AudienceDesign("x", org.BRAND, "followers", org.START, 8200, 6.0, 4.5),
    AudienceDesign("x", org.CONTEST, "followers", org.CONTEST_START, 14, 0.02, 0.04),
    AudienceDesign("facebook", org.FB_PAGE, "page_likes", org.START, 5300, 4.0, 3.0),
)

# (tactic, platform, euros per week, first day, last day exclusive)
SPEND: tuple[tuple[str, str, float, dt.date, dt.date], ...] = (
    ("care-desk", "x", 230.0, org.START, org.END),
    ("repairs-desk", "x", 150.0, org.START, org.END),
    ("newsletter", "email", 115.0, org.START, org.END),
    ("commute-tips", "x", 100.0, org.START, org.END),
    ("ride-stories", "facebook", 115.0, org.START, org.END),
    ("summit-contest", "x", 850.0, org.CONTEST_START, org.CONTEST_END),
)


def _days(start: dt.date, end: dt.date) -> pa.Array:
    return pa.array(np.arange(np.datetime64(start), np.datetime64(end), dtype="datetime64[D]"))


def write_audience(path: Path, rng: np.random.Generator,
                   leave_out: frozenset[str] = frozenset()) -> dict[str, dict[str, Any]]:
    """Daily snapshot + gained + lost per account; returns per account the start, end, gained and lost.
    Series in `leave_out` (`platform:account`) are drawn (the others' draws stay the same) but not written:
    another export holds them (the newsletter's Mailchimp members)."""
    columns: list[list[pa.Array]] = []
    truth: dict[str, dict[str, Any]] = {}
    for a in AUDIENCES:
        days = _days(a.start, org.END)
        n = len(days)
        gained, lost = rng.poisson(a.gained_per_day, n), rng.poisson(a.lost_per_day, n)
        value = a.initial + np.cumsum(gained - lost)
        const = [pa.array([x] * n) for x in (a.platform, a.account, a.metric)]
        if f"{a.platform}:{a.account}" not in leave_out:
            columns.append([pc.cast(days, pa.string()), *const, as_str(value), as_str(gained), as_str(lost)])
        truth[f"{a.platform}:{a.account}"] = {
            "metric": a.metric, "first_date": a.start.isoformat(), "value_before": a.initial,
            "first_value": int(value[0]), "last_value": int(value[-1]), "gained": int(gained.sum()),
            "lost": int(lost.sum()), "net_change_sum_of_deltas": int(gained.sum() - lost.sum()),
            "net_change_last_minus_first": int(value[-1] - value[0])}
    table = [pa.concat_arrays([c[i] for c in columns]) for i in range(7)]
    with path.open("wb") as fh:
        fh.write(b"date,platform,account,metric,value,gained,lost\n")
        write_lines(fh, lines([quote_where(c) for c in table]))
    return truth


def write_spend(path: Path, rng: np.random.Generator) -> dict[str, float]:
    """Spend every Monday per tactic (weekly amount ±15%); returns the total per tactic."""
    columns: list[list[pa.Array]] = []
    totals: dict[str, float] = {}
    for tactic, platform, weekly, start, end in SPEND:
        first_monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        days = np.arange(np.datetime64(first_monday), np.datetime64(end), 7, dtype="datetime64[D]")
        cents = np.round(weekly * rng.uniform(0.85, 1.15, len(days)) * 100).astype(np.int64)
        amount = [f"{c // 100}.{c % 100:02d}" for c in cents]   # a few dozen rows
        n = len(days)
        columns.append([pc.cast(pa.array(days), pa.string()), pa.array([platform] * n),
                        pa.array([tactic] * n), pa.array(amount, type=pa.string()),
                        pa.array([org.CURRENCY] * n)])
        totals[tactic] = round(int(cents.sum()) / 100, 2)
    table = [pa.concat_arrays([c[i] for c in columns]) for i in range(5)]
    with path.open("wb") as fh:
        fh.write(b"date,platform,tactic,amount,currency\n")
        write_lines(fh, lines(table))
    return totals
