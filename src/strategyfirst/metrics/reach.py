"""Reach and engagement metrics over owned messages that carry the figures (null means "not given").

The `owned` base has one row per owned message with `is_post`, `impressions`, `reach`, `eng` (the total, or
likes + comments + shares + clicks where the source gives no total), `clicks`, `shares`, `follows`, `spend`,
`likes`, `comments`, `saves`, `video_views`, `watch_minutes`.
Ratios are Σa / Σb over the messages that carry both figures (metrics.md: the family is over "owned messages that
carry these fields"): the impressions of a message without clicks (YouTube Studio gives none) do not dilute
click_through_rate. A source that writes a zero as a blank cell (Facebook's breakdown columns) reads it as 0 on
import, so its messages still count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.types import Metric, Reductions, ratio, total

if TYPE_CHECKING:
    import ibis.expr.types as ir


def _posts(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"own_posts": t.count(where=t.is_post), "own_n": t.count()}


def _sum(column: str) -> Reductions:
    def reductions(t: ir.Table) -> dict[str, ir.Scalar]:
        return {f"{column}_sum": t[column].sum(), f"{column}_n": t[column].count()}

    return reductions


def _ratio_over_both(top: str, bottom: str) -> Reductions:
    def reductions(t: ir.Table) -> dict[str, ir.Scalar]:
        both = t[top].notnull() & t[bottom].notnull()
        return {f"{top}_over_{bottom}_num": t[top].sum(where=both),
                f"{top}_over_{bottom}_den": t[bottom].sum(where=both)}

    return reductions


def rate(metric_id: str, top: str, bottom: str) -> Metric:
    """Σ top / Σ bottom over the messages that carry both."""
    return Metric(BY_ID[metric_id], {"owned": _ratio_over_both(top, bottom)},
                  ratio(f"{top}_over_{bottom}_num", f"{top}_over_{bottom}_den"), quotient=True)


REACH: tuple[Metric, ...] = (
    # posts is 0 (not null) when owned messages exist but all are replies: n counts the owned messages seen.
    Metric(BY_ID["posts"], {"owned": _posts}, total("own_posts", "own_n")),
    Metric(BY_ID["impressions"], {"owned": _sum("impressions")}, total("impressions_sum", "impressions_n")),
    Metric(BY_ID["reach"], {"owned": _sum("reach")}, total("reach_sum", "reach_n")),
    Metric(BY_ID["engagements"], {"owned": _sum("eng")}, total("eng_sum", "eng_n")),
    rate("engagement_rate", "eng", "impressions"),
    rate("engagement_rate_by_reach", "eng", "reach"),
    rate("click_through_rate", "clicks", "impressions"),
    rate("amplification_rate", "shares", "impressions"),
    *[Metric(BY_ID[f], {"owned": _sum(f)}, total(f"{f}_sum", f"{f}_n"))
      for f in ("likes", "comments", "shares", "saves", "video_views", "watch_minutes")],
    Metric(BY_ID["follows_from_posts"], {"owned": _sum("follows")}, total("follows_sum", "follows_n")),
)
