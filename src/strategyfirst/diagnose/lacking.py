"""What a tactic's data lack when they hold nothing for a KPI's metric, and what to import to get it, in words.

A tactic with posts but no figure for a KPI (X analytics gives no follower counts) is told so, with what to
import, rather than "no attributed data": its verdict reads "no audience growth attributed to x-posts: ... its
data give no follower or subscriber counts (import ...)".
"""

from __future__ import annotations

from strategyfirst import catalog

# By the first data a metric needs (catalogue `needs`, most specific first): what the data lack, and what to
# import. A metric none of these name falls back on its own label.
_BY_NEED: tuple[tuple[str, str], ...] = (
    ("audience.", "no follower or subscriber counts (import follower exports, such as X analytics' daily account "
                  "export or Facebook's page-level insights, or email list member exports: a tactic counts the "
                  "followers of the owned accounts its match names)"),
    ("site_traffic.", "no site visits (import a GA4 export: traffic acquisition by channel group, source / medium "
                      "or campaign)"),
    ("spend.", "no spend (import a spend CSV or a Meta Ads Manager export)"),
    ("messages.opens", "no email campaign figures (import the email campaign report)"),
    ("messages.deliveries", "no email campaign figures (import the email campaign report)"),
)
# Dialogue metrics count the audience's messages to the tactic's accounts, whatever column they read.
_DIALOGUE = ("no message inbound to it, a reply to or mention of its accounts (import the conversations "
             "with the audience's messages: a twcs log, a canonical CSV)")


def lacking(metric: str) -> str:
    """What a tactic's data lack for `metric`, with what to import: 'no follower or subscriber counts (import
    ...)'."""
    spec = catalog.get(metric)
    if spec is None:
        return f"no {metric}"
    if spec.family == "dialogue":
        return _DIALOGUE
    first = spec.needs[0] if spec.needs else ""
    for need, words in _BY_NEED:
        if first.startswith(need):
            return words
    return f"no {spec.label.replace(' (min)', '').lower()} (import the platform's post export that gives it)"
