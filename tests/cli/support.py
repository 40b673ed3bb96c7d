"""Running the `strategyfirst` entry point in-process, as a shell would, for the CLI tests."""

from __future__ import annotations

import io
import sys

import pytest

from strategyfirst.cli import main


def run(args: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `strategyfirst ARGS` with empty stdin."""
    monkeypatch.setattr(sys, "argv", ["strategyfirst", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
