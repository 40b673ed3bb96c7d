"""`strategyfirst lint`: exit codes 0/1/2, cli.md's JSON shape, located errors on stderr, the done-when."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strategyfirst.cli import app

EXAMPLE = resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8")

# The done-when plan: a tool-first strategy, an orphan tactic, tactic budgets (7000) over the total
# (5000), TikTok used with no dialogue KPI.
VIRAL = """\
version: 1
organisation: Snack Co
owner: Kim
horizon: {start: 2026-01-01, end: 2026-12-31}
budget: {total: 5000, currency: EUR}
review: {cadence: monthly}
accounts:
  tiktok: ["@snackco"]
strategy:
  statement: Go viral on TikTok
objectives:
  - id: awareness
    statement: Be known by students
    kpis:
      - {metric: impressions, target: 1000000}
tactics:
  - id: dance-videos
    channel: tiktok
    serves: [awareness]
    owner: Kim
    budget: 4000
    match: {accounts: ["@snackco"]}
  - id: giveaway
    channel: tiktok
    owner: Kim
    budget: 3000
    match: {hashtags: ["#snackgiveaway"]}
"""


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # the default workspace is the current folder: keep it in tmp
    return CliRunner()


def _write(folder: Path, text: str, name: str = "strategy.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_plan_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    _write(tmp_path, EXAMPLE)
    result = runner.invoke(app, ["lint", "--as-of", "2026-06-30", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.stdout


def test_done_when_viral_plan_exits_1_with_rules_and_hints(runner: CliRunner, tmp_path: Path) -> None:
    _write(tmp_path, VIRAL)
    result = runner.invoke(app, ["lint", "--format", "json", "-w", str(tmp_path)])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    rules = {f["rule"] for f in payload["findings"]}
    assert {"tool-first-strategy", "orphan-tactic", "over-budget", "broadcast-only"} <= rules
    assert all(f["hint"] for f in payload["findings"])
    by_rule = {f["rule"]: f for f in payload["findings"]}
    assert by_rule["orphan-tactic"]["path"] == "tactics[1]"
    assert by_rule["orphan-tactic"]["line"] == 23  # `- id: giveaway`
    assert "7,000 EUR" in by_rule["over-budget"]["message"] and "5,000 EUR" in by_rule["over-budget"]["message"]
    assert "('Go viral', 'TikTok')" in by_rule["tool-first-strategy"]["message"]
    assert payload["errors"] == len([f for f in payload["findings"] if f["severity"] == "error"]) == 2

    text = runner.invoke(app, ["lint", "-w", str(tmp_path)], terminal_width=200)
    assert text.exit_code == 1
    for slug in ("tool-first-strategy", "orphan-tactic", "over-budget", "broadcast-only"):
        assert slug in text.stdout
    assert text.stdout.count("hint:") == len(payload["findings"])


def test_json_shape(runner: CliRunner, tmp_path: Path) -> None:
    plan = _write(tmp_path, EXAMPLE.replace("review: {cadence: monthly}", "review: {}"), "other.yaml")
    result = runner.invoke(app, ["lint", str(plan), "--format", "json", "--as-of", "2026-06-30"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload == {
        "plan": "other.yaml", "as_of": "2026-06-30", "errors": 0, "warnings": 1,
        "findings": [{"rule": "no-review-cadence", "severity": "warning", "path": "review.cadence",
                      "line": 6, "column": 1, "message": payload["findings"][0]["message"],
                      "hint": payload["findings"][0]["hint"]}],
    }


def test_as_of_dates_the_experiment_rule(runner: CliRunner, tmp_path: Path) -> None:
    plan = EXAMPLE.replace("    serves: [permission]\n    owner: Lee\n",
                           "    experiment: {question: Do contests bring members?, until: 2026-04-30}\n"
                           "    owner: Lee\n")
    _write(tmp_path, plan)
    before = runner.invoke(app, ["lint", "--as-of", "2026-04-30", "--format", "json"])
    after = runner.invoke(app, ["lint", "--as-of", "2026-05-01", "--format", "json"])
    assert before.exit_code == 0 and after.exit_code == 1
    assert [f["rule"] for f in json.loads(after.stdout)["findings"]] == ["experiment-overdue"]


@pytest.mark.parametrize(("text", "line"), [
    ("version: 1\nowner: x\nstrategey: {statement: y}\n", "strategy.yaml:3:1: strategey: unknown key"),
    ("version: 1\nhorizon: {start: 2026-13-01, end: 2026-12-31}\n", "strategy.yaml:2:18: YAML: '2026-13-01'"),
    ("- just\n- a list\n", "strategy.yaml:1:1: the plan must be a YAML mapping"),
    # an unclosed flow sequence at the line that opened it, not at the next key where the parser stopped (4:1)
    ("version: 1\nhorizon: [oops\n\naccounts:\n", "strategy.yaml:2:10: YAML: the flow sequence opened here is "
     "not closed (at line 4, column 9"),
])
def test_unreadable_plan_exits_2_with_located_line(runner: CliRunner, tmp_path: Path, text: str,
                                                   line: str) -> None:
    _write(tmp_path, text)
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(line)
    assert "Traceback" not in result.stderr


def test_missing_plan_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "cannot read the plan" in result.stderr


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "strategyfirst", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_real_process_exit_codes(tmp_path: Path) -> None:
    """Through `python -m strategyfirst` (main()): usage errors and bad input exit 2 without a traceback."""
    _write(tmp_path, VIRAL)
    assert _run("lint", cwd=tmp_path).returncode == 1
    bad_date = _run("lint", "--as-of", "2026-1", cwd=tmp_path)
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr and "--as-of" in bad_date.stderr
    bad_format = _run("lint", "--format", "xml", cwd=tmp_path)
    assert bad_format.returncode == 2 and "Traceback" not in bad_format.stderr
    (tmp_path / "latin.yaml").write_bytes(b"version: 1\nowner: J\xe9r\xf4me\n")
    latin = _run("lint", "latin.yaml", cwd=tmp_path)
    assert latin.returncode == 2
    assert latin.stderr.strip() == "latin.yaml:2:9: the plan is not UTF-8 text: save it as UTF-8"
