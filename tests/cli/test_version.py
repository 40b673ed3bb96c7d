"""`strategyfirst --version`: the release, as pyproject.toml declares it, and nothing else run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.cli.support import run

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_version_prints_the_release_and_exits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    release = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["--version"], monkeypatch, capsys)
    assert (code, out, err) == (0, f"strategyfirst {release}\n", "")
    assert list(tmp_path.iterdir()) == []  # no workspace made, no command run
    code, out, _ = run(["--help"], monkeypatch, capsys)
    assert code == 0 and "--version" in out and "Print the version and exit." in out
