"""The funnel and the report's audience growth through the compiled-query cache (metrics/kept.py): a hit runs
the kept SQL without building anything, and gives what the Ibis path gives; a plan change misses; in a fresh
process a hit imports no Ibis. The workspace is tests/cli/test_funnel_cli.py's (its figures worked out by hand
there)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.metrics.funnel import funnel
from strategyfirst.metrics.measure import audience_growth_by_account
from strategyfirst.plan import load
from strategyfirst.warehouse.engine import connect
from strategyfirst.workspace import Workspace
from tests.cli.test_funnel_cli import PLAN, ws  # noqa: F401  (fixture)

SRC = Path(__file__).resolve().parents[2] / "src"


def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building any query with Ibis fails from now on: only kept SQL can answer."""
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("queries were built: not a cache hit")

    monkeypatch.setattr(importlib.import_module("strategyfirst.metrics.measure"), "build", fail)
    monkeypatch.setattr(importlib.import_module("strategyfirst.metrics.funnel"), "queries", fail)
    monkeypatch.setattr(importlib.import_module("strategyfirst.metrics.measure"), "audience_growth_query", fail)


def test_a_kept_funnel_is_the_funnel(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    workspace = Workspace(ws)
    cold = [workspace.funnel().to_dict(), workspace.funnel(until=dt.date(2026, 1, 20)).to_dict()]
    assert len(list((workspace.state_dir / "cache").glob("funnel-*.json"))) == 2  # one per `until`
    plan = load(workspace.plan_path).plan
    backend = connect(workspace.warehouse_path)
    assert cold == [funnel(backend, plan).to_dict(), funnel(backend, plan, until="2026-01-20").to_dict()]
    assert cold[0]["period"] == "2026-02" and cold[1]["period"] == "2026-01"
    no_build(monkeypatch)
    assert [workspace.funnel().to_dict(), workspace.funnel(until=dt.date(2026, 1, 20)).to_dict()] == cold
    monkeypatch.undo()
    (ws / "strategy.yaml").write_text(PLAN.replace("  - {id: letter, serves: [permission], match: {accounts: "
                                                   "[\"Members\"], platform: [email]}}\n", ""), encoding="utf-8")
    scopes = [f["scope"] for f in workspace.funnel().to_dict()["funnels"]]
    assert scopes == ["overall", "fb"]  # the plan's tactics now, not the kept entry's


def test_kept_audience_growth_is_the_reports(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    workspace = Workspace(ws)
    plan = load(workspace.plan_path).plan
    table = connect(workspace.warehouse_path).table("audience")
    for since, until in ((None, None), (dt.date(2026, 2, 1), None), (None, dt.date(2026, 1, 31))):
        expected = audience_growth_by_account({"audience": table}, plan, since, until)
        assert workspace.audience_growth(since, until) == expected
        assert expected  # both accounts have snapshots in each window
    expected = audience_growth_by_account({"audience": table}, plan)
    no_build(monkeypatch)
    assert workspace.audience_growth() == expected


def test_a_hit_in_a_fresh_process_imports_no_ibis(ws: Path) -> None:  # noqa: F811
    script = ("import json, sys\nfrom strategyfirst.workspace import Workspace\n"
              f"w = Workspace({str(ws)!r})\n"
              "out = {'funnel': w.funnel().to_dict(), 'growth': len(w.audience_growth()), 'capacity': None}\n"
              "out['heavy'] = [m for m in ('ibis', 'sqlglot', 'pandas', 'pyarrow') if m in sys.modules]\n"
              "print(json.dumps(out, default=str))")
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}

    def child() -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return got

    first, second = child(), child()
    assert "ibis" in first["heavy"]  # the miss built and compiled the queries
    assert second["heavy"] == [] and second["funnel"] == first["funnel"] and second["growth"] == first["growth"] == 2
