"""MeasureResult: the rows of a measurement with their data-quality counts, and conversions for analysts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strategyfirst.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

# The row schema (cli.md `measure --format json`, plus version, numerator, denominator).
COLUMNS = ("metric", "by", "key", "period", "value", "n", "unit", "version", "numerator", "denominator")


def arrow_schema() -> pa.Schema:
    """The rows' Arrow schema (pyarrow is imported here: a measurement printed as JSON or a table needs none)."""
    import pyarrow as pa

    return pa.schema([
        ("metric", pa.string()), ("by", pa.string()), ("key", pa.string()), ("period", pa.string()),
        ("value", pa.float64()), ("n", pa.float64()), ("unit", pa.string()), ("version", pa.int64()),
        ("numerator", pa.float64()), ("denominator", pa.float64()),
    ])


@dataclass
class MeasureResult:
    """One row per (metric, key, period); `numerator`/`denominator` set for quotient metrics, else None."""

    rows: list[dict[str, Any]]
    data_quality: dict[str, Any] = field(default_factory=dict)
    by: str = "none"
    period: str = "all"

    def to_arrow(self) -> pa.Table:
        import pyarrow as pa

        return pa.Table.from_pylist([{c: r.get(c) for c in COLUMNS} for r in self.rows], schema=arrow_schema())

    def to_pandas(self) -> Any:
        return self.to_arrow().to_pandas()

    def to_polars(self) -> Any:
        try:
            import polars as pl
        except ImportError:
            raise UsageError("to_polars() needs Polars: pip install polars (or use to_pandas or to_arrow)"
                             ) from None
        return pl.from_arrow(self.to_arrow())

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "data_quality": self.data_quality}

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def value(self, metric: str, key: str | None = None, period: str = "all") -> Any:
        """The value of one row (key None matches any), or None; a convenience for notebooks and tests."""
        for r in self.rows:
            if r["metric"] == metric and r["period"] == period and (key is None or r["key"] == key):
                return r["value"]
        return None

    def row(self, metric: str, key: str | None = None, period: str = "all") -> dict[str, Any] | None:
        """The full row of one (metric, key, period), or None."""
        for r in self.rows:
            if r["metric"] == metric and r["period"] == period and (key is None or r["key"] == key):
                return r
        return None
