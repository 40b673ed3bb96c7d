"""SQL text the package writes itself: string literals where a statement takes no parameters (ATTACH, COPY)
or where binding a Python value would cost more than the query (DuckDB binds parameters through pandas).
Standard library only: the plain-SQL reads import it without Ibis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def string_literal(value: object) -> str:
    """`value` (as text) as an SQL string literal: in single quotes, each quote doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def string_list(values: Iterable[object]) -> str:
    """`values` as comma-separated string literals (for `IN (...)`, `VALUES`); '' for none."""
    return ", ".join(string_literal(v) for v in values)


def timestamp_literal(moment: dt.datetime) -> str:
    """`moment` as an SQL TIMESTAMP literal."""
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"
