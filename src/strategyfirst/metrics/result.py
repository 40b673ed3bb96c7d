"""MeasureResult: the rows of a measurement with their data-quality counts, and conversions for analysts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strategyfirst.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

# The row schema (cli.md `measure --format json`, plus version, numerator, denominator, and last, so that a
# reader of the CSV by position reads what it did, by account the account's platform: one name on two platforms
# is two accounts, two rows; null by any other grouping).
COLUMNS = ("metric", "by", "key", "period", "value", "n", "unit", "version", "numerator", "denominator",
           "platform")


def arrow_schema() -> pa.Schema:
    """The rows' Arrow schema (pyarrow is imported here: a measurement printed as JSON or a table needs none)."""
    import pyarrow as pa

    return pa.schema([
        ("metric", pa.string()), ("by", pa.string()), ("key", pa.string()), ("period", pa.string()),
        ("value", pa.float64()), ("n", pa.float64()), ("unit", pa.string()), ("version", pa.int64()),
        ("numerator", pa.float64()), ("denominator", pa.float64()), ("platform", pa.string()),
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

    def value(self, metric: str, key: str | None = None, period: str = "all", platform: str | None = None) -> Any:
        """The value of one row (key or platform None matches any), or None; a convenience for notebooks and
        tests."""
        found = self.row(metric, key, period, platform)
        return None if found is None else found["value"]

    def row(self, metric: str, key: str | None = None, period: str = "all",
            platform: str | None = None) -> dict[str, Any] | None:
        """The full row of one (metric, key, period) and by account `platform` (None matches any), or None."""
        for r in self.rows:
            if (r["metric"] == metric and r["period"] == period and (key is None or r["key"] == key)
                    and (platform is None or r.get("platform") == platform)):
                return r
        return None


def account_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`measure --by account` rows as a table: one row per account on its platform (one name on two platforms is
    two accounts), by name then platform, each with `account`, `platform` and its `values` and `rows` by metric."""
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        platform = str(r.get("platform") or "")
        entry = table.setdefault((str(r["key"]), platform),
                                 {"account": r["key"], "platform": platform, "values": {}, "rows": {}})
        entry["values"][r["metric"]] = r.get("value")
        entry["rows"][r["metric"]] = r
    return [table[k] for k in sorted(table)]
