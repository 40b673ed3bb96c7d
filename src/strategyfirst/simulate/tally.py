"""Dialogue figures of the simulated conversations, computed from the messages as written (for truth.json).

Definitions follow metrics.md: every customer message in a desk's conversation mentions the desk, so it is
inbound to it; it is answered when the desk replied to it; the first-response gap runs to the earliest reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategyfirst.simulate import org
from strategyfirst.simulate.conversations import CATALOGUE, Chunk


def month_index(t: np.ndarray) -> np.ndarray:
    months = t.astype("datetime64[s]").astype("datetime64[M]")
    return (months - np.datetime64(org.START, "M")).astype(np.int64)


@dataclass
class DialogueTally:
    """Per-inbound-message facts gathered chunk by chunk."""

    desk: list[np.ndarray] = field(default_factory=list)
    month: list[np.ndarray] = field(default_factory=list)
    how: list[np.ndarray] = field(default_factory=list)
    gap_minutes: list[np.ndarray] = field(default_factory=list)     # NaN when unanswered
    conv_desk: list[np.ndarray] = field(default_factory=list)
    conv_answered: list[np.ndarray] = field(default_factory=list)
    conv_size: list[np.ndarray] = field(default_factory=list)
    lift_desk: list[np.ndarray] = field(default_factory=list)
    lift_first_tpl: list[np.ndarray] = field(default_factory=list)
    lift_last_tpl: list[np.ndarray] = field(default_factory=list)
    messages: int = 0

    def add(self, chunk: Chunk) -> None:
        self.messages += len(chunk)
        brand = np.flatnonzero(chunk.brand)
        order = np.lexsort((chunk.t[brand], chunk.parent[brand]))
        parents, first = np.unique(chunk.parent[brand][order], return_index=True)
        first_reply = np.full(len(chunk), -1, dtype=np.int64)
        first_reply[parents] = chunk.t[brand][order][first]
        inbound = np.flatnonzero(~chunk.brand)
        answered = first_reply[inbound] >= 0
        gap = np.where(answered, (first_reply[inbound] - chunk.t[inbound]) / 60.0, np.nan)
        self.desk.append(chunk.desk[inbound].astype(np.int8))
        self.month.append(month_index(chunk.t[inbound]).astype(np.int8))
        self.how.append(org.hour_of_week(chunk.t[inbound]).astype(np.int16))
        self.gap_minutes.append(gap.astype(np.float64))

        conv, start = np.unique(chunk.conv, return_index=True)
        size = np.diff(np.r_[start, len(chunk)])
        self.conv_desk.append(chunk.desk[start])
        self.conv_size.append(size)
        self.conv_answered.append(np.add.reduceat(chunk.brand.astype(np.int64), start) > 0)

        # sentiment lift: conversations with >= 2 audience messages and >= 1 desk reply
        aud = inbound[np.lexsort((chunk.t[inbound], chunk.conv[inbound]))]
        c_aud = chunk.conv[aud]
        a_conv, a_start, a_count = np.unique(c_aud, return_index=True, return_counts=True)
        last = a_start + a_count - 1
        replied = self.conv_answered[-1][np.searchsorted(conv, a_conv)]
        keep = (a_count >= 2) & replied
        self.lift_desk.append(chunk.desk[aud[a_start[keep]]])
        self.lift_first_tpl.append(chunk.tpl[aud[a_start[keep]]])
        self.lift_last_tpl.append(chunk.tpl[aud[last[keep]]])

    def hour_of_week_counts(self) -> np.ndarray:
        """Inbound messages per hour of week, all desks (what the capacity planner measures)."""
        return np.bincount(np.concatenate(self.how), minlength=168) if self.how else np.zeros(168, np.int64)

    def pooled(self, desks: list[int]) -> dict[str, Any]:
        """Dialogue metrics over the inbound messages of several desks together (an objective's scope)."""
        gap = np.concatenate(self.gap_minutes)
        return _dialogue(gap[np.isin(np.concatenate(self.desk), desks)])

    def summary(self, scores: dict[int, np.ndarray]) -> dict[str, Any]:
        """Per desk (overall and per month): the dialogue metrics as metrics.md defines them."""
        desk, month = np.concatenate(self.desk), np.concatenate(self.month)
        gap = np.concatenate(self.gap_minutes)
        conv_desk, conv_ans = np.concatenate(self.conv_desk), np.concatenate(self.conv_answered)
        conv_size = np.concatenate(self.conv_size)
        lift_desk = np.concatenate(self.lift_desk)
        lift_first, lift_last = np.concatenate(self.lift_first_tpl), np.concatenate(self.lift_last_tpl)
        out: dict[str, Any] = {}
        for j, d in enumerate(org.DESKS):
            mine = desk == j
            row = _dialogue(gap[mine])
            cm = conv_desk == j
            row["conversations"] = int(cm.sum())
            row["conversation_response_rate"] = _ratio(int(conv_ans[cm].sum()), int(cm.sum()))
            row["conversation_depth_mean"] = _round(float(conv_size[cm].mean())) if cm.any() else None
            lm = lift_desk == j
            score = scores[j]
            lifts = score[lift_last[lm]] - score[lift_first[lm]]
            row["sentiment_lift"] = _round(float(lifts.mean())) if lm.any() else None
            row["sentiment_lift_conversations"] = int(lm.sum())
            row["by_month"] = {_month_label(m): _dialogue(gap[mine & (month == m)])
                               for m in np.unique(month[mine]).tolist()}
            out[d.handle] = row
        return out


def _month_label(m: int) -> str:
    months = org.START.year * 12 + org.START.month - 1 + m
    return f"{months // 12}-{months % 12 + 1:02d}"


def _round(x: float) -> float:
    return round(x, 6)


def _ratio(num: int, den: int) -> float | None:
    return _round(num / den) if den else None


def _dialogue(gap: np.ndarray) -> dict[str, Any]:
    answered = gap[~np.isnan(gap)]
    some = len(answered) > 0
    return {"inbound_messages": len(gap), "answered": len(answered),
            "response_rate": _ratio(len(answered), len(gap)),
            "first_response_minutes_median": _round(float(np.median(answered))) if some else None,
            "first_response_minutes_p90": _round(float(np.percentile(answered, 90))) if some else None}


def template_scores(prefixes: list[str]) -> dict[int, np.ndarray]:
    """VADER compound score of every template as written by a customer of each desk (`@Desk text`)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    return {j: np.array([analyser.polarity_scores(f"{p}{t}")["compound"] for t in CATALOGUE.texts])
            for j, p in enumerate(prefixes)}
