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


def test_the_text_form_is_drawn_from_the_kept_diagnosis(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    made = Counting(monkeypatch)
    cold = runner.invoke(app, ["diagnose", "-w", str(ws.root)])
    assert cold.exit_code == 0, cold.output
    assert made.calls == 1 and "Diagnosis as of 2026-03-20" in cold.stdout
    warm = runner.invoke(app, ["diagnose", "-w", str(ws.root)])
    assert warm.exit_code == 0 and warm.stdout == cold.stdout
    assert made.calls == 1
    as_json = runner.invoke(app, ["diagnose", "-w", str(ws.root), "--format", "json"])
    assert as_json.exit_code == 0 and made.calls == 1  # one entry serves both forms
    kept = diagnosis_cache.load_kept(ws.state_dir, ws._diagnosis_key(None, 0))
    assert kept is not None and kept[1] == "EUR"  # the plan's budget currency, which the text's money is in
    [entry] = _entries(ws)
    stored = json.loads(entry.read_text(encoding="utf-8"))
    del stored["kept"]  # an entry written by older code: JSON only
    entry.write_text(json.dumps(stored), encoding="utf-8")
    again = runner.invoke(app, ["diagnose", "-w", str(ws.root)])
    assert again.stdout == cold.stdout and made.calls == 2
    stored = json.loads(entry.read_text(encoding="utf-8"))
    stored["kept"]["kpis"] = [{"objective": "x"}]  # not a diagnosis this code keeps
    entry.write_text(json.dumps(stored), encoding="utf-8")
    assert ws.kept_diagnosis() is None
    assert runner.invoke(app, ["diagnose", "-w", str(ws.root)]).stdout == cold.stdout and made.calls == 3


def test_a_kept_diagnosis_reads_back_equal() -> None:
    """Every field, unrounded (the JSON form rounds to 6 digits), numpy scalars as numbers, dates as dates."""
    import numpy as np

    from strategyfirst.diagnose import (
        BudgetMove,
        Diagnosis,
        ForecastPoint,
        KpiStatus,
        SeriesPoint,
        TacticEvidence,
        Verdict,
    )

    third = 1 / 3
    kpi = KpiStatus(objective="dialogue", metric="response_rate", unit="ratio", direction="up", paced=False,
                    target=0.9, baseline=None, deadline=dt.date(2026, 12, 31), actual=float(np.float64(third)),
                    n=int(np.int64(41)), expected_now=0.9, forecast_at_deadline=0.123456789012,
                    forecast_low=float("-inf"), forecast_high=None, status="at_risk", reason="why",
                    version=2, series=(SeriesPoint(dt.date(2026, 3, 2), third, 7), SeriesPoint(dt.date(2026, 3, 9),
                                                                                                None, 0)),
                    forecast=(ForecastPoint(dt.date(2026, 4, 6), 0.5, None, 0.75),))
    evidence = TacticEvidence(tactic="care-desk", metric="response_rate", target=0.9, threshold=0.855,
                              value=2 / 7, n=7, low=0.1, high=None, p_miss=0.987654321, state="undecided",
                              more_needed=13, method="beta", note="", per_week=1.75, weeks_left=None)
    diagnosis = Diagnosis(
        as_of=dt.date(2026, 3, 20), kpis=[kpi],
        verdicts=[Verdict(kind="not_enough_data", objective="dialogue", tactic="care-desk", evidence="thin",
                          probability=None, tactics=("care-desk", "faq"), spend=12.5, more_needed=13,
                          details=(evidence,), decidable=True)],
        budget=[BudgetMove(objective="permission", source="a", target="b", amount=123.456789, why="cheaper",
                           p_better=0.91, unspent_source=500.0)],
        footnotes=["one", "two"])
    kept = diagnosis.to_kept()
    kept["kpis"][0]["actual"] = np.float64(third)  # as a numpy scalar would reach it
    back = Diagnosis.from_kept(json.loads(json.dumps(kept, allow_nan=True)))
    assert back == diagnosis
    assert back.kpis[0].actual == third and back.kpis[0].series[0].period == dt.date(2026, 3, 2)
    assert back.to_json() == diagnosis.to_json()
    with pytest.raises(ValueError, match="not a kept diagnosis"):
        Diagnosis.from_kept({"as_of": "2026-03-20", "kpis": [{"objective": "x"}], "verdicts": [], "budget": [],
                             "footnotes": []})


def test_the_text_form_from_a_kept_diagnosis_loads_no_statistics(ws: Workspace) -> None:
    """A hit in a fresh process: no DuckDB, numpy or scipy (the diagnose package loads its parts lazily)."""
    import subprocess
    import sys

    script = ("import sys\nfrom strategyfirst.cli import app\n"
              f"try:\n    app(['diagnose', '-w', {str(ws.root)!r}])\nexcept SystemExit:\n    pass\n"
              "print([m for m in ('duckdb', 'numpy', 'scipy', 'ruamel.yaml') if m in sys.modules], file=sys.stderr)")
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "PATH": "/usr/bin:/bin",
           "COLUMNS": "200"}

    def child() -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        return done.stdout, done.stderr.strip().splitlines()[-1]

    (cold, cold_heavy), (warm, warm_heavy) = child(), child()
    assert "numpy" in cold_heavy and "duckdb" in cold_heavy  # the miss diagnosed
    assert warm == cold and warm_heavy == "[]"


def test_a_diagnosis_opens_the_warehouse_once(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its measurements and reads share one connection (each open checks the schema), closed before the data
    version is compared with the key's: the diagnosis is still kept."""
    import strategyfirst.warehouse.engine as engine

    opened: list[Any] = []
    real = engine.open_duckdb

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "open_duckdb", counting)
    made = Counting(monkeypatch)
    first = ws.diagnose().to_json()
    assert len(opened) == 1 and made.calls == 1
    assert ws.diagnosis_json() == first and made.calls == 1 and len(_entries(ws)) == 1
    assert ws.query("SELECT 1 AS one") == [{"one": 1}] and len(opened) == 2  # outside: its own connection


def test_a_plan_edited_while_diagnosing_is_not_kept_under_the_older_text(ws: Workspace,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The key names the plan text read before the diagnosis, which waits for the workspace lock (an import may
    hold it); an edit saved meanwhile is what the diagnosis reads. Kept under the older text, it would be that
    text's diagnosis after a revert (diagnose, decide's evidence, the report)."""
    a = ws.plan_path.read_text(encoding="utf-8")
    b = a.replace("budget: {total: 50000, currency: EUR}", "budget: {total: 50000, currency: USD}")
    assert b != a
    under_a = ws.diagnosis_json()
    real = strategyfirst.diagnose.diagnose

    def edited_meanwhile(*args: Any, **kwargs: Any) -> Any:
        ws.plan_path.write_text(b, encoding="utf-8")  # saved while this diagnosis waited for the lock
        return real(*args, **kwargs)

    for entry in _entries(ws):
        entry.unlink()
    monkeypatch.setattr(strategyfirst.diagnose, "diagnose", edited_meanwhile)
    ws.diagnose()
    monkeypatch.setattr(strategyfirst.diagnose, "diagnose", real)
    ws.plan_path.write_text(a, encoding="utf-8")  # reverted
    kept = Workspace(ws.root).kept_diagnosis()
    assert kept is None or kept[1] == "EUR"
    assert Workspace(ws.root).diagnosis_json() == under_a
