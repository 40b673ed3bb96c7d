"""`strategyfirst init`: a commented starter plan that lints clean of errors; never overwrites a plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strategyfirst.cli import app
from strategyfirst.lint import lint_document
from strategyfirst.plan import load
from strategyfirst.plan.starter import starter_plan_text


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_init_writes_a_plan_that_lints_clean(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "my-org"])
    assert result.exit_code == 0, result.output
    plan = tmp_path / "my-org" / "strategy.yaml"
    assert plan.is_file()
    assert (tmp_path / "my-org" / ".strategyfirst").is_dir()
    report = lint_document(load(plan))
    assert report.errors == []
    lint = runner.invoke(app, ["lint", "-w", "my-org"])
    assert lint.exit_code == 0, lint.output


def test_starter_plan_explains_each_key() -> None:
    text = starter_plan_text(dt.date(2026, 3, 15))
    lines = text.splitlines()
    assert sum(ln.lstrip().startswith("#") for ln in lines) >= 15
    for key in ("version", "organisation", "owner", "horizon", "budget", "review", "accounts", "strategy",
                "objectives", "tactics"):
        (line,) = [ln for ln in lines if ln.startswith(f"{key}:")]
        explained = "#" in line or lines[lines.index(line) - 1].lstrip().startswith("#")
        assert explained, f"{key} is not explained"
    assert "horizon: {start: 2026-03-01, end: 2027-02-28}" in text


def test_starter_plan_lints_clean_on_a_leap_day() -> None:
    from strategyfirst.plan import loads

    doc = loads(starter_plan_text(dt.date(2028, 2, 29)))
    assert doc.plan.horizon is not None
    assert (doc.plan.horizon.start, doc.plan.horizon.end) == (dt.date(2028, 2, 1), dt.date(2029, 1, 31))
    assert lint_document(doc, as_of=dt.date(2028, 2, 29)).findings == ()


def test_init_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    plan = tmp_path / "strategy.yaml"
    plan.write_text("version: 1\n# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "never overwrites" in result.stderr
    assert plan.read_text(encoding="utf-8") == "version: 1\n# mine\n"


def test_init_uses_workspace_option(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "-w", "ws2"])
    assert result.exit_code == 0
    assert (tmp_path / "ws2" / "strategy.yaml").is_file()


@pytest.mark.parametrize("command", ["init", "demo"])
def test_a_folder_and_another_w_are_refused(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.support import run

    monkeypatch.chdir(tmp_path)
    code, out, err = run([command, "-w", "A", "B"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip() == f"error: two folders given, B and -w A: give one (`strategyfirst {command} B` or `-w A`)"
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # neither folder made


def test_a_folder_and_the_same_w_are_that_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.support import run

    monkeypatch.chdir(tmp_path)
    code, _, err = run(["init", "-w", "./A", "A"], monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / "A" / "strategy.yaml").is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["A"]
