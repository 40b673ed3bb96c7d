"""The metric registry and `measure`: each metric an Ibis expression over the canonical and derived tables.

Nothing here opens a connection: callers pass an Ibis backend or Ibis tables (DuckDB by default, PySpark at
scale), so the same expressions run on either.
"""

from strategyfirst.metrics.measure import BY_CHOICES, PERIODS, measure
from strategyfirst.metrics.registry import ORDER, REGISTRY, resolve
from strategyfirst.metrics.result import COLUMNS, MeasureResult
from strategyfirst.metrics.tables import Tables
from strategyfirst.metrics.types import Measured, Metric

__all__ = ["BY_CHOICES", "COLUMNS", "ORDER", "PERIODS", "REGISTRY", "MeasureResult", "Measured", "Metric",
           "Tables", "measure", "resolve"]
