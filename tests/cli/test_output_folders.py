"""`backup OUT` and `export --out DIR` write into a folder that exists, as `report -o` does: a missing (mistyped)
parent folder is refused in one line, exit 2, and nothing is written or created; OUT itself is still made."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from strategyfirst.plan.starter import starter_plan_text
from tests.cli.support import run

TWCS = ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,alice,True,Tue Oct 10 10:00:00 +0000 2017,@acme help,,\n")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A workspace with a plan and a warehouse holding one message."""
    root = tmp_path / "acme"
    root.mkdir()
    (root / "strategy.yaml").write_text(starter_plan_text(), encoding="utf-8")
    export = tmp_path / "twcs.csv"
    export.write_text(TWCS, encoding="utf-8")
    code, _, err = run(["ingest", str(export), "-w", str(root)], monkeypatch, capsys)
    assert code == 0, err
    return root


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", ["snapshot", "snapshot.tar.gz"])
def test_backup_refuses_a_missing_parent_folder(name: str, ws: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(tmp_path)
    missing = tmp_path / "bakups" / "2026"  # a typo of a folder that was never made
    code, out, err = run(["backup", str(missing / name), "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"error: {missing}: no such folder; check the path, or create the folder first (backup never creates "
        "the folders it writes into)"]
    assert _files(tmp_path) == before  # no folder made, no backup, no leftover stage
    code, out, err = run(["backup", str(missing / name), "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert code == 2 and json.loads(err)["error"].startswith(f"{missing}: no such folder")
    # into a folder that exists, OUT itself is made as before
    code, _, err = run(["backup", str(tmp_path / name), "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / name).exists()


def test_backup_refuses_a_parent_that_is_a_file(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    before = _files(tmp_path)
    code, out, err = run(["backup", str(tmp_path / "notes.txt" / "b"), "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines() == [f"error: {tmp_path / 'notes.txt'} is a file, not a folder: choose where "
                                        "backup writes"]
    assert _files(tmp_path) == before


def test_backup_refuses_an_existing_file_as_its_folder(ws: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`backup report.html` (an existing file, not an archive name) was a NotADirectoryError traceback."""
    (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
    before = _files(tmp_path)
    code, out, err = run(["backup", str(tmp_path / "report.html"), "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines() == [
        f"error: {tmp_path / 'report.html'}: already exists; give a new folder or archive name (a backup never "
        "overwrites anything)"]
    assert _files(tmp_path) == before
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "<html></html>"


def test_export_refuses_a_missing_parent_folder(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    before, state = _files(tmp_path), _files(ws / ".strategyfirst")
    missing = tmp_path / "exprots"
    code, out, err = run(["export", "--out", str(missing / "parquet"), "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"error: {missing}: no such folder; check the path, or create the folder first (export never creates "
        "the folders it writes into)"]
    assert _files(tmp_path) == before and _files(ws / ".strategyfirst") == state  # nothing written anywhere
    # into a folder that exists, --out itself is made as before
    code, _, err = run(["export", "--out", str(tmp_path / "parquet"), "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / "parquet" / "manifest.json").is_file()


@pytest.mark.parametrize("command", ["export --out OUT", "backup OUT.tar.gz", "report -o OUT.html"])
def test_an_output_name_that_is_not_utf8_is_refused_in_one_line(command: str, ws: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`export --out Donn\\xe9es` (a Latin-1 name) was a UnicodeEncodeError traceback from DuckDB; backup and
    report wrote the file and printed its name mangled."""
    out = str(tmp_path / os.fsdecode(b"Donn\xe9es"))
    args = [a.replace("OUT", out) for a in command.split()]
    before = _files(tmp_path)
    code, stdout, err = run([*args, "-w", str(ws)], monkeypatch, capsys)
    assert (code, stdout) == (2, "")
    written = args[-1].replace(out, f"{tmp_path}/Donn\\xe9es")
    what = {"export": "export", "backup": "backup", "report": "the report"}[args[0]]
    assert err.strip().splitlines() == [f"error: {written}: the name is not UTF-8 text (written in another "
                                        f"encoding): choose another name for what {what} writes"]
    assert _files(tmp_path) == before
