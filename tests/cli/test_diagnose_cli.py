"""`strategyfirst diagnose`: JSON per cli.md, Rich text, exit codes; measure is stubbed per its contract."""

from __future__ import annotations

import json
from calendar import monthrange
from pathlib import Path

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.demo import example_plan_text
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.diagnose.conftest import FakeMeasure, row

MONTHS = [f"2026-{m:02d}" for m in range(1, 7)]


def measured() -> FakeMeasure:
    """Dialogue answers 80 of 100 a month (target 0.9) in 45 minutes (target 60); the permission asset grows
    10 a day from its baseline 1200 (target 5000 by 31 Dec)."""
    growth = [10 * monthrange(2026, m)[1] for m in range(1, 7)]  # 310, 280, 310, 300, 310, 300
    obj_month = [row("response_rate", "objective", "dialogue", p, 0.8, 100, 80, 100) for p in MONTHS]
    obj_month += [row("first_response_minutes_median", "objective", "dialogue", p, 45.0, 80) for p in MONTHS]
    obj_month += [row("audience_growth", "objective", "permission", p, g, 1)
                  for p, g in zip(MONTHS, growth, strict=True)]
    tac_month = [row("response_rate", "tactic", "care-desk", p, 0.8, 100, 80, 100) for p in MONTHS]
    tac_month += [row("audience_growth", "tactic", "newsletter", p, g, 1)
                  for p, g in zip(MONTHS, growth, strict=True)]
    return FakeMeasure({
        ("objective", "all"): [row("response_rate", "objective", "dialogue", "all", 0.8, 600, 480, 600),
                               row("first_response_minutes_median", "objective", "dialogue", "all", 45.0,
                                   480),
                               row("audience_growth", "objective", "permission", "all", 1810, 6)],
        ("objective", "month"): obj_month,
        ("tactic", "all"): [row("response_rate", "tactic", "care-desk", "all", 0.8, 600, 480, 600),
                            row("audience_growth", "tactic", "newsletter", "all", 1810, 6),
                            row("audience_growth", "tactic", "summit-contest", "all", 0, 2),
                            row("spend", "tactic", "newsletter", "all", 2000, 6),
                            row("spend", "tactic", "summit-contest", "all", 6000, 2),
                            row("spend", "tactic", "care-desk", "all", 5000, 6)],
        ("tactic", "month"): tac_month,
    })


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "strategy.yaml").write_text(example_plan_text(), encoding="utf-8")
    monkeypatch.setattr(Workspace, "measure", measured(), raising=False)
    return tmp_path


def test_json_per_cli_md(ws: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diagnose", "--as-of", "2026-06-30", "--format", "json", "-w", str(ws)],
                         monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2026-06-30"
    kpis = {(k["objective"], k["metric"]): k for k in doc["kpis"]}
    rate = kpis[("dialogue", "response_rate")]
    assert (rate["actual"], rate["target"], rate["expected_now"]) == (0.8, 0.9, 0.9)
    assert rate["forecast_at_deadline"] == pytest.approx(0.8) and rate["status"] == "off_track"
    assert kpis[("dialogue", "first_response_minutes_median")]["status"] == "on_track"
    growth = kpis[("permission", "audience_growth")]
    # 1200 + 1810 now against 1200 + 3800·181/365 = 3084.38; 10 a day for 184 more days ends at 4850 < 5000.
    assert growth["actual"] == 3010 and growth["expected_now"] == pytest.approx(3084.3836, abs=1e-3)
    assert growth["forecast_at_deadline"] == pytest.approx(4850) and growth["status"] == "off_track"
    kinds = {(v["objective"], v["tactic"]): v["kind"] for v in doc["verdicts"]}
    assert kinds[("dialogue", "care-desk")] == "tactic_failing"  # 480/600 is far below 0.9
    assert kinds[("permission", "summit-contest")] == "tactic_failing"  # nothing gained for 6000
    assert kinds[("permission", "newsletter")] == "working"
    assert [(m["from"], m["to"]) for m in doc["budget"]] == [("summit-contest", "newsletter")]
    assert 0 < doc["budget"][0]["amount"] <= 2000  # summit-contest has 8000 - 6000 unspent


def test_text(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diagnose", "--as-of", "2026-06-30", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert "Diagnosis as of 2026-06-30" in out
    # statuses and verdict kinds in words (the JSON keeps the ids: test_json_per_cli_md)
    assert "off track" in out and "tactic failing" in out and "summit-contest" in out
    for raw in ("on_track", "at_risk", "off_track", "no_data", "not_enough_data", "tactic_failing",
                "strategy_failing", "tactic_dead_weight"):
        assert raw not in out


def test_bad_date_and_missing_plan_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["diagnose", "--as-of", "2026-13-01", "-w", str(tmp_path)], monkeypatch, capsys)
    assert code == 2
    code, out, err = run(["diagnose", "-w", str(tmp_path / "nowhere")], monkeypatch, capsys)
    assert code == 2 and out == "" and "strategy.yaml" in err and "Traceback" not in err
