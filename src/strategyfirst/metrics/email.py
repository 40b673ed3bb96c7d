"""Email campaign metrics over owned messages that carry deliveries (Mailchimp campaign reports).

Ratios of sums over the campaigns in scope that give both figures: Σ unique opens / Σ successful deliveries,
and likewise for unique clicks and unsubscribes (never a mean of the report's per-campaign rates).
"""

from __future__ import annotations

from strategyfirst.metrics.reach import rate
from strategyfirst.metrics.types import Metric

EMAIL: tuple[Metric, ...] = (
    rate("email_open_rate", "opens", "deliveries"),
    rate("email_click_rate", "clicks", "deliveries"),
    rate("email_unsubscribe_rate", "unsubscribes", "deliveries"),
)
