"""The tables `measure` reads, from an Ibis backend or a mapping of Ibis tables (e.g. Parquet on Spark)."""

from __future__ import annotations

import array
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from strategyfirst.plan import Plan, handle_forms, normalise_handle


@dataclass(frozen=True)
class Tables:
    """Canonical and derived tables; any may be None (its metrics then come out null with n = 0)."""

    messages: ir.Table | None = None
    inbound: ir.Table | None = None
    attribution: ir.Table | None = None
    audience: ir.Table | None = None
    spend: ir.Table | None = None
    imports: ir.Table | None = None
    site_traffic: ir.Table | None = None
    # Derived facts materialised by warehouse.derive; recomputed from `messages` where absent.
    owned_messages: ir.Table | None = None
    conversations: ir.Table | None = None
    conversation_accounts: ir.Table | None = None
    inbound_attribution: ir.Table | None = None
    # The owned messages' rows of `attribution` (warehouse.derive writes it): what owned rows are keyed by.
    owned_attribution: ir.Table | None = None
    # The plan's accounts per platform it lists accounts for (warehouse.derive writes it; facts.listed_table).
    plan_accounts: ir.Table | None = None
    meta: ir.Table | None = None

    @classmethod
    def of(cls, source: Any) -> Tables:
        """From a Tables, a mapping name -> Ibis table, or an Ibis backend (its tables of those names)."""
        if isinstance(source, Tables):
            return source
        names = [f.name for f in fields(cls)]
        if isinstance(source, Mapping):
            return cls(**{n: source.get(n) for n in names})
        present = set(source.list_tables())
        return cls(**{n: source.table(n) if n in present else None for n in names})


def fetch_rows(expr: ir.Expr) -> list[dict[str, Any]]:
    """The rows of a (small) result as dicts. On DuckDB straight from its relation: Ibis's `to_pyarrow` there
    converts through its pandas formats (~0.4 s of import for a measurement of a few hundred rows); on any
    other backend through Arrow."""
    backend = ibis.get_backend(expr)
    if getattr(backend, "name", None) == "duckdb":
        relation = backend._to_duckdb_relation(expr)
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    got: list[dict[str, Any]] = expr.as_table().to_pyarrow().to_pylist()
    return got


def fetch_arrow(expr: ir.Table) -> pa.Table:
    """A (possibly large) result as an Arrow table, without Ibis's pandas-based conversion on DuckDB (see
    `fetch_rows`)."""
    backend = ibis.get_backend(expr)
    if getattr(backend, "name", None) == "duckdb":
        table: pa.Table = backend._to_duckdb_relation(expr).to_arrow_table()
        return table
    return expr.to_pyarrow()


def fetch_scalar(expr: ir.Scalar) -> Any:
    """The value of a scalar expression (see `fetch_rows`)."""
    return next(iter(fetch_rows(expr)[0].values()))


def _strings(values: list[str | None]) -> pa.Array:
    """A string array built from its buffers: `pa.array` imports pandas (~0.4 s) to check its argument."""
    data, offsets, valid = bytearray(), array.array("i", [0]), bytearray((len(values) + 7) // 8)
    for i, value in enumerate(values):
        if value is not None:
            data += value.encode("utf-8")
            valid[i // 8] |= 1 << (i % 8)
        offsets.append(len(data))
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets.tobytes()), pa.py_buffer(bytes(data)),
                                       pa.py_buffer(bytes(valid)), values.count(None))


def memtable(columns: dict[str, list[Any]]) -> ir.Table:
    """A small table of text columns (the plan's mappings)."""
    table = pa.Table.from_arrays([_strings(v) for v in columns.values()], names=list(columns))
    # ibis.memtable's dispatch imports every type it knows (pandas, polars, pyarrow.dataset) to find this one
    from ibis.expr.api import _memtable_from_pyarrow_table

    return _memtable_from_pyarrow_table(table)


_memtable = memtable


# `PlanMaps.account_tactic.kind`: the kind of platform an account's form is for, where a tactic names none.
FEDIVERSE_KIND, OTHER_KIND = "fediverse", "other"


@dataclass(frozen=True)
class PlanMaps:
    """The plan's mappings as small tables: tactic → objective, account → tactic, campaign → tactic. A tactic
    matching platforms and no accounts maps each platform with a null account: any account on it."""

    tactic_objective: ir.Table
    account_tactic: ir.Table
    campaign_tactic: ir.Table

    @classmethod
    def of(cls, plan: Plan | None) -> PlanMaps:
        to: dict[str, list[Any]] = {"tactic_id": [], "objective_id": []}
        at: dict[str, list[Any]] = {"platform": [], "account": [], "kind": [], "tactic_id": []}
        ct: dict[str, list[Any]] = {"campaign": [], "tactic_id": []}
        for tactic in plan.tactics if plan else []:
            for objective in dict.fromkeys(tactic.serves):
                to["tactic_id"].append(tactic.id)
                to["objective_id"].append(objective)
            match = tactic.match
            if match is None:
                continue
            rows: dict[tuple[str | None, str | None, str | None], None] = {}
            for named in dict.fromkeys(p.strip().lower() for p in match.platform):
                rows.update(dict.fromkeys((named, normalise_handle(a, named), None) for a in match.accounts))
                if not match.accounts:  # platforms only: every (owned) account on them, as its messages
                    rows[(named, None, None)] = None
            if not match.platform:  # each account by its form on the row's kind of platform, where they differ
                for off, on in (handle_forms(a) for a in match.accounts):
                    rows.update({(None, off, None): None} if off == on else
                                {(None, off, OTHER_KIND): None, (None, on, FEDIVERSE_KIND): None})
            for platform, account, kind in rows:
                at["platform"].append(platform)
                at["account"].append(account)
                at["kind"].append(kind)
                at["tactic_id"].append(tactic.id)
            for campaign in dict.fromkeys(c.strip().lower() for c in match.campaign):
                ct["campaign"].append(campaign)
                ct["tactic_id"].append(tactic.id)
        return cls(_memtable(to), _memtable(at), _memtable(ct))
