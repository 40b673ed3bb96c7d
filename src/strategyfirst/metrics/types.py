"""The shape of a registry entry: named Ibis reductions per base table, and how they finish into a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from strategyfirst.catalog import MetricSpec

if TYPE_CHECKING:
    import ibis.expr.types as ir

# A base is one derived table the metrics aggregate over: one grouped aggregation per base per `measure`.
BASES = ("inbound", "owned", "conversations", "audience", "spend", "site")

# A string: the registry is imported without Ibis (a cached measurement runs its SQL on DuckDB directly).
Reductions: TypeAlias = "Callable[[ir.Table], dict[str, ir.Scalar]]"


@dataclass(frozen=True)
class Measured:
    """One finished value: `n` is the denominator of a ratio, the gap count of a minutes metric, else rows."""

    value: float | None
    n: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Scope:
    """What a finishing function may need besides the aggregates: the budget of the group (budget_burn)."""

    by: str
    key: str
    budget: float | None = None


Finish = Callable[[Mapping[str, Any], Scope], Measured]


@dataclass(frozen=True)
class Metric:
    """A registry entry: the catalogue spec, its reductions keyed by base, and the finishing arithmetic."""

    spec: MetricSpec
    parts: Mapping[str, Reductions]
    finish: Finish
    quotient: bool = False  # the value is numerator / denominator (rows then carry both)

    @property
    def id(self) -> str:
        return self.spec.id


def num(row: Mapping[str, Any], name: str) -> float:
    """An aggregate as a float, where an aggregate over no rows (null) counts as 0."""
    value = row.get(name)
    return 0.0 if value is None else float(value)


def total(value_name: str, n_name: str) -> Finish:
    """A sum or count: null with n = 0 when no row carried the input."""

    def finish(row: Mapping[str, Any], scope: Scope) -> Measured:
        n = num(row, n_name)
        return Measured(num(row, value_name) if n > 0 else None, n)

    return finish


def ratio(num_name: str, den_name: str) -> Finish:
    """Σa / Σb; null when the denominator is absent or zero."""

    def finish(row: Mapping[str, Any], scope: Scope) -> Measured:
        a, b = row.get(num_name), row.get(den_name)
        if b is None or float(b) == 0 or a is None:
            return Measured(None, 0.0, None if a is None else float(a), None if b is None else float(b))
        return Measured(float(a) / float(b), float(b), float(a), float(b))

    return finish


def mean(sum_name: str, n_name: str) -> Finish:
    """A mean over rows: null with n = 0 when there are none."""

    def finish(row: Mapping[str, Any], scope: Scope) -> Measured:
        n = num(row, n_name)
        return Measured(num(row, sum_name) / n if n > 0 else None, n)

    return finish


def stat(value_name: str, n_name: str) -> Finish:
    """A statistic computed in the aggregation itself (a quantile) with its count."""

    def finish(row: Mapping[str, Any], scope: Scope) -> Measured:
        n, value = num(row, n_name), row.get(value_name)
        return Measured(float(value) if n > 0 and value is not None else None, n)

    return finish
