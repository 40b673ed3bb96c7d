"""A single-valued option given twice is refused by every command (cli_options.OnceGroup), as `ingest` refuses a
second --account, instead of click silently keeping the last; `measure --funnel` refuses the options it ignores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from strategyfirst import cli
from strategyfirst.cli_options import option_values
from tests.cli.support import run


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "strategy.yaml").write_text("version: 1\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("args", "line"), [
    (["measure", "--by", "account", "--by", "tactic"], "--by was given 2 times (account, tactic); give it once"),
    (["measure", "--period=week", "--period", "month"], "--period was given 2 times (week, month)"),
    (["measure", "--since", "2026-01-01", "--since", "2026-02-01"], "--since was given 2 times"),
    (["diagnose", "--as-of", "2026-01-01", "--as-of", "2026-02-01"], "--as-of was given 2 times"),
    (["report", "-o", "a.html", "-o", "b.html"], "--output was given 2 times (a.html, b.html)"),
    (["imports", "undo", "1", "--format", "text", "--format", "json"], "--format was given 2 times (text, json)"),
    (["users", "add", "a@example.org", "--role", "viewer", "--role", "owner"], "--role was given 2 times"),
])
def test_a_second_value_is_refused(args: list[str], line: str, ws: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*args, "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == "" and line in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_under_json_the_refusal_is_json(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "--format", "json", "--format", "csv", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert json.loads(err) == {"error": "--format was given 2 times (json, csv); give it once", "file": None,
                               "line": None, "column": None}
    code, _, err = run(["measure", "-w", str(ws), "--workspace", str(ws / "other")], monkeypatch, capsys)
    assert code == 2 and f"--workspace was given 2 times ({ws}, {ws / 'other'})" in err


def test_the_same_value_twice_and_repeatable_options_pass(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["metrics", "--format", "json", "--format=json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)
    code, _, err = run(["lint", str(ws / "strategy.yaml"), "--format", "json", "--format", "json"], monkeypatch,
                       capsys)
    assert "given" not in err


def test_the_typer_app_refuses_too(ws: Path) -> None:
    """`strategyfirst.cli.app` (what CliRunner drives) has the same group."""
    result = CliRunner().invoke(cli.app, ["metrics", "--format", "text", "--format", "json"])
    assert result.exit_code != 0 and "--format was given 2 times (text, json)" in str(result.exception)


def test_option_values_reads_as_clicks_parser() -> None:
    command = get_command(cli.app).get_command(None, "measure")  # type: ignore[attr-defined]
    # `--account --by`: --by is --account's value (click reads it so); `--metric` repeats; `--` ends options.
    got = option_values(command, ["--account", "--by", "--by=tactic", "--metric", "posts", "--metric", "--by",
                                  "--funnel", "--funnel", "-w", "a", "--", "--by", "x"])
    assert got == {"--by": ["tactic"], "--funnel": ["--funnel", "--funnel"], "--workspace": ["a"]}


@pytest.mark.parametrize(("args", "ignored"), [
    (["--by", "account"], "--by account"),
    (["--period", "month", "--metric", "reach"], "--period month, --metric reach"),
    (["--account", "acme", "--all"], "--account acme, --all"),
    (["--format", "csv"], "--format csv"),
])
def test_funnel_refuses_what_it_ignores(args: list[str], ignored: str, ws: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "--funnel", *args, "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip() == ("error: --funnel follows the whole plan and each tactic over the latest month (up to "
                           f"--until), as table or json: leave out {ignored}")


def test_a_path_given_twice_is_compared_as_the_folder_it_names(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`-w . -w /abs/path/of/the/same/folder` names one folder twice: accepted, as the same text twice is."""
    (ws / "other").mkdir()
    (ws / "other" / "strategy.yaml").write_text("version: 1\n", encoding="utf-8")
    (ws / "link").symlink_to(ws, target_is_directory=True)
    monkeypatch.chdir(ws)
    for same in (str(ws), f"{ws}/", f"{ws}/other/..", "link", f"{ws}/./link"):
        code, out, err = run(["metrics", "--format", "json", "-w", ".", "-w", same], monkeypatch, capsys)
        assert code == 0 and "given" not in err, (same, err)
        assert json.loads(out)
        code, _, err = run(["lint", "--workspace", same, "-w", ".", "--format", "json"], monkeypatch, capsys)
        assert "given" not in err and code in (0, 1), (same, err)
    # two different folders are still two values: refused, said as typed
    code, out, err = run(["metrics", "-w", ".", "-w", "other"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip() == "error: --workspace was given 2 times (., other); give it once"
    code, _, err = run(["report", "-o", "a.html", "-o", f"{ws}/other/../b.html"], monkeypatch, capsys)
    assert code == 2 and f"--output was given 2 times (a.html, {ws}/other/../b.html)" in err
