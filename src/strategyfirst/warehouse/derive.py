"""Derived tables rebuilt when data or plan change: inbound pairs with first-reply gaps, sentiment, attribution.

Placeholder until the metrics issue fills it in.
"""

from __future__ import annotations

import duckdb

from strategyfirst.plan import Plan


def refresh(con: duckdb.DuckDBPyConnection, plan: Plan | None) -> None:
    """Rebuild the derived tables from the canonical ones (called after every import and plan change)."""
