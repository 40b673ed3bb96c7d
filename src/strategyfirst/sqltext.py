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


def sql_literal(value: object) -> str:
    """`value` as an SQL literal: NULL, a boolean, a number, a TIMESTAMP or DATE, or a string (anything else as
    its text). For a statement whose values would otherwise be bound as parameters (see above)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else f"'{value}'::DOUBLE"
    if isinstance(value, dt.datetime):
        return timestamp_literal(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return string_literal(value)
