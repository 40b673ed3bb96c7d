"""`serve` refuses what it cannot listen on in one line, exit 2, before it says it is serving."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from strategyfirst.plan.starter import starter_plan_text
from tests.cli.support import run


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "strategy.yaml").write_text(starter_plan_text(), encoding="utf-8")
    return tmp_path


def test_a_port_in_use_is_one_line_exit_2(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """It said "serving ... on http://127.0.0.1:PORT/", then uvicorn's `ERROR: [Errno 98] ... address already in
    use`, exit 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(["serve", "-w", str(ws), "--port", str(port)], monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [f"error: cannot listen on 127.0.0.1:{port} (Address already in use): "
                                        "choose another --port, or stop what listens there"]


def test_an_unknown_host_and_a_port_out_of_range_are_one_line_exit_2(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """--port 99999 said "serving on :99999" and hung; --host 256.1.1.1 was uvicorn's `ERROR: [Errno -2]`, exit 3."""
    code, out, err = run(["serve", "-w", str(ws), "--port", "99999"], monkeypatch, capsys)
    assert (code, out) == (2, "") and "serving" not in err
    assert err.strip().splitlines() == ["error: Invalid value for '--port': Input should be less than or equal to "
                                        "65535 (see `strategyfirst serve --help`)"]
    code, out, err = run(["serve", "-w", str(ws), "--host", "256.1.1.1"], monkeypatch, capsys)
    assert (code, out) == (2, "") and "serving" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --host 256.1.1.1: no such address (")
    assert lines[0].endswith("); give an interface of this machine, e.g. 127.0.0.1 or 0.0.0.0")
