"""The metric registry and `measure`: each metric an Ibis expression over the canonical and derived tables.

Nothing here opens a connection: callers pass an Ibis backend or Ibis tables (DuckDB by default, PySpark at
scale), so the same expressions run on either.

The names below are loaded on first use: the registry and the finishing of a cached measurement
(`metrics.compiled`) import neither Ibis nor pyarrow, and importing a submodule runs this file first.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strategyfirst.metrics.measure import BY_CHOICES, PERIODS, measure
    from strategyfirst.metrics.registry import ORDER, REGISTRY, resolve
    from strategyfirst.metrics.result import COLUMNS, MeasureResult
    from strategyfirst.metrics.tables import Tables
    from strategyfirst.metrics.types import Measured, Metric

__all__ = ["BY_CHOICES", "COLUMNS", "ORDER", "PERIODS", "REGISTRY", "MeasureResult", "Measured", "Metric",
           "Tables", "measure", "resolve"]

_WHERE = {"BY_CHOICES": "args", "PERIODS": "args", "measure": "measure", "ORDER": "registry",
          "REGISTRY": "registry", "resolve": "registry", "COLUMNS": "result", "MeasureResult": "result",
          "Tables": "tables", "Measured": "types", "Metric": "types"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'strategyfirst.metrics' has no attribute {name!r}")
    return getattr(importlib.import_module(f"strategyfirst.metrics.{_WHERE[name]}"), name)


class _Package(types.ModuleType):
    """This package, whose `measure` stays the function when the submodule of that name is imported (the
    import system sets a package's attribute to each submodule it loads)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "measure" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
