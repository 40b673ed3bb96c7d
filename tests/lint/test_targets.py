"""Issue 13.9: targets a metric can never reach, horizons that end before they start, KPIs due outside the
horizon, baselines already past their target — each an located finding with a rule slug and a hint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.lint import Finding
from strategyfirst.plan import loads
from tests.cli.support import run
from tests.lint.plans import example, lint

# A plan as a manager writes it: the line numbers below are counted by hand from this text.
PLAN = """\
version: 1
organisation: Acme Outdoor
owner: Jane
horizon: {start: 2026-01-01, end: 2026-12-31}
budget: {total: 20000, currency: EUR}
review: {cadence: monthly}
accounts:
  x: ["@AcmeHelp"]
strategy:
  statement: Answer our customers where they talk to us
objectives:
  - id: dialogue
    statement: Answer every customer quickly
    kpis:
      - {metric: response_rate, target: 90}
      - {metric: first_response_minutes_median, target: -5}
      - {metric: spend, target: -100}
tactics:
  - id: care-desk
    channel: x
    serves: [dialogue]
    owner: Jane
    budget: 12000
    match: {accounts: ["@AcmeHelp"]}
"""


def _findings(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    (tmp_path / "strategy.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run(["lint", "-w", str(tmp_path), "--as-of", "2026-06-30", "--format", "json"],
                       monkeypatch, capsys)
    return code, json.loads(out)["findings"]


def test_impossible_targets_are_located_errors_with_hints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = _findings(tmp_path, PLAN, monkeypatch, capsys)
    assert code == 1
    hits = {(f["line"], f["path"]): f for f in findings if f["rule"] == "impossible-target"}
    # `target:` sits at column 33 of line 15 (`      - {metric: response_rate, target: 90}`), and so on.
    assert set(hits) == {(15, "objectives[0].kpis[0].target"), (16, "objectives[0].kpis[1].target"),
                         (17, "objectives[0].kpis[2].target")}
    ratio = hits[(15, "objectives[0].kpis[0].target")]
    assert ratio["severity"] == "error" and ratio["column"] == 33
    assert "between 0 and 1" in ratio["message"] and "0.9" in ratio["hint"] and '"90%"' in ratio["hint"]
    minutes = hits[(16, "objectives[0].kpis[1].target")]
    assert "negative" in minutes["message"] and "minutes" in minutes["message"]
    money = hits[(17, "objectives[0].kpis[2].target")]
    assert "money" in money["message"]


def test_text_output_locates_each_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    code, out, _ = run(["lint", "-w", str(tmp_path), "--as-of", "2026-06-30"], monkeypatch, capsys)
    assert code == 1
    assert "strategy.yaml:15:33" in out and "impossible-target" in out


def test_a_percentage_target_reads_as_a_fraction() -> None:
    text = PLAN.replace("target: 90}", 'target: "90%"}')
    doc = loads(text)
    assert doc.plan.objectives[0].kpis[0].target == pytest.approx(0.9)
    data = example()
    data["objectives"][1]["kpis"][0]["target"] = "90%"
    assert "impossible-target" not in lint(data).rules()


def test_a_percentage_for_a_count_is_an_error() -> None:
    data = example()
    data["objectives"][0]["kpis"][0]["target"] = "50%"  # audience_growth is a count
    (finding,) = [f for f in lint(data).findings if f.rule == "impossible-target"]
    assert finding.path == "objectives[0].kpis[0].target" and "percentage" in finding.message


@pytest.mark.parametrize(("metric", "value", "fires"), [
    ("response_rate", 1.0, False), ("response_rate", 0.0, False), ("response_rate", 1.01, True),
    ("response_rate", -0.1, True), ("engagement_rate", 4.5, True),
    ("first_response_minutes_median", 0, False), ("first_response_minutes_p90", -1, True),
    ("posts", -3, True), ("cost_per_engagement", -0.5, True),
    ("sentiment_inbound_mean", 0.4, False), ("sentiment_inbound_mean", 1.5, True),
    ("audience_growth_rate", 1.5, False),  # 150% growth can happen: not a share of a whole
    ("budget_burn", 1.2, False),           # overspending can happen
])
def test_range_per_metric(metric: str, value: float, fires: bool) -> None:
    data = example()
    data["objectives"][1]["kpis"][0] = {"metric": metric, "target": value}
    assert ("impossible-target" in lint(data).rules()) is fires


def test_an_impossible_baseline_is_an_error_too() -> None:
    data = example()
    data["objectives"][1]["kpis"][0] = {"metric": "response_rate", "baseline": 85, "target": 0.9}
    (finding,) = [f for f in lint(data).findings if f.rule == "impossible-target"]
    assert finding.path == "objectives[1].kpis[0].baseline"


def test_a_horizon_ending_before_it_starts_is_an_error_not_a_short_horizon() -> None:
    data = example()
    data["horizon"] = {"start": "2026-12-31", "end": "2026-01-01"}
    report = lint(data)
    (finding,) = [f for f in report.findings if f.rule == "horizon-end-before-start"]
    assert finding.severity == "error" and finding.path == "horizon.end" and not report.ok
    assert "short-horizon" not in report.rules()
    data["horizon"] = {"start": "2026-01-01", "end": "2026-01-01"}  # a horizon of no time at all
    assert "horizon-end-before-start" in lint(data).rules()


def test_a_kpi_due_outside_the_horizon_is_an_error() -> None:
    data = example()
    data["objectives"][0]["kpis"][0]["by"] = "2027-01-15"
    report = lint(data)
    (finding,) = [f for f in report.findings if f.rule == "kpi-after-horizon"]
    assert finding.severity == "error" and "after the horizon ends" in finding.message and not report.ok
    data["objectives"][0]["kpis"][0]["by"] = "2026-12-31"  # the last day is inside
    assert "kpi-after-horizon" not in lint(data).rules()


@pytest.mark.parametrize(("metric", "baseline", "target", "fires"), [
    ("response_rate", 0.95, 0.9, True),   # up: the baseline already beats the target
    ("response_rate", 0.7, 0.9, False),
    ("first_response_minutes_median", 30, 60, True),  # down: 30 minutes already beats 60
    ("first_response_minutes_median", 90, 60, False),
    ("audience_growth", 1200, 1200, True),
])
def test_a_baseline_already_past_the_target_warns(metric: str, baseline: float, target: float,
                                                   fires: bool) -> None:
    data = example()
    data["objectives"][1]["kpis"][0] = {"metric": metric, "baseline": baseline, "target": target}
    hits: list[Finding] = [f for f in lint(data).findings if f.rule == "target-not-beyond-baseline"]
    assert bool(hits) is fires
    if fires:
        assert hits[0].severity == "warning" and hits[0].path == "objectives[1].kpis[0].target"
        if baseline != target:
            assert "already beaten by its baseline" in hits[0].message
