"""MeasureResult conversions; the same rows from canonical tables alone (the path a Spark engine takes)."""

from __future__ import annotations

import json

import pytest

from strategyfirst.catalog import METRIC_IDS
from strategyfirst.errors import UsageError
from strategyfirst.metrics import COLUMNS, measure
from tests.metrics.conftest import Org

CANONICAL = ("messages", "audience", "spend", "imports")


def test_recomputing_derived_facts_gives_the_same_rows(org: Org) -> None:
    """Without the materialised tables, `measure` recomputes them with the same Ibis expressions."""
    canonical = {name: org.backend.table(name) for name in CANONICAL}
    for by in ("none", "account", "tactic", "objective"):
        stored = measure(org.backend, org.plan, by=by, period="month")
        recomputed = measure(canonical, org.plan, by=by, period="month")
        assert recomputed.rows == stored.rows, by
        assert recomputed.data_quality == stored.data_quality


def test_conversions_keep_the_row_schema(org: Org) -> None:
    result = measure(org.backend, org.plan, by="account", metric_ids=["response_rate", "posts"])
    table = result.to_arrow()
    assert table.column_names == list(COLUMNS)
    assert table.num_rows == len(result.rows)
    frame = result.to_pandas()
    assert list(frame.columns) == list(COLUMNS)
    assert frame.loc[(frame.metric == "response_rate") & (frame.key == "Acme"), "value"].item() == 0.5
    parsed = json.loads(result.to_json())
    assert parsed["rows"] == result.rows and parsed["data_quality"] == result.data_quality


def test_to_polars_says_what_to_install_when_missing(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["posts"])
    try:
        import polars  # noqa: F401
    except ImportError:
        with pytest.raises(UsageError, match="pip install polars"):
            result.to_polars()
    else:
        assert result.to_polars().height == 1


def test_missing_inputs_give_null_with_n_zero(org: Org) -> None:
    empty = {"messages": org.backend.table("messages").limit(0)}  # no rows, and no other table at all
    result = measure(empty, None)
    assert [r["metric"] for r in result.rows] == list(METRIC_IDS)  # one row each, key "all"
    for row in result.rows:
        assert row["value"] is None and row["n"] == 0, row["metric"]
