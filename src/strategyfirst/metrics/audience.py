"""Permission-asset metrics over the `audience` table (snapshots and deltas per account series).

The `audience` base is reduced per series (platform, account, audience metric) and period first — see
`per_series` — so that "last snapshot in the period per account, summed over accounts" is a plain sum after.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.types import Metric, ratio, total


def per_series(t: ir.Table, groups: Sequence[str]) -> ir.Table:
    """One row per (groups, series): first/last snapshot, Σ deltas, and the net growth they give."""
    has_value = t.value.notnull()
    has_delta = t.gained.notnull() | t.lost.notnull()
    s = t.group_by([*groups, "series"]).aggregate(
        first=t.value.argmin(t.ts, where=has_value),
        last=t.value.argmax(t.ts, where=has_value),
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
