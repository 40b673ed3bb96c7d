"""Dialogue metrics: do we answer, how fast, does the conversation end better than it began.

Bases (see `metrics/bases.py`): `inbound` has one row per (inbound message, addressed owned account) with
`answered`, `gap` (minutes to the earliest reply of that account) and `sentiment`; `conversations` one row per
(conversation, scope key) with `audience_started`, `answered`, `n_msgs` and `lift`; `owned` one row per owned
message with `reply_to_audience`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.types import Metric, Reductions, mean, ratio, stat, total

if TYPE_CHECKING:
    import ibis.expr.types as ir


def _inbound_count(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"in_n": t.count()}


def _answered(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"in_n": t.count(), "in_answered": t.count(where=t.answered)}


def _gap_quantile(q: float, name: str) -> dict[str, Reductions]:
    def reductions(t: ir.Table) -> dict[str, ir.Scalar]:
        valid = t.gap >= 0  # negative gaps are data errors: excluded here, counted in data quality
        return {name: t.gap.quantile(q, where=valid), "gap_n": t.gap.count(where=valid)}

    return {"inbound": reductions}


def _dialogue_ratio(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"own_n": t.count(), "own_reply_audience": t.count(where=t.reply_to_audience)}


def _conversation_response(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"conv_started": t.count(where=t.audience_started),
            "conv_started_answered": t.count(where=t.audience_started & t.answered)}


def _conversation_depth(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"conv_n": t.count(), "conv_msgs": t.n_msgs.sum()}


def _inbound_sentiment(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"in_sent_sum": t.sentiment.sum(), "in_sent_n": t.sentiment.count()}


def _lift(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"lift_sum": t.lift.sum(), "lift_n": t.lift.count()}


DIALOGUE: tuple[Metric, ...] = (
    Metric(BY_ID["inbound_messages"], {"inbound": _inbound_count}, total("in_n", "in_n")),
    Metric(BY_ID["response_rate"], {"inbound": _answered}, ratio("in_answered", "in_n"), quotient=True),
    Metric(BY_ID["conversation_response_rate"], {"conversations": _conversation_response},
           ratio("conv_started_answered", "conv_started"), quotient=True),
    Metric(BY_ID["first_response_minutes_median"], _gap_quantile(0.5, "gap_median"),
           stat("gap_median", "gap_n")),
    Metric(BY_ID["first_response_minutes_p90"], _gap_quantile(0.9, "gap_p90"),
           stat("gap_p90", "gap_n")),
    Metric(BY_ID["dialogue_ratio"], {"owned": _dialogue_ratio}, ratio("own_reply_audience", "own_n"),
           quotient=True),
    Metric(BY_ID["conversation_depth_mean"], {"conversations": _conversation_depth},
           mean("conv_msgs", "conv_n")),
    Metric(BY_ID["sentiment_inbound_mean"], {"inbound": _inbound_sentiment},
           mean("in_sent_sum", "in_sent_n")),
    Metric(BY_ID["sentiment_lift"], {"conversations": _lift}, mean("lift_sum", "lift_n")),
)
