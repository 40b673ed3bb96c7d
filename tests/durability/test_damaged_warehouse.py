"""A damaged, empty, foreign or read-only warehouse file: every command says so in one line (file, what is
wrong, how to recover), exits 2, and leaves the file exactly as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.support import run
from tests.conftest import require

COMMANDS: list[list[str]] = [["measure"], ["diagnose"], ["capacity"], ["report", "-o", "{ws}/out.html"],
                             ["export", "--out", "{ws}/export"], ["ingest", "{twcs}"], ["backup", "{ws}.backup"]]


def _damage_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


DAMAGES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "half": (_damage_half, "damaged"),
    "4KiB": (lambda data: data[:4096], "damaged"),
    "empty": (lambda data: b"", "empty (0 bytes)"),
    "not a database": (lambda data: b"this is a spreadsheet, not a warehouse\n" * 200, "not a strategyfirst warehouse"),
}


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Path, bytes]:
    """A workspace with the real twcs sample imported, and its warehouse file's bytes."""
    from strategyfirst import Workspace
    from strategyfirst.plan.starter import starter_plan_text

    ws = Workspace(tmp_path_factory.mktemp("intact"))
    ws.plan_path.write_text(starter_plan_text(), encoding="utf-8")
    ws.ingest([shared_data / "twcs" / "sample.csv"])
    return ws.root, ws.warehouse_path.read_bytes()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _spoilt(damage: str, intact: tuple[Path, bytes], tmp_path: Path) -> tuple[Path, Path, str, str]:
    """A copy of the intact workspace with its warehouse damaged: (workspace, warehouse, what the error
    says, the damaged file's sha256)."""
    ws = tmp_path / "ws"
    shutil.copytree(intact[0], ws)
    warehouse = ws / ".strategyfirst" / "warehouse.duckdb"
    spoil, says = DAMAGES[damage]
    warehouse.write_bytes(spoil(intact[1]))
    return ws, warehouse, says, _sha(warehouse)


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_damaged_warehouse_is_one_line(damage: str, command: list[str], intact: tuple[Path, bytes],
                                       tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    ws, warehouse, says, before = _spoilt(damage, intact, tmp_path)
    args = [a.format(ws=ws, twcs=shared_data / "twcs" / "sample.csv") for a in command]
    code, out, err = run([*args, "-w", str(ws)], monkeypatch, capsys)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(warehouse) in lines[0] and says in lines[0], lines[0]
    assert "restore" in lines[0] and "Traceback" not in err and "IO Error" not in err
    assert _sha(warehouse) == before                      # nothing written to the damaged file
    assert not (ws / "out.html").exists()                 # no degraded report
    assert not Path(f"{ws}.backup").exists()              # no backup of a damaged warehouse


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_check_names_a_damaged_warehouse_as_a_problem(damage: str, intact: tuple[Path, bytes], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    ws, warehouse, says, before = _spoilt(damage, intact, tmp_path)
    code, out, err = run(["check", "-w", str(ws)], monkeypatch, capsys)
    assert code == 1, (out, err)
    assert "Traceback" not in out + err and "IO Error" not in out + err
    assert [line for line in (out + err).splitlines() if str(warehouse) in line and says in line], (out, err)
    assert _sha(warehouse) == before


def _as_nobody() -> list[str] | None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize("read_only", ["warehouse file", "whole workspace"])
@pytest.mark.parametrize("command", [["measure"], ["ingest", "{twcs}"], ["report", "-o", "{out}/r.html"]],
                         ids=lambda c: c[0])
def test_read_only_warehouse_is_one_line(command: list[str], read_only: str, intact: tuple[Path, bytes],
                                         shared_data: Path) -> None:
    """Run as an unprivileged user (root writes to any file, so read-only needs another user)."""
    prefix = _as_nobody()
    require(prefix is not None, "needs root and setpriv to run a command as an unprivileged user")
    assert prefix is not None
    base = Path(tempfile.mkdtemp(prefix="sf-readonly-"))
    try:
        ws = base / "ws"
        shutil.copytree(intact[0], ws)
        out = base / "out"
        out.mkdir()
        for folder in (base, out, *[p for p in ws.rglob("*") if p.is_dir()], ws):
            folder.chmod(0o777)
        warehouse = ws / ".strategyfirst" / "warehouse.duckdb"
        for file in ws.rglob("*"):
            if file.is_file():
                file.chmod(0o666)
        for file in ws.rglob("*") if read_only == "whole workspace" else [warehouse]:
            if file.is_file():
                file.chmod(0o444)
        named = warehouse if read_only == "warehouse file" else warehouse.parent
        before = _sha(warehouse)
        args = [a.format(twcs=shared_data / "twcs" / "sample.csv", out=out) for a in command]
        env = {**os.environ, "HOME": str(base), "PYTHONPATH": os.pathsep.join(sys.path)}
        proc = subprocess.run([*prefix, sys.executable, "-m", "strategyfirst", *args, "-w", str(ws)],
                              capture_output=True, text=True, env=env, timeout=120, check=False)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, (proc.stdout, proc.stderr)
        assert len(lines) == 1 and "read-only" in lines[0] and f"{named}:" in lines[0], proc.stderr
        assert _sha(warehouse) == before
    finally:
        shutil.rmtree(base, ignore_errors=True)
