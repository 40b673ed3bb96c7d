"""`main` builds only the command it runs; `--help` lists the commands from `strategyfirst.cli.COMMANDS`
without building any (issue 19: fixed costs). The table must say what the real commands say."""

from __future__ import annotations

import inspect
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from strategyfirst import cli
from tests.cli.support import run

SRC = Path(__file__).resolve().parents[2] / "src"


def _first_paragraph(command: object) -> str:
    text = getattr(command, "short_help", None) or getattr(command, "help", None) or ""
    return inspect.cleandoc(text).split("\n\n")[0]


def test_the_table_lists_every_command_in_order_with_its_help() -> None:
    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup)
    real = [(name, _first_paragraph(command)) for name, command in group.commands.items()
            if not command.hidden]
    assert [(name, short) for name, _, short in cli.COMMANDS] == real


def test_each_command_is_built_from_the_module_the_table_names() -> None:
    full = typer.main.get_command(cli.app)
    assert isinstance(full, typer.core.TyperGroup)
    for name, _module, _short in cli.COMMANDS:
        alone = cli.build_command(name)
        real = full.commands[name]
        assert alone is not None and alone.name == real.name == name
        assert [p.name for p in alone.params] == [p.name for p in real.params]
        assert alone.help == real.help
        assert sorted(getattr(alone, "commands", {})) == sorted(getattr(real, "commands", {}))
    assert cli.build_command("no-such-command") is None


@pytest.mark.parametrize("args", [["--help"], [], ["users"], ["imports", "--help"], ["lint", "--help"],
                                  ["tokens", "create", "--help"]])
def test_the_lazy_group_prints_what_the_full_app_prints(args: list[str], monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERMINAL_WIDTH", "100")
    full = CliRunner().invoke(cli.app, args, prog_name="strategyfirst")
    code, out, err = run(args, monkeypatch, capsys)
    assert full.output.strip() and (out + err).strip() == full.output.strip()
    assert code == (full.exit_code or 0) or (not args and code == 2)


def test_a_mistyped_command_is_answered_with_the_close_names(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["histroy"], monkeypatch, capsys)
    assert code == 2
    assert "No such command 'histroy'. Did you mean 'history'?" in err


def _modules_after(args: list[str]) -> set[str]:
    probe = ("import contextlib, io, sys\nfrom strategyfirst.cli import main\n"
             f"sys.argv = ['strategyfirst', *{args!r}]\n"
             "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
             "    try:\n        main()\n    except SystemExit:\n        pass\n"
             "print('MODULES:', *sorted(m for m in sys.modules if m.startswith('strategyfirst.cli')))")
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(SRC)},
                          capture_output=True, text=True, check=True)
    return set(done.stdout.rsplit("MODULES:", 1)[1].split())


def test_the_help_imports_no_command_module_and_a_command_its_own() -> None:
    others = {module for _, module, _ in cli.COMMANDS if module != "strategyfirst.cli"}
    assert _modules_after(["--help"]) & others == set()
    assert _modules_after(["metrics", "--format", "json"]) & others == {"strategyfirst.cli_metrics"}


def test_the_help_lists_each_command_without_breaking_its_line_early(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Typer's rich mode keeps a first paragraph's line breaks in the list of commands: `backup`, `rebuild`,
    `check` and `imports` read "... SQLite app database) with a" and then "manifest of sha256s ..." on the next
    line, half empty. Each entry's text now wraps only where the next word does not fit."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERMINAL_WIDTH", "80")
    code, out, _ = run(["--help"], monkeypatch, capsys)
    assert code == 0
    rows = [line[1:-1] for line in out.splitlines() if line.startswith("│") and line.endswith("│")]
    names = {name for name, _, _ in cli.COMMANDS}
    start = next(r for r in rows if r.split() and r.split()[0] == "demo").index("Build")  # the text's column
    entries: list[list[str]] = []
    for row in rows:
        name = row[:start].strip()
        if name in names:
            entries.append([row[start:].rstrip()])
        elif entries and not name:
            entries[-1].append(row[start:].rstrip())
    assert len(entries) == len(cli.COMMANDS)
    width = len(rows[0]) - start - 1  # the text's room: up to the box's inner margin
    for lines, (name, _, short) in zip(entries, cli.COMMANDS, strict=True):
        assert " ".join(" ".join(lines).split()) == " ".join(short.split()), name
        for line, after in itertools.pairwise(lines):
            assert len(line) + 1 + len(after.split()[0]) > width, (name, line, after)


@pytest.mark.parametrize("group", ["users", "tokens", "imports"])
def test_a_command_groups_help_lists_its_commands_without_breaking_a_line_early(
        group: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The same for the commands of a group: `tokens create` read "... read-only unless --access write; it" and
    then "is printed once, ..." on the next line, `tokens list` and `users admin` alike."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERMINAL_WIDTH", "80")
    code, out, _ = run([group, "--help"], monkeypatch, capsys)
    assert code == 0
    box = out.split("Commands")[1]
    rows = [line[1:-1] for line in box.splitlines() if line.startswith("│") and line.endswith("│")]
    start = len(rows[0]) - len(rows[0][rows[0].index(" ", 1):].lstrip())  # the text's column, after the name
    width = len(rows[0]) - start - 1
    entries: list[list[str]] = []
    for row in rows:
        if row[:start].strip():
            entries.append([row[start:].rstrip()])
        else:
            entries[-1].append(row[start:].rstrip())
    assert entries
    for lines in entries:
        for line, after in itertools.pairwise(lines):
            assert len(line) + 1 + len(after.split()[0]) > width, (group, line, after)
