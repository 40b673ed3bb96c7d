"""The metric catalogue as data: id, plain label, version, unit, direction, family, needs, description.

This is the single list of metric ids (../shared/spec/metrics.md). It has no imports from the rest of the
package so that every layer (plan, lint, metrics, diagnose, report, web) can read it; the Ibis expressions that
compute each metric live in `strategyfirst.metrics`, keyed by these ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["ratio", "count", "minutes", "currency", "score"]
Direction = Literal["up", "down", "none"]
Family = Literal["dialogue", "reach", "audience", "site", "cost"]


@dataclass(frozen=True)
class MetricSpec:
    """One metric of the registry (formula in metrics.md)."""

    id: str
    unit: Unit
    direction: Direction
    family: Family
    needs: tuple[str, ...]
    description: str
    version: int = 1
    # "accumulates" metrics pace linearly from baseline to target; the others must hold their target each period.
    accumulates: bool = False

    @property
    def label(self) -> str:
        """The plain label people read in tables ("Median first response (min)"); ids stay in JSON/CSV."""
        return LABELS.get(self.id) or self.id.replace("_", " ").capitalize()

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """The (low, high) values the metric can take (None: open); a target outside them is never met."""
        return RANGES.get(self.id, UNIT_RANGES[self.unit])

    @property
    def formula(self) -> str:
        """How it is computed, in words (metrics.md)."""
        return self.description


def _m(id: str, unit: Unit, direction: Direction, family: Family, needs: str, description: str,
       accumulates: bool = False, version: int = 1) -> MetricSpec:
    return MetricSpec(id, unit, direction, family, tuple(needs.split()), description, version=version,
                      accumulates=accumulates)


METRICS: tuple[MetricSpec, ...] = (
    _m("inbound_messages", "count", "none", "dialogue", "messages.owned messages.in_reply_to messages.text",
       "Number of inbound messages: non-owned messages that reply to an owned account, are replied to by it, "
       "or mention its @handle", accumulates=True),
    _m("response_rate", "ratio", "up", "dialogue", "messages.owned messages.in_reply_to",
       "Inbound messages with at least one reply from the account they are inbound to / inbound messages"),
    _m("conversation_response_rate", "ratio", "up", "dialogue", "messages.owned messages.conversation_id",
       "Audience-started conversations with an owned message / audience-started conversations "
       "involving an owned account"),
    _m("first_response_minutes_median", "minutes", "down", "dialogue", "messages.created_at messages.in_reply_to",
       "Median over answered inbound messages of the minutes to the earliest reply (negative gaps are data "
       "errors: excluded and counted in data quality)"),
    _m("first_response_minutes_p90", "minutes", "down", "dialogue", "messages.created_at messages.in_reply_to",
       "90th percentile (linear interpolation) of the same minutes to the earliest reply"),
    _m("dialogue_ratio", "ratio", "up", "dialogue", "messages.owned messages.in_reply_to",
       "Owned messages that reply to a non-owned message / owned messages (a reply whose parent is not in the "
       "data counts as a reply to the audience)"),
    _m("conversation_depth_mean", "count", "none", "dialogue", "messages.conversation_id",
       "Mean number of messages per conversation involving an owned account"),
    _m("sentiment_inbound_mean", "score", "up", "dialogue", "messages.text",
       "Mean VADER compound score of inbound message texts"),
    _m("sentiment_lift", "score", "up", "dialogue", "messages.text messages.conversation_id",
       "Mean over audience-started conversations with 2+ audience messages and an owned reply of the VADER "
       "compound of the last audience message minus that of the first"),
    _m("posts", "count", "none", "reach", "messages.owned messages.in_reply_to",
       "Owned messages that are not replies", accumulates=True),
    _m("impressions", "count", "up", "reach", "messages.impressions", "Sum of impressions", accumulates=True),
    _m("reach", "count", "up", "reach", "messages.reach", "Sum of people reached", accumulates=True),
    _m("engagements", "count", "up", "reach", "messages.engagements",
       "Sum of engagements (likes + comments + shares + clicks where no total is given)", accumulates=True),
    _m("engagement_rate", "ratio", "up", "reach", "messages.engagements messages.impressions",
       "Sum of engagements / sum of impressions over messages with both"),
    _m("engagement_rate_by_reach", "ratio", "up", "reach", "messages.engagements messages.reach",
       "Sum of engagements / sum of reach over messages with both"),
    # Versions 1 and 3 are over messages with both; 2 summed each over the messages giving it, so the impressions
    # of a source without clicks or shares (YouTube Studio) diluted the rate.
    _m("click_through_rate", "ratio", "up", "reach", "messages.clicks messages.impressions",
       "Sum of clicks / sum of impressions over messages with both", version=3),
    _m("amplification_rate", "ratio", "up", "reach", "messages.shares messages.impressions",
       "Sum of shares / sum of impressions over messages with both", version=3),
    _m("likes", "count", "up", "reach", "messages.likes", "Sum of likes (reactions) of owned messages",
       accumulates=True),
    _m("comments", "count", "up", "reach", "messages.comments", "Sum of comments (replies) on owned messages",
       accumulates=True),
    _m("shares", "count", "up", "reach", "messages.shares", "Sum of shares (retweets, reposts) of owned messages",
       accumulates=True),
    _m("saves", "count", "up", "reach", "messages.saves", "Sum of saves (bookmarks, favourites) of owned messages",
       accumulates=True),
    _m("video_views", "count", "up", "reach", "messages.video_views",
       "Sum of video views (YouTube views, Meta 3-second views, TikTok views) of owned messages", accumulates=True),
    _m("watch_minutes", "minutes", "up", "reach", "messages.watch_minutes",
       "Sum of minutes watched of owned videos", accumulates=True),
    _m("audience_size", "count", "up", "audience", "audience.value",
       "Last snapshot in the period per account, summed over accounts"),
    _m("audience_growth", "count", "up", "audience", "audience.value audience.gained audience.lost",
       "Net change: the sum of deltas (subscribes - unsubscribes) of the days the source gives them, plus the "
       "change of each snapshot of a day without deltas from the size before it (a later member export "
       "without join times: the members who left meanwhile); a series of snapshots only: the last snapshot in "
       "the period - the last snapshot before the period (the first in the period where none is before); so "
       "that periods add up to the whole; null from a single snapshot", accumulates=True,
       version=3),  # 1: last - first snapshot inside the period (the change between two periods was in neither);
    # 2: the sum of deltas wherever a period had any, leaving out a later smaller size without deltas
    _m("audience_growth_rate", "ratio", "up", "audience", "audience.value audience.gained audience.lost",
       "audience_growth / audience size at the period's start: the snapshot the growth is counted from; with "
       "deltas, the last snapshot before the period plus the deltas since, else the first snapshot from the "
       "period's start on less the deltas up to it (a member export's list size); null where that size is "
       "unknown or not above 0", version=3),  # 1: / first snapshot in the period (a member list's end size);
    # 2: its audience_growth of version 2
    _m("audience_gained", "count", "up", "audience", "audience.gained",
       "Sum of subscribes / new follows", accumulates=True),
    _m("audience_lost", "count", "down", "audience", "audience.lost",
       "Sum of unsubscribes / unfollows", accumulates=True),
    _m("follows_from_posts", "count", "up", "audience", "messages.follows",
       "Sum of the follows column of owned messages", accumulates=True),
    _m("email_open_rate", "ratio", "up", "audience", "messages.opens messages.deliveries",
       "Sum of unique opens / sum of successful deliveries over email campaigns"),
    _m("email_click_rate", "ratio", "up", "audience", "messages.clicks messages.deliveries",
       "Sum of unique clicks / sum of successful deliveries over email campaigns"),
    _m("email_unsubscribe_rate", "ratio", "down", "audience", "messages.unsubscribes messages.deliveries",
       "Sum of unsubscribes / sum of successful deliveries over email campaigns"),
    _m("social_sessions", "count", "up", "site", "site_traffic.sessions site_traffic.value",
       "Sum of sessions where the channel group is Organic Social or Paid Social (or the source / medium names "
       "a social platform); per tactic, the sessions of its campaign (or of sources naming its platform)",
       accumulates=True),
    _m("social_conversions", "count", "up", "site", "site_traffic.conversions site_traffic.value",
       "Sum of conversions (GA4 key events) over the same rows as social_sessions", accumulates=True),
    _m("social_conversion_rate", "ratio", "up", "site", "site_traffic.conversions site_traffic.sessions",
       "social_conversions / social_sessions"),
    _m("email_sessions", "count", "up", "site", "site_traffic.sessions site_traffic.value",
       "Sum of sessions of channel Email (or medium email)", accumulates=True),
    _m("spend", "currency", "none", "cost", "spend.amount messages.spend",
       "Spend table plus per-message promoted spend", accumulates=True),
    _m("budget_burn", "ratio", "none", "cost", "spend.amount",
       "Spend / budget of the scope (tactic budget, or plan total)"),
    _m("cost_per_engagement", "currency", "down", "cost", "spend.amount messages.engagements",
       "Spend / engagements"),
    _m("cost_per_new_subscriber", "currency", "down", "cost", "spend.amount audience.value",
       "Spend / audience_growth (null when growth <= 0)", version=2),  # 1: over audience_growth version 1
    _m("cost_per_result", "currency", "down", "cost", "spend.amount spend.results spend.result_indicator",
       "Spend of paid exports (Meta Ads Manager) / their results, within one result indicator; null where the "
       "scope mixes indicators (data quality gives the cost per result of each)"),
    _m("cost_per_social_conversion", "currency", "down", "cost", "spend.amount site_traffic.conversions",
       "Spend / social_conversions"),
)

# The values a metric can take, by unit (lint rule `impossible-target`), and the metrics that differ: ratios
# that are not shares of a whole, a net change that can be negative, a difference of two scores.
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "ratio": (0.0, 1.0), "count": (0.0, None), "minutes": (0.0, None), "currency": (0.0, None),
    "score": (-1.0, 1.0)}
RANGES: dict[str, tuple[float | None, float | None]] = {
    "audience_growth": (None, None),
    "audience_growth_rate": (-1.0, None),
    "budget_burn": (0.0, None),
    "engagement_rate_by_reach": (0.0, None),
    "social_conversion_rate": (0.0, None),
    "sentiment_lift": (-2.0, 2.0),
}

# Plain labels, by id; a new metric adds its label here (a test checks every catalogue id has one). Labels
# of the metrics planned in metrics.md are here ahead of their entries.
LABELS: dict[str, str] = {
    "inbound_messages": "Inbound messages",
    "response_rate": "Response rate",
    "conversation_response_rate": "Conversations answered",
    "first_response_minutes_median": "Median first response (min)",
    "first_response_minutes_p90": "First response, 90th pct (min)",
    "dialogue_ratio": "Replies as share of own messages",
    "conversation_depth_mean": "Messages per conversation",
    "sentiment_inbound_mean": "Inbound sentiment",
    "sentiment_lift": "Sentiment lift in conversations",
    "posts": "Posts",
    "impressions": "Impressions",
    "reach": "People reached",
    "engagements": "Engagements",
    "engagement_rate": "Engagement rate",
    "engagement_rate_by_reach": "Engagement rate by reach",
    "click_through_rate": "Click-through rate",
    "amplification_rate": "Share rate",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "video_views": "Video views",
    "watch_minutes": "Watch time (min)",
    "audience_size": "Audience size",
    "audience_growth": "Audience growth",
    "audience_growth_rate": "Audience growth rate",
    "audience_gained": "New followers / subscribers",
    "audience_lost": "Lost followers / subscribers",
    "follows_from_posts": "Follows from posts",
    "email_open_rate": "Email open rate",
    "email_click_rate": "Email click rate",
    "email_unsubscribe_rate": "Email unsubscribe rate",
    "social_sessions": "Site visits from social",
    "social_conversions": "Conversions from social",
    "social_conversion_rate": "Conversion rate from social",
    "email_sessions": "Site visits from email",
    "spend": "Spend",
    "budget_burn": "Budget spent",
    "cost_per_engagement": "Cost per engagement",
    "cost_per_new_subscriber": "Cost per new subscriber",
    "cost_per_result": "Cost per result",
    "cost_per_social_conversion": "Cost per conversion from social",
}

METRIC_IDS: tuple[str, ...] = tuple(m.id for m in METRICS)
BY_ID: dict[str, MetricSpec] = {m.id: m for m in METRICS}

# KPIs on these measure the dialogue itself (lint rule `broadcast-only`).
DIALOGUE_KPI_METRICS: frozenset[str] = frozenset(
    {"response_rate", "conversation_response_rate", "first_response_minutes_median",
     "first_response_minutes_p90", "dialogue_ratio", "sentiment_lift"}
)


# Counts that are means (messages per conversation): shown with one decimal always, so that a mean of exactly 1
# reads "1.0" beside another's "1.1", not "1".
MEANS = frozenset({"conversation_depth_mean"})


def get(metric_id: str) -> MetricSpec | None:
    """The spec of a metric id, or None."""
    return BY_ID.get(metric_id)
