"""The on-disk diagnosis cache (diagnosis_cache.py): reused while data, plan, as-of and code are unchanged, made
again when any changes; corrupt entries ignored; `decide` and `diagnose --format json` read it."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import strategyfirst.diagnose
from strategyfirst import diagnosis_cache
from strategyfirst.cli import app
from strategyfirst.demo import example_plan_text
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.workspace import Workspace


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    con = open_duckdb(ws.warehouse_path)
    con.execute("INSERT INTO spend (date, platform, tactic, amount, currency, import_id) "
                "VALUES ('2026-03-20', 'x', 'care-desk', 100, 'EUR', 1)")
    con.close()
    ws.measure(metrics=["spend"])  # builds the derived tables: diagnosing writes nothing more
    return ws


class Counting:
    """Wraps the diagnose layer's entry point, counting the diagnoses made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.real = strategyfirst.diagnose.diagnose
        monkeypatch.setattr(strategyfirst.diagnose, "diagnose", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


def _entries(ws: Workspace) -> list[Path]:
    return sorted((ws.state_dir / diagnosis_cache.FOLDER).glob("diagnosis-*.json"))


def test_a_diagnosis_is_reused_while_nothing_changed(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    made = Counting(monkeypatch)
    first = ws.diagnose().to_json()
    assert made.calls == 1 and len(_entries(ws)) == 1
    again = ws.diagnosis_json()
    assert made.calls == 1  # read from disk, not diagnosed again
    assert json.dumps(again, indent=2) == json.dumps(first, indent=2)  # the same bytes as the CLI prints them
    assert again["as_of"] == "2026-03-20"  # the spend row is the latest data


def test_a_changed_plan_data_as_of_or_code_diagnoses_again(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    made = Counting(monkeypatch)
    ws.diagnosis_json()
    assert made.calls == 1
    ws.diagnosis_json(dt.date(2026, 3, 10))  # another as-of
    assert made.calls == 2
    ws.diagnosis_json(dt.date(2026, 3, 10))
    assert made.calls == 2
    ws.plan_path.write_text(example_plan_text() + "# a comment changes the bytes\n", encoding="utf-8")
    ws.diagnosis_json()
    assert made.calls == 3
    con = open_duckdb(ws.warehouse_path)  # an import: the warehouse file is written
    con.execute("INSERT INTO spend (date, platform, tactic, amount, currency, import_id) "
                "VALUES ('2026-03-25', 'x', 'care-desk', 50, 'EUR', 2)")
    con.close()
    assert ws.diagnosis_json()["as_of"] == "2026-03-25"
    assert made.calls == 4
    monkeypatch.setattr(diagnosis_cache, "_code", "another version of the code")
    ws.diagnosis_json()
    assert made.calls == 5


def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    made = Counting(monkeypatch)
    good = ws.diagnosis_json()
    [entry] = _entries(ws)
    entry.write_text('{"key": {"kind": "diagn', encoding="utf-8")  # cut short
    assert ws.diagnosis_json() == good
    assert made.calls == 2
    stored = json.loads(entry.read_text(encoding="utf-8"))  # rewritten whole
    stored["key"]["plan_sha256"] = "0" * 64  # an entry whose key is not the one asked for
    stored["diagnosis"]["kpis"] = []
    entry.write_text(json.dumps(stored), encoding="utf-8")
    assert ws.diagnosis_json() == good
    assert made.calls == 3


def test_nothing_is_kept_when_the_warehouse_changed_while_diagnosing(ws: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Another import, or the derived tables' refresh a diagnosis starts with: its data version is unsure."""
    real = strategyfirst.diagnose.diagnose

    def with_an_import_meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        os.utime(ws.warehouse_path, ns=(1, 2))  # another process wrote the file meanwhile
        return result

    monkeypatch.setattr(strategyfirst.diagnose, "diagnose", with_an_import_meanwhile)
    ws.diagnosis_json()
    assert _entries(ws) == []


def test_decide_and_diagnose_json_read_the_kept_diagnosis(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    made = Counting(monkeypatch)
    cold = runner.invoke(app, ["diagnose", "-w", str(ws.root), "--format", "json"])
    assert cold.exit_code == 0, cold.output
    assert made.calls == 1
    warm = runner.invoke(app, ["diagnose", "-w", str(ws.root), "--format", "json"])
    assert warm.exit_code == 0 and warm.stdout == cold.stdout
    decided = runner.invoke(app, ["decide", "-w", str(ws.root), "Keep the desk", "--tactic", "care-desk",
                                  "--format", "json"])
    assert decided.exit_code == 0, decided.output
    assert made.calls == 1  # the evidence is the kept diagnosis
    expected = json.loads(cold.stdout)
    evidence = json.loads(decided.stdout)["evidence"]
    assert evidence == {k: expected[k] for k in ("as_of", "kpis", "verdicts")}
