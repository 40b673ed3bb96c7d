"""`-f` is `--format` on every command that has `--format` (cli.md's flags; the README says so once), and no
command declares one short option twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main

from strategyfirst import cli
from tests.cli.support import run

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "plan" / "example.yaml"


def _commands() -> Iterator[tuple[str, typer.core.TyperCommand]]:
    """Every command and subcommand by its path (`imports undo`), built as `strategyfirst` builds it."""
    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup)
    todo = [(name, command) for name, command in group.commands.items()]
    while todo:
        path, command = todo.pop(0)
        yield path, command  # type: ignore[misc]
        subcommands = getattr(command, "commands", {})
        todo.extend((f"{path} {name}", sub) for name, sub in subcommands.items())


COMMANDS = dict(_commands())
WITH_FORMAT = sorted(path for path, command in COMMANDS.items()
                     if any("--format" in p.opts for p in command.params))


def test_the_commands_with_format_are_the_ones_expected() -> None:
    # By hand from cli.md's table and the README: these take --format.
    expected = ["lint", "diagnose", "decide", "history", "ingest", "sources", "measure", "export", "readiness",
                "capacity", "metrics", "check", "imports", "imports undo", "rebuild", "restore", "backup"]
    assert sorted(expected) == WITH_FORMAT


@pytest.mark.parametrize("path", WITH_FORMAT)
def test_every_format_option_has_f(path: str) -> None:
    (option,) = [p for p in COMMANDS[path].params if "--format" in p.opts]
    assert option.opts == ["--format", "-f"]


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_no_short_option_is_declared_twice(path: str) -> None:
    shorts = Counter(o for p in COMMANDS[path].params for o in (*p.opts, *p.secondary_opts)
                     if o.startswith("-") and not o.startswith("--"))
    assert [o for o, n in shorts.items() if n > 1] == []


@pytest.mark.parametrize("args", [["lint", "-f", "json"], ["diagnose", "-f", "json"], ["history", "-f", "json"],
                                  ["measure", "-f", "json"]])
def test_f_json_gives_json(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(EXAMPLE_PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run([*args, "-w", str(ws)], monkeypatch, capsys)
    assert code in (0, 1), err
    assert isinstance(json.loads(out), dict)
