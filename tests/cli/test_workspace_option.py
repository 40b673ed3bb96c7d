"""cli.md: every command takes `--workspace DIR` (and `-w DIR`), even those that need no workspace."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from strategyfirst.cli import COMMANDS
from strategyfirst.plan.starter import starter_plan_text
from tests.cli.support import run

GROUPS = {"users": ("add", "list", "admin"), "tokens": ("create", "list", "revoke"), "imports": ("undo",)}


def _commands() -> list[list[str]]:
    out: list[list[str]] = []
    for name, _, _ in COMMANDS:
        out.append([name])
        out.extend([name, sub] for sub in GROUPS.get(name, ()))
    return out


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_takes_the_workspace_option(command: list[str], monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*command, "--help"], monkeypatch, capsys)
    assert code == 0, err
    if command[0] in ("users", "tokens") and len(command) == 1:
        return  # a group of subcommands, each of which takes it
    assert "--workspace" in out and "-w" in out


@pytest.mark.parametrize("flag", ["-w", "--workspace"])
@pytest.mark.parametrize("command", ["metrics", "sources"])
def test_catalogue_commands_accept_a_workspace(command: str, flag: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "strategy.yaml").write_text("version: 1\n", encoding="utf-8")
    plain = run([command, "--format", "json"], monkeypatch, capsys)
    code, out, err = run([command, flag, str(tmp_path), "--format", "json"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(plain[1])


@pytest.mark.parametrize("command", ["metrics", "sources", "simulate --out OUT"])
def test_a_workspace_option_naming_no_workspace_is_refused(command: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command.split()]
    code, _, err = run([*args, "-w", str(tmp_path / "nowhere")], monkeypatch, capsys)
    assert code == 2
    assert "no workspace at" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_demo_builds_in_the_workspace_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`demo -w DIR` is `demo DIR`: here a folder that is not a demo, refused before anything is written."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["demo", "-w", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and "not empty" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("command", ["measure", "diagnose", "check", "imports"])
def test_a_workspace_option_naming_a_file_says_to_point_at_a_folder(command: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """-w report.html told to `strategyfirst init report.html`, which init refuses (a file, not a folder)."""
    report = tmp_path / "report.html"
    report.write_text("<html></html>", encoding="utf-8")
    code, out, err = run([command, "-w", str(report)], monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        f"error: no workspace at {report} (it is a file, not a folder): point -w at your workspace folder"]
    code, _, err = run(["init", str(report)], monkeypatch, capsys)  # what the old advice led to
    assert code == 2 and "is a file" in err


@pytest.mark.parametrize("command", ["init WS", "ingest -w WS FILE", "measure -w WS", "diagnose -w WS", "demo WS",
                                     "restore BACKUP -w WS"])
def test_a_workspace_path_that_is_not_utf8_is_refused_before_anything_is_written(
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder named in Latin-1 (`Données`, byte 0xE9): init wrote its plan and then every command was a
    UnicodeEncodeError traceback (DuckDB and SQLite take UTF-8 paths only); demo and restore wrote their files
    first."""
    ws = tmp_path / os.fsdecode(b"Donn\xe9es")
    if command.startswith(("measure", "diagnose")):
        ws.mkdir()
        (ws / "strategy.yaml").write_text(starter_plan_text(), encoding="utf-8")
    export = tmp_path / "twcs.csv"
    export.write_text("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                      "1,alice,True,Tue Oct 10 10:00:00 +0000 2017,@acme help,,\n", encoding="utf-8")
    (tmp_path / "backup").mkdir()  # restore checks the target before it reads the backup
    args = [str(ws) if a == "WS" else str(export) if a == "FILE" else str(tmp_path / "backup") if a == "BACKUP"
            else a for a in command.split()]
    before = sorted(os.listdir(ws)) if ws.exists() else None
    code, out, err = run(args, monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        f"error: {tmp_path}/Donn\\xe9es: the workspace's path is not UTF-8 text (a folder name written in another "
        "encoding): rename the folder, or choose another one"]
    assert (sorted(os.listdir(ws)) if ws.exists() else None) == before
