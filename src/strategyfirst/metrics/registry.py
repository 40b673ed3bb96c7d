"""The metric registry: every catalogue id (strategyfirst.catalog) with its Ibis computation."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from strategyfirst.catalog import METRIC_IDS
from strategyfirst.errors import MeasureError
from strategyfirst.metrics.audience import AUDIENCE
from strategyfirst.metrics.cost import COST
from strategyfirst.metrics.dialogue import DIALOGUE
from strategyfirst.metrics.email import EMAIL
from strategyfirst.metrics.reach import REACH
from strategyfirst.metrics.site import COST_SITE, SITE
from strategyfirst.metrics.types import Metric

REGISTRY: dict[str, Metric] = {m.id: m for m in (*DIALOGUE, *REACH, *AUDIENCE, *COST, *EMAIL, *SITE,
                                                   *COST_SITE)}

# Catalogue order, so that output follows metrics.md.
ORDER: tuple[str, ...] = tuple(i for i in METRIC_IDS if i in REGISTRY)

if set(REGISTRY) != set(METRIC_IDS):  # pragma: no cover - guarded by tests/metrics/test_registry.py
    raise RuntimeError(f"registry and catalogue disagree: {sorted(set(REGISTRY) ^ set(METRIC_IDS))}")


def resolve(metric_ids: Iterable[str] | None) -> list[Metric]:
    """The registry entries for `metric_ids` (all when None), in catalogue order; unknown ids are errors."""
    if metric_ids is None:
        return [REGISTRY[i] for i in ORDER]
    wanted: list[str] = []
    for raw in metric_ids:
        metric_id = raw.strip()
        if metric_id not in REGISTRY:
            close = difflib.get_close_matches(metric_id, ORDER, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else "no close id"
            raise MeasureError(f"unknown metric {metric_id!r}: {hint} (known: {', '.join(ORDER)})")
        if metric_id not in wanted:
            wanted.append(metric_id)
    return [REGISTRY[i] for i in ORDER if i in wanted]
