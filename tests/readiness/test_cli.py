"""`strategyfirst readiness` and `strategyfirst capacity` through the real Typer app."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strategyfirst.cli import app
from strategyfirst.plan import load
from tests.cli.support import run

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()
runner = CliRunner()


def test_readiness_answers_file_then_json_score(tmp_path: Path) -> None:
    (tmp_path / "strategy.yaml").write_text(EXAMPLE, encoding="utf-8")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"ownership": {"owner": "Jane", "hours_per_week": 8},
                                   "response": {"handling_minutes": 5, "staffing": [
                                       {"days": "weekdays", "hours": "09-17", "people": 1}]}}))
    result = runner.invoke(app, ["readiness", "--answers", str(answers), "--format", "json",
                                 "--workspace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by = {d["dimension"]: d for d in data["dimensions"]}
    assert data["answered"] is True
    assert by["ownership"]["score"] == 1.0 and by["ownership"]["status"] == "ready"
    # 0.25 + 0.5 + 0.25 × 5/7 = 0.9286
    assert by["response"]["score"] == round(0.75 + 0.25 * 5 / 7, 3)
    assert by["listening"]["status"] == "not_ready" and by["listening"]["gaps"]
    text = (tmp_path / "strategy.yaml").read_text()
    assert "# the person in charge of the whole plan" in text
    plan = load(tmp_path / "strategy.yaml").plan
    assert plan.readiness is not None and plan.readiness.ownership is not None
    assert plan.readiness.ownership.owner == "Jane"

    shown = runner.invoke(app, ["readiness", "--no-ask", "--workspace", str(tmp_path)])
    assert shown.exit_code == 0 and "Ownership" in shown.stdout and "100%" in shown.stdout


def test_capacity_command_json_and_text(tmp_path: Path) -> None:
    (tmp_path / "strategy.yaml").write_text(
        EXAMPLE + "readiness:\n  response:\n    handling_minutes: 6\n", encoding="utf-8")
    result = runner.invoke(app, ["capacity", "--format", "json", "--workspace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["target_minutes"] == 60 and data["service_level"] == 0.9 and len(data["hours"]) == 168
    text = runner.invoke(app, ["capacity", "--target-minutes", "30", "--workspace", str(tmp_path)])
    assert text.exit_code == 0 and "within 30 min;" in text.stdout and "Poisson" in text.stdout


def test_capacity_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "strategy.yaml").write_text(EXAMPLE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "strategyfirst", "capacity", "-w", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "handling_minutes" in proc.stderr and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("leadership: {support: maybe}\n")
    proc = subprocess.run([sys.executable, "-m", "strategyfirst", "readiness", "--answers", str(bad),
                           "-w", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "bad.yaml:1:14" in proc.stderr and "Traceback" not in proc.stderr


def test_readiness_answers_yaml_syntax_error_is_one_located_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Like lint's YAML errors: `file:line:col: ...` on one line, saying what is wrong and what to do."""
    (tmp_path / "strategy.yaml").write_text(EXAMPLE, encoding="utf-8")
    plan_before = (tmp_path / "strategy.yaml").read_text(encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("garbage: [\n", encoding="utf-8")
    code, _, err = run(["readiness", "-w", str(tmp_path), "--answers", str(answers)], monkeypatch, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {answers}:2:1: ")
    assert "expected the node content" in lines[0] and "fix the YAML" in lines[0]
    assert "<unicode string>" not in lines[0]
    assert (tmp_path / "strategy.yaml").read_text(encoding="utf-8") == plan_before


def test_readiness_refuses_an_absurd_number_in_one_line_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "strategy.yaml").write_text(EXAMPLE, encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("listening: {done: true, weeks: 1e9}\n", encoding="utf-8")
    code, _, err = run(["readiness", "-w", str(tmp_path), "--answers", str(answers)], monkeypatch, capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {answers}:1:25: listening.weeks: give a number of weeks from 0 to 520, ten years"]
    assert (tmp_path / "strategy.yaml").read_text(encoding="utf-8") == EXAMPLE


@pytest.mark.parametrize(("make", "said"), [
    # it said "cannot read the answers file: [Errno 21] Is a directory: '<the path again>'"
    (lambda p: p.mkdir(), "is a folder, not an answers file: give the YAML or JSON file of answers"),
    (lambda p: p.write_bytes(b""), "the answers file is empty: write the answers in it"),
    # a byte-order mark alone is no answer either (it said "the answers must be a mapping of dimensions")
    (lambda p: p.write_bytes(b"\xef\xbb\xbf\n"), "the answers file is empty: write the answers in it"),
    (lambda p: p.write_bytes(b"\xff\xfeo\x00"), "is not UTF-8 text: save the answers as UTF-8"),
    (lambda p: None, "no such file; check the path"),
])
def test_an_answers_file_that_cannot_be_read_is_said_in_words_and_writes_nothing(
        make: Callable[[Path], object], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "strategy.yaml").write_text(EXAMPLE, encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    make(answers)
    code, _, err = run(["readiness", "-w", str(tmp_path), "--answers", str(answers)], monkeypatch, capsys)
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: {answers}:1:1: {said}") and "Errno" not in line, line
    assert (tmp_path / "strategy.yaml").read_text(encoding="utf-8") == EXAMPLE


@pytest.mark.parametrize(("extra", "where", "line", "column"), [
    ("", "strategy.yaml: ", None, None),  # no readiness at all: the file alone
    # the example plan has 43 lines: `readiness:` is line 44, `  response:` line 45 (its key at column 3)
    ("readiness:\n  ownership: {owner: Jane}\n", "strategy.yaml:44:1: ", 44, 1),
    ("readiness:\n  response:\n    timezone: UTC\n", "strategy.yaml:45:3: ", 45, 3),
])
def test_capacity_without_handling_time_names_the_plan_file(
        extra: str, where: str, line: int | None, column: int | None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The fix belongs in strategy.yaml: the error names it, at the key's deepest parent where there is one."""
    (tmp_path / "strategy.yaml").write_text(EXAMPLE + extra, encoding="utf-8")
    code, out, err = run(["capacity", "-w", str(tmp_path), "--format", "json"], monkeypatch, capsys)
    assert code == 2 and out == ""
    doc = json.loads(err)
    assert (doc["file"], doc["line"], doc["column"]) == ("strategy.yaml", line, column)
    assert doc["error"].startswith(where + "the plan declares no handling time per reply: add "
                                   "`readiness.response.handling_minutes`")
    code, _, err = run(["capacity", "-w", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and err.startswith("error: " + where) and len(err.strip().splitlines()) == 1
