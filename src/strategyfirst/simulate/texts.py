"""Message texts of the simulated conversations: a few templates per desk and kind of message.

Texts are built as `@mention ` + template, so each table here is pre-quoted for CSV once (a template with a
comma or quote gets its opening quote from `OPEN` and its escaped body and closing quote from `BODY`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIRST: dict[str, tuple[str, ...]] = {
    "NorthwindHelp": (
        "my order hasn't arrived and the tracking page has said 'in transit' for six days",
        "I was charged twice for the same helmet. Can someone look at this?",
        "the discount code from your email doesn't work at checkout",
        "where is my refund? Returned the jacket three weeks ago",
        "wrong size delivered, how do I swap it",
        "your website keeps logging me out when I try to pay",
        "can I change the delivery address on an order I placed this morning?",
        "the lights I bought stopped charging after a week. Not impressed",
    ),
    "NorthwindRepairs": (
        "booked a service for Saturday and nobody has confirmed it",
        "my e-bike battery is still at your workshop, any news?",
        "the gears are slipping again two days after the repair, really frustrating",
        "how long does a wheel truing take? Need the bike for work",
        "dropped my bike off for brakes a week ago and heard nothing",
        "is the warranty repair on my frame approved yet?",
    ),
    "NorthwindCycles": (
        "do you sponsor the city ride on Sunday?",
        "love the new commuter range, when is it in stores?",
        "are you hiring mechanics?",
        "which lock do you recommend for city parking",
    ),
}
REPLY: dict[str, tuple[str, ...]] = {
    "NorthwindHelp": (
        "Sorry about this! Please DM us your order number and we'll sort it out right away.",
        "Thanks for flagging, we've refunded the duplicate charge; it shows in 3-5 days.",
        "We're on it. Could you send us a DM with your email address so we can check the order?",
        "Apologies for the wait, your parcel is with the courier today. Tracking updates tonight.",
        "That's not the experience we want for you. A replacement is on its way.",
    ),
    "NorthwindRepairs": (
        "We'll check with the workshop and come back to you.",
        "Please DM us your job number.",
        "Sorry for the delay, the workshop is very busy at the moment.",
    ),
    "NorthwindCycles": (
        "Thanks for reaching out! Our care team at @NorthwindHelp can help with that.",
        "Great question, more news soon!",
    ),
}
FOLLOW_POSITIVE: tuple[str, ...] = (
    "thank you, that was quick! Sorted",
    "great, thanks a lot for the help :)",
    "perfect, received it. Thanks!",
    "brilliant service, thank you",
)
FOLLOW_NEGATIVE: tuple[str, ...] = (
    "that doesn't answer my question at all",
    "I already sent a DM yesterday and got nothing back",
    "still broken. This is ridiculous",
)
REPLY_THANKS: tuple[str, ...] = (
    "Glad we could help! Ride safe.",
    "You're welcome, enjoy the ride!",
    "Happy to help. Have a great day!",
)
NUDGE: tuple[str, ...] = (
    "still waiting for an answer...",
    "hello?? anyone there? Terrible service",
    "no reply after hours. Really disappointed",
)
ME_TOO: tuple[str, ...] = (
    "same problem here, please help",
    "me too, it's been days",
)


@dataclass(frozen=True)
class TextTable:
    """All templates in one array; `OPEN`/`BODY` give the CSV-ready pieces."""

    texts: tuple[str, ...]
    open: np.ndarray      # '"' where the whole field needs quoting, else ''
    body: np.ndarray      # escaped template + closing quote where quoted


def _table(texts: tuple[str, ...]) -> TextTable:
    quoted = [any(c in t for c in ',"\r\n') for t in texts]
    open_ = np.array(['"' if q else "" for q in quoted], dtype=object)
    body = np.array([t.replace('"', '""') + ('"' if q else "") for t, q in zip(texts, quoted, strict=True)],
                    dtype=object)
    return TextTable(texts, open_, body)


TemplateIndex = dict[str, dict[str, np.ndarray]]


def build_catalogue(initials: dict[str, tuple[str, ...]]) -> tuple[TextTable, TemplateIndex]:
    """One table of every template and, per desk and kind, the indices of its templates in that table."""
    texts: list[str] = []
    index: TemplateIndex = {}

    def add(items: tuple[str, ...] | list[str]) -> np.ndarray:
        first = len(texts)
        texts.extend(items)
        return np.arange(first, len(texts), dtype=np.int64)

    shared = {"follow_pos": add(FOLLOW_POSITIVE), "follow_neg": add(FOLLOW_NEGATIVE),
              "nudge": add(NUDGE), "me_too": add(ME_TOO)}
    for handle in FIRST:
        signed = [f"{r} ^{who}" for r in REPLY[handle] for who in initials[handle]]
        thanks = [f"{r} ^{who}" for r in REPLY_THANKS for who in initials[handle]]
        index[handle] = {"first": add(FIRST[handle]), "reply": add(signed), "reply_thanks": add(thanks),
                         **shared}
    return _table(tuple(texts)), index
