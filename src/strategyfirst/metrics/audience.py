"""Permission-asset metrics over the `audience` table (snapshots and deltas per account series).

The `audience` base is reduced per series (platform, account, audience metric) and period first — see
`per_series` — so that "last snapshot in the period per account, summed over accounts" is a plain sum after.
`per_series` is the one definition of audience growth (metrics.md): `measure`, the KPIs and the report's
permission-asset table all read it. `audience_gaps` finds the gaps between exports a growth may span.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.types import Metric, ratio, total

if TYPE_CHECKING:
    from collections.abc import Sequence

    import ibis.expr.types as ir


def per_series(t: ir.Table, groups: Sequence[str]) -> ir.Table:
    """One row per (groups, series): first/last snapshot, Σ deltas, and the net growth they give."""
    import ibis

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
    )
    # Σ deltas where the source gives deltas, else last − first snapshot.
    growth = ibis.cases((s.n_delta > 0, s.delta), (s.n_snap > 0, s.last - s.first),
                        else_=ibis.null("float64"))
    return s.mutate(growth=growth.cast("float64"))


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
    both = t.growth.notnull() & t["first"].notnull()
    return {"aud_rate_num": t.growth.sum(where=both), "aud_rate_den": t["first"].sum(where=both)}


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
