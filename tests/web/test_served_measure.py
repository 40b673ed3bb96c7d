"""The server measures its snapshot through the SQL `Workspace.measure` keeps (metrics/cached.py): the same
entries as the CLI's, shared both ways, reused after an import; the same figures as the Ibis expressions."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.web.served import ServedWorkspace
from tests.metrics import dataset
from tests.metrics.helpers import insert, msg
from tests.metrics.test_cached import direct, entries, plain


def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("strategyfirst.metrics.measure")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the queries were built: not a cache hit")

    monkeypatch.setattr(module, "build", fail)


def test_served_measure_shares_the_kept_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    ws = dataset.workspace(tmp_path)
    ask: dict[str, Any] = {"by": "account", "metrics": ["inbound_messages", "response_rate"]}
    cli = plain(ws.measure(**ask))
    served = ServedWorkspace(ws.root)
    with monkeypatch.context() as m:
        no_build(m)
        assert plain(served.measure(**ask)) == cli  # the CLI's entry, run on the snapshot
        assert len(entries(ws)) == 1

    # new data, read by the server from a new snapshot: the same SQL, the new figures
    con = open_duckdb(ws.warehouse_path)
    row = msg("new-1", "fan9", False, "2026-01-20 09:00", text="@Acme hello?")
    row["import_id"] = 2
    insert(con, "messages", [row])
    con.close()
    ws.measure(metrics=["inbound_messages"])  # refreshes the derived tables (as an import does)
    served.snapshots.refresh(wait=True)
    with monkeypatch.context() as m:
        no_build(m)
        got = {(r["metric"], r["key"]): r for r in served.measure(**ask).rows}
    # by hand (tests/metrics/dataset.py): Acme answered 2 of 4 inbound pairs; the new message is a fifth
    assert (got["response_rate", "Acme"]["numerator"], got["response_rate", "Acme"]["denominator"]) == (2, 5)
    assert plain(served.measure(**ask)) == direct(ws, **ask)

    # a request the server compiles first is kept for the CLI too
    served.measure(by="platform", period="month")
    kept = len(entries(ws))
    with monkeypatch.context() as m:
        no_build(m)
        assert plain(ws.measure(by="platform", period="month")) == plain(served.measure(by="platform",
                                                                                        period="month"))
    assert len(entries(ws)) == kept


def test_served_diagnosis_and_growth_read_the_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server never opens the live warehouse to diagnose (Workspace holds one connection to it while
    diagnosing; the server's measure and query read the snapshot) nor for the report's audience growth."""
    import strategyfirst.warehouse.engine as engine
    from strategyfirst.metrics.measure import audience_growth_by_account
    from strategyfirst.plan import load
    from strategyfirst.warehouse.engine import connect

    monkeypatch.delenv(ENV_VAR, raising=False)
    ws = dataset.workspace(tmp_path)
    ws.measure(metrics=["inbound_messages"])  # derived tables built, as after an import
    expected = ws.diagnose().to_json()
    plan = load(ws.plan_path).plan
    growth = audience_growth_by_account({"audience": connect(ws.warehouse_path).table("audience")}, plan)
    served = ServedWorkspace(ws.root)
    served.snapshots.refresh(wait=True)
    opened: list[Any] = []
    real = engine.open_duckdb

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "open_duckdb", counting)
    assert served.diagnose().to_json() == expected
    assert served.audience_growth() == growth and growth
    assert opened == []
