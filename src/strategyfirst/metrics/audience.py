"""Permission-asset metrics over the `audience` table (snapshots and deltas per account series).

The `audience` base holds the series of the accounts the plan owns (metrics/bases.py), each row with what a
period opening on it needs of the days before it (`history`, window functions over the whole series); it is
reduced per series (platform, account, audience metric) and period first — see `per_series` — so that "last
snapshot in the period per account, summed over accounts" is a plain sum after. `per_series` is the one
definition of audience growth and of the size a growth rate divides by (metrics.md): `measure`, the KPIs and
the report's permission-asset table all read it. A period's growth from snapshots runs from the last snapshot
before it, so that the months of a series add up to its whole. `audience_gaps` finds the gaps between exports
a growth may span.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.types import Metric, ratio, total

if TYPE_CHECKING:
    from collections.abc import Sequence

    import ibis.expr.types as ir


def history(t: ir.Table) -> ir.Table:
    """Each row of an audience base (`series`, `ts`, `value`, `gained`, `lost`, every day of its series, before
    any window of dates) with what a period opening on it needs from before: `prev` and `prev_ts`, the last
    snapshot before the row, and `start`, the size at the start of the row's day by the deltas: the last
    snapshot before the row (else the first at or after it, the deltas covering the days up to it: a member
    export lists every member) carried over the deltas in between; and `change`, the row's part of a growth."""
    import ibis

    has_delta = t.gained.notnull() | t.lost.notnull()
    step = ibis.ifelse(has_delta, t.gained.fill_null(0) - t.lost.fill_null(0), 0.0)
    ahead = ibis.cumulative_window(group_by="series", order_by="ts")
    back = ibis.cumulative_window(group_by="series", order_by=ibis.desc("ts"))
    t = t.mutate(_step=step, _cum=step.sum().over(ahead), _n_at=t.value.count().over(ahead),
                 _n_from=t.value.count().over(back))
    # `_k`: a snapshot less the deltas up to its day (the same for every snapshot where deltas and snapshots
    # agree): the size at any day is `_k` plus the deltas up to that day. Each run of rows sharing `_n_at`
    # starts at a snapshot (the last at or before each row), each run sharing `_n_from` ends at one (the
    # first at or after it): the snapshot's figures spread over its run by a window over the run.
    t = t.mutate(_k=t.value - t._cum)
    at = ibis.window(group_by=["series", "_n_at"])
    t = t.mutate(_snap_at=t.value.max().over(at), _snap_ts_at=t.ts.min().over(at), _k_at=t._k.max().over(at),
                 _k_from=t._k.max().over(ibis.window(group_by=["series", "_n_from"])))
    t = t.mutate(_snap_ts_at=ibis.ifelse(t._n_at > 0, t._snap_ts_at, ibis.null("timestamp")))
    order = ibis.window(group_by="series", order_by="ts")
    # From a later snapshot only where its deltas do not exceed it: a size below 0 before them means the deltas
    # and the snapshot disagree (a member export counting a leaver whose leaving it does not date).
    # The same from an earlier snapshot: one below the deltas up to its day (a member export dated by its latest
    # time, 2023-04-21, while the list's other exports date leaves after it) gives no size, not one too small.
    k_before = t._k_at.lag().over(order)
    k = ibis.ifelse(k_before.notnull(), ibis.ifelse(k_before >= 0, k_before, ibis.null("float64")),
                    ibis.ifelse(t._k_from >= 0, t._k_from, ibis.null("float64")))
    start = k + (t._cum - t._step)
    # `change`: the row's part of a growth, so that any periods add up to the whole: the day's deltas where the
    # source gives them; else at a snapshot its change from the size before it (the snapshot before carried over
    # the deltas since), which counts the members who left between two member exports without a date. After
    # deltas and no snapshot, the size before them is unknown but not below 0; before any delta or snapshot, none.
    deltas_before = has_delta.cast("int64").sum().over(ahead)
    jump = ibis.ifelse(k_before.notnull(), t._k - k_before,
                       ibis.ifelse(deltas_before > 0, ibis.least(t._k, 0.0), ibis.null("float64")))
    change = ibis.ifelse(has_delta, t._step, ibis.ifelse(t.value.notnull(), jump, ibis.null("float64")))
    t = t.mutate(prev=t._snap_at.lag().over(order), prev_ts=t._snap_ts_at.lag().over(order), start=start,
                 change=change)
    return t.drop("_step", "_cum", "_n_at", "_n_from", "_k", "_snap_at", "_snap_ts_at", "_k_at", "_k_from")


def per_series(t: ir.Table, groups: Sequence[str]) -> ir.Table:
    """One row per (groups, series): first/last snapshot, Σ deltas, the net growth and the size at the
    period's start (`start`: what `audience_growth_rate` divides by), from rows passed through `history`.

    Growth is the Σ of the rows' `change` (`history`): the deltas of the days that give them, and the change
    of each snapshot of a day without deltas from the size before it; a series of snapshots only: the last
    snapshot in the period less the last one before it (the first in it where none is before). Being a sum
    over rows, the periods of a series add up to its whole. One snapshot alone shows no growth (null). The
    size at the start is `history`'s `start` of the period's first row."""
    import ibis

    t = t.mutate(_opens=t.ts == t.ts.min().over(ibis.window(group_by=[*groups, "series"])))
    has_value = t.value.notnull()
    has_delta = t.gained.notnull() | t.lost.notnull()
    s = t.group_by([*groups, "series"]).aggregate(
        first=t.value.argmin(t.ts, where=has_value),
        last=t.value.argmax(t.ts, where=has_value),
        first_ts=t.ts.min(where=has_value | has_delta),
        last_ts=t.ts.max(where=has_value | has_delta),
        n_snap=t.value.count(),
        gained=t.gained.sum(),
        lost=t.lost.sum(),
        n_gained=t.gained.count(),
        n_lost=t.lost.count(),
        n_delta=t.count(where=has_delta),
        delta=(t.gained.fill_null(0) - t.lost.fill_null(0)).sum(where=has_delta),
        prev=t.prev.max(where=t._opens),
        prev_ts=t.prev_ts.max(where=t._opens),
        start_by_deltas=t.start.max(where=t._opens),
        growth=t.change.sum().cast("float64"),
    )
    base = s.prev.fill_null(s["first"])  # the snapshot a growth from snapshots is counted from
    start = ibis.ifelse(s.growth.notnull(), s.start_by_deltas, ibis.null("float64"))
    return s.mutate(base=base, start=start.cast("float64"))


# A step between two consecutive days of a series is a gap when it is longer than both GAP_MIN_DAYS and
# GAP_FACTOR times the series' usual (median) step: a daily export missing a week, a monthly one a quarter.
GAP_MIN_DAYS = 2
GAP_FACTOR = 2.0
MEMBER_SERIES = "subscribers"  # metrics of the member-export series (subscribers, subscribers_unsubscribed, ...)


def audience_gaps(audience: ir.Table) -> ir.Table:
    """(platform, account, metric, deltas, last_before, first_after, days) for every gap between two data
    days of an audience series; `deltas` when the series' growth is a sum of deltas."""
    import ibis

    # Member exports (Mailchimp, Substack, beehiiv) list every member of the list: a day without a join or a
    # leave had none, so their series have no gaps to report.
    audience = audience.filter(~((audience.platform == "email") & audience.metric.startswith(MEMBER_SERIES)))
    a = audience.select("platform", "account", "metric", d=audience.date.cast("date")).distinct()
    w = ibis.window(group_by=["platform", "account", "metric"], order_by="d")
    a = a.mutate(prev=a.d.lag().over(w))
    steps = a.filter(a.prev.notnull())
    steps = steps.mutate(days=steps.d.epoch_days() - steps.prev.epoch_days())
    usual = steps.group_by(["platform", "account", "metric"]).aggregate(usual=steps.days.median())
    j = steps.join(usual, ["platform", "account", "metric"])
    gaps = j.filter((j.days > GAP_MIN_DAYS) & (j.days > GAP_FACTOR * j.usual))
    # Whether the series' growth is a sum of deltas (which then leaves out the change during a gap).
    given = audience.group_by(["platform", "account", "metric"]).aggregate(
        deltas=(audience.gained.notnull() | audience.lost.notnull()).any())
    gaps = gaps.join(given, ["platform", "account", "metric"])
    return gaps.select("platform", "account", "metric", "deltas", last_before=gaps.prev, first_after=gaps.d,
                       days=gaps.days).order_by(["platform", "account", "metric", "last_before"])


def _size(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"aud_size": t["last"].sum(), "aud_size_n": t["last"].count()}


def _growth(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"aud_growth": t.growth.sum(), "aud_growth_n": t.growth.count()}


def _growth_rate(t: ir.Table) -> dict[str, ir.Scalar]:
    # A list that started empty (a member export's whole history) or a size the data contradicts has no rate.
    both = t.growth.notnull() & (t.start > 0)
    return {"aud_rate_num": t.growth.sum(where=both), "aud_rate_den": t.start.sum(where=both)}


def _gained(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"aud_gained": t.gained.sum(), "aud_gained_n": t.n_gained.sum()}


def _lost(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"aud_lost": t.lost.sum(), "aud_lost_n": t.n_lost.sum()}


AUDIENCE: tuple[Metric, ...] = (
    Metric(BY_ID["audience_size"], {"audience": _size}, total("aud_size", "aud_size_n")),
    Metric(BY_ID["audience_growth"], {"audience": _growth}, total("aud_growth", "aud_growth_n")),
    Metric(BY_ID["audience_growth_rate"], {"audience": _growth_rate}, ratio("aud_rate_num", "aud_rate_den"),
           quotient=True),
    Metric(BY_ID["audience_gained"], {"audience": _gained}, total("aud_gained", "aud_gained_n")),
    Metric(BY_ID["audience_lost"], {"audience": _lost}, total("aud_lost", "aud_lost_n")),
)
