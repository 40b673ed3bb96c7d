"""`ingest --rate` and `--exported-on`: currencies checked against the plan's, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import run
from tests.sources.test_meta_ads import CAMPAIGNS, workspace


def test_spend_in_another_currency_is_one_line_exit_2_then_converted_with_rate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = workspace(tmp_path / "ws", currency="EUR")
    path = tmp_path / "campaigns.csv"
    path.write_text(CAMPAIGNS, encoding="utf-8")
    code, out, err = run(["ingest", "-w", str(ws.root), str(path)], monkeypatch, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"error: {path}:1:11: ") and "spend in UAH but the plan's budget is in EUR" in lines[0]
    assert "--rate UAH=RATE" in lines[0]
    code, out, err = run(["ingest", "-w", str(ws.root), str(path), "--rate", "UAH=0.025", "--format", "json"],
                         monkeypatch, capsys)
    assert code == 0, err
    f = json.loads(out)["files"][0]
    assert (f["status"], f["rows_new"]) == ("imported", 2)
    assert f["notes"] == ["spend of 2,350.75 UAH converted to 58.77 EUR at 0.025 (--rate UAH=0.025)"]


def test_bad_rate_and_bad_exported_on_are_usage_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = workspace(tmp_path / "ws", currency="EUR")
    path = tmp_path / "campaigns.csv"
    path.write_text(CAMPAIGNS, encoding="utf-8")
    code, _, err = run(["ingest", "-w", str(ws.root), str(path), "--rate", "UAH:0.025"], monkeypatch, capsys)
    assert code == 2 and "--rate 'UAH:0.025' is not CUR=NUMBER" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["ingest", "-w", str(ws.root), str(path), "--exported-on", "yesterday"], monkeypatch, capsys)
    assert code == 2 and "--exported-on 'yesterday' is not a date" in err


def test_measure_quality_lines_name_unmatched_spend_and_each_indicator() -> None:
    from strategyfirst.cli_measure import quality_lines

    lines = quality_lines({
        "spend_unmatched": [{"campaign": "Old promo", "amount": 300.0, "currency": "UAH", "rows": 1},
                            {"campaign": None, "amount": 50.0, "currency": "UAH", "rows": 1}],
        "cost_per_result_by_indicator": [
            {"result_indicator": "actions:link_click", "spend": 1850.0, "results": 132.0,
             "cost_per_result": 1850 / 132},
            {"result_indicator": None, "spend": 100.0, "results": 0.0, "cost_per_result": None}]})
    assert ("spend no tactic gets: campaign 'Old promo' matches no tactic: 300.00 UAH (add it to a tactic's "
            "match.campaign)") in lines
    assert "spend no tactic gets: Ads Manager breakdown (campaign unknown): 50.00 UAH" in lines
    assert any(ln.startswith("cost per result of actions:link_click: 14.02 (132 results)") for ln in lines)
    assert any(ln.startswith("cost per result of no result indicator: n/a (no results)") for ln in lines)
