"""`strategyfirst demo`: the whole pipeline on a small simulated organisation; verdicts match what it built in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readable import unreadable, visible_text

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("demo") / "org"
    proc = subprocess.run(
        [sys.executable, "-m", "strategyfirst", "demo", str(folder), "--events", "6000", "--seed", "7"],
        capture_output=True, text=True, timeout=600, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    return folder, proc


def test_demo_runs_and_writes_the_report(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, proc = demo_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = folder / "report.html"
    assert report.is_file() and report.stat().st_size > 10_000
    assert f"Report: {report}" in proc.stdout.replace("\n", "") or "report.html" in proc.stdout


def test_demo_verdicts_match_what_the_simulator_built_in(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, proc = demo_run
    truth = json.loads((folder / "truth.json").read_text())
    text = " ".join(proc.stdout.split())
    not_working = text.split("What is not")[1].split("What to change")[0]
    working = text.split("What is working")[1].split("What is not")[0]
    for name, objective in truth["objectives"].items():
        for tactic in objective["failing_tactics"]:
            assert tactic in not_working, f"{tactic} built to fail is not reported failing"
        for tactic in objective["working_tactics"]:
            assert tactic in working, f"{tactic} built to work is not reported working"
        if objective["expected_verdict"] == "strategy_failing":
            assert f"strategy failing objective {name}" in not_working


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    proc = subprocess.run([sys.executable, "-m", "strategyfirst", "demo", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "not empty" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_demo_summary_and_report_read_as_numbers(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Issue 13.10: the summary printed 4.94e+03, 5e+03 and 0.00708; KPIs now read by unit."""
    folder, proc = demo_run
    assert unreadable(proc.stdout) == []
    assert unreadable(visible_text((folder / "report.html").read_text(encoding="utf-8"))) == []
    kpis = proc.stdout.split("What is working")[0]
    # the simulated plan's targets (simulate/plan.py): audience growth 5,000, response rate 85%, median
    # first response 60 minutes, engagement rate 4%
    for label, target in (("Audience growth", "5,000"), ("Response rate", "85.0%"),
                          ("Median first response", "60 min"), ("Engagement rate", "4.0%")):
        assert any(label in line and f" {target} " in line for line in kpis.splitlines()), label
