"""The metric and derived-fact expressions compile for PySpark too (no DuckDB-only SQL in them).

Compilation only: running them on a Spark session is the Spark engine's test (it needs Java).
"""

from __future__ import annotations

from typing import Any

import ibis
import pytest

from strategyfirst.metrics.audience import per_series
from strategyfirst.metrics.bases import BUILDERS, Context
from strategyfirst.metrics.measure import BY_CHOICES
from strategyfirst.metrics.registry import REGISTRY
from strategyfirst.metrics.tables import PlanMaps, Tables
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.attribution import attribution, inbound_attribution
from tests.conftest import require
from tests.metrics.conftest import Org

CANONICAL = ("messages", "audience", "spend", "imports", "site_traffic")


@pytest.fixture(scope="module")
def spark_sql() -> Any:
    try:
        from ibis.backends.pyspark import Backend
    except ImportError:
        Backend = None
    require(Backend is not None, "the Ibis PySpark backend (pip install 'strategyfirst[spark]')")
    ibis.options.pyspark = Backend.Options()  # the compiler reads it; a session would set it
    from ibis.backends.sql.compilers.pyspark import compiler

    return lambda expr: compiler.to_sqlglot(expr).sql("spark")


def test_derived_facts_compile_for_spark(org: Org, spark_sql: Any) -> None:
    m = org.backend.table("messages")
    pairs = facts.inbound(m, org.plan)
    accounts = facts.conversation_accounts(m, pairs)
    for expr in (pairs, facts.owned_messages(m), accounts, facts.conversations(m, accounts),
                 attribution(m, pairs, org.plan), inbound_attribution(m, pairs, org.plan)):
        assert "SELECT" in spark_sql(expr)


@pytest.mark.parametrize("by", BY_CHOICES)
def test_every_base_aggregation_compiles_for_spark(org: Org, spark_sql: Any, by: str) -> None:
    tables = Tables.of({name: org.backend.table(name) for name in CANONICAL})  # recomputes derived facts
    ctx = Context(tables, by, org.plan, PlanMaps.of(org.plan), frozenset(REGISTRY))
    for base, build in BUILDERS.items():
        t = build(ctx)
        if base == "site" and by in ("platform", "account"):
            assert t is None  # the site names no platform or account (metrics/site.py)
            continue
        assert t is not None, base
        t = t.mutate(bucket=t.ts.truncate("W"))
        if base == "audience":
            t = per_series(t, ["key", "bucket"])
        aggs: dict[str, Any] = {}
        for metric in REGISTRY.values():
            if base in metric.parts:
                aggs.update(metric.parts[base](t))
        sql = spark_sql(t.group_by(["key", "bucket"]).aggregate(**aggs))
        assert "GROUP BY" in sql, base
        if base == "inbound":
            assert "percentile" in sql.lower()  # exact percentiles, not approximate ones
