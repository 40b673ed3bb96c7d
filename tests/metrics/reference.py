"""Plain-Python reference computations of the metrics (metrics.md), independent of the Ibis code.

Each works on the same list of message dicts the tests insert (tests/metrics/helpers.msg) and follows the
spec's words literally, with loops: it is slow and obvious on purpose.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from typing import Any

Msg = dict[str, Any]


def norm(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def owned_handles(msgs: list[Msg], plan_accounts: dict[str, list[str]] | None = None) -> set[tuple[str, str]]:
    out = {(m["platform"], norm(m["account"])) for m in msgs if m["owned"]}
    for platform, handles in (plan_accounts or {}).items():
        out |= {(platform, norm(h)) for h in handles}
    return out


Accounts = dict[str, list[str]] | None


def inbound_pairs(msgs: list[Msg], plan_accounts: Accounts = None) -> dict[tuple[str, str], Msg]:
    """(message_id, account) -> the inbound message, per the three rules of metrics.md."""
    by_id = {m["message_id"]: m for m in msgs}
    handles = owned_handles(msgs, plan_accounts)
    pairs: dict[tuple[str, str], Msg] = {}
    for m in msgs:
        if m["owned"]:
            continue
        parent = by_id.get(m["in_reply_to"]) if m["in_reply_to"] else None
        if parent is not None and parent["owned"]:  # (a) replies to a message of A
            pairs[(m["message_id"], norm(parent["account"]))] = m
        for r in msgs:  # (b) is replied to by A
            if r["owned"] and r["in_reply_to"] == m["message_id"]:
                pairs[(m["message_id"], norm(r["account"]))] = m
        for mention in re.findall(r"@([A-Za-z0-9_]+)", m["text"] or ""):  # (c) mentions @A
            if (m["platform"], mention.lower()) in handles:
                pairs[(m["message_id"], mention.lower())] = m
    return pairs


def first_reply_minutes(msgs: list[Msg], message_id: str, account: str) -> float | None:
    replies = [r for r in msgs if r["owned"] and r["in_reply_to"] == message_id
               and norm(r["account"]) == account and r["created_at"] is not None]
    if not replies:
        return None
    m = next(x for x in msgs if x["message_id"] == message_id)
    first = min(r["created_at"] for r in replies)
    return (first - m["created_at"]).total_seconds() / 60


def answered(msgs: list[Msg], message_id: str, account: str) -> bool:
    return any(r["owned"] and r["in_reply_to"] == message_id and norm(r["account"]) == account for r in msgs)


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (type 7, as numpy's default)."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def dialogue_by_account(msgs: list[Msg], plan_accounts: Accounts = None) -> dict[str, dict[str, Any]]:
    """inbound_messages, response_rate, first_response median/p90 and inbound sentiment per owned account."""
    per: dict[str, list[tuple[str, Msg]]] = defaultdict(list)
    for (mid, acc), m in inbound_pairs(msgs, plan_accounts).items():
        per[acc].append((mid, m))
    out: dict[str, dict[str, Any]] = {}
    for acc, items in per.items():
        gaps = [g for mid, _ in items if (g := first_reply_minutes(msgs, mid, acc)) is not None and g >= 0]
        scores = [m["sentiment"] for _, m in items if m["sentiment"] is not None]
        out[acc] = {
            "inbound_messages": len(items),
            "response_rate": sum(answered(msgs, mid, acc) for mid, _ in items) / len(items),
            "first_response_minutes_median": statistics.median(gaps) if gaps else None,
            "first_response_minutes_p90": quantile(gaps, 0.9) if gaps else None,
            "gap_n": len(gaps),
            "sentiment_inbound_mean": sum(scores) / len(scores) if scores else None,
        }
    return out


def root(msgs: list[Msg], m: Msg) -> str:
    by_id = {x["message_id"]: x for x in msgs}
    node = m
    while node["in_reply_to"] in by_id:
        node = by_id[node["in_reply_to"]]
    return str(node["message_id"])


def conversations(msgs: list[Msg]) -> dict[str, list[Msg]]:
    out: dict[str, list[Msg]] = defaultdict(list)
    for m in msgs:
        out[root(msgs, m)].append(m)
    return out


def conversation_metrics(msgs: list[Msg]) -> dict[str, Any]:
    """conversation_response_rate, conversation_depth_mean, sentiment_lift over all owned accounts."""
    inbound_ids = {mid for mid, _ in inbound_pairs(msgs)}
    involved = {c: ms for c, ms in conversations(msgs).items()
                if any(m["owned"] or m["message_id"] in inbound_ids for m in ms)}
    started = {c: ms for c, ms in involved.items()
               if not next(m for m in ms if m["message_id"] == c)["owned"]}
    answered_started = [c for c, ms in started.items() if any(m["owned"] for m in ms)]
    lifts = []
    for c in answered_started:
        aud = sorted((m for m in started[c] if not m["owned"] and m["sentiment"] is not None),
                     key=lambda m: m["created_at"])
        if len(aud) >= 2:
            lifts.append(aud[-1]["sentiment"] - aud[0]["sentiment"])
    return {
        "conversation_response_rate": len(answered_started) / len(started) if started else None,
        "conversation_depth_mean":
            sum(len(ms) for ms in involved.values()) / len(involved) if involved else None,
        "sentiment_lift": sum(lifts) / len(lifts) if lifts else None,
    }


def engagements(m: Msg) -> float | None:
    if m["engagements"] is not None:
        return float(m["engagements"])
    parts = [m[k] for k in ("likes", "comments", "shares", "clicks")]
    return None if all(p is None for p in parts) else float(sum(p or 0 for p in parts))


def reach_metrics(msgs: list[Msg]) -> dict[str, Any]:
    """The reach-and-engagement family over owned messages."""
    owned = [m for m in msgs if m["owned"]]
    by_id = {m["message_id"]: m for m in msgs}

    def total(key: str) -> float | None:
        values = [m[key] for m in owned if m[key] is not None]
        return float(sum(values)) if values else None

    def rate(top: Any, bottom: str) -> float | None:
        """Σ top / Σ bottom over the messages that give both (metrics.md: "owned messages that carry these
        fields")."""
        pairs = [(top(m), m[bottom]) for m in owned if top(m) is not None and m[bottom] is not None]
        den = sum(b for _, b in pairs)
        return sum(a for a, _ in pairs) / den if den else None

    to_audience = [m for m in owned if m["in_reply_to"] and
                   (m["in_reply_to"] not in by_id or not by_id[m["in_reply_to"]]["owned"])]
    engs = [e for m in owned if (e := engagements(m)) is not None]
    return {
        "posts": sum(1 for m in owned if not m["in_reply_to"] and m["kind"] != "reply"),
        "impressions": total("impressions"), "reach": total("reach"),
        "engagements": float(sum(engs)) if engs else None,
        "engagement_rate": rate(engagements, "impressions"),
        "engagement_rate_by_reach": rate(engagements, "reach"),
        "click_through_rate": rate(lambda m: m["clicks"], "impressions"),
        "amplification_rate": rate(lambda m: m["shares"], "impressions"),
        "follows_from_posts": total("follows"),
        "dialogue_ratio": len(to_audience) / len(owned) if owned else None,
    }
