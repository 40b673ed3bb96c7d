"""A second import waits for the first while it runs and says for what; `--wait SECONDS` bounds the wait."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.durability.test_kill import _big_twcs


def _holding(ws: Path, timeout: float = 120) -> str:
    """Wait until an import holds the workspace lock; returns what the lock file says."""
    lock = ws / ".strategyfirst" / "ingest.lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.is_file() and "the import of" in lock.read_text():
            return lock.read_text()
        time.sleep(0.05)
    raise AssertionError("the first import never took the workspace lock")


@pytest.mark.slow
def test_queued_import_waits_and_says_for_whom(tmp_path: Path, shared_data: Path) -> None:
    big = tmp_path / "twcs-big.csv"
    _big_twcs(big)
    ws = tmp_path / "ws"
    first = subprocess.Popen([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws), str(big)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert str(first.pid) in _holding(ws)
        bounded = subprocess.run([sys.executable, "-m", "strategyfirst", "ingest", "--wait", "0.5", "-w", str(ws),
                                  str(shared_data / "twcs" / "sample.csv")], capture_output=True, text=True,
                                 timeout=120, check=False)
        lines = bounded.stderr.strip().splitlines()
        assert bounded.returncode == 2, bounded.stderr
        assert re.fullmatch(r"waiting for the import of twcs-big\.csv by PID \d+, started \d\d:\d\d to finish "
                            r"\(at most 0 s\)", lines[0]), lines
        assert f"PID {first.pid}" in lines[0]
        assert "still holds the workspace" in lines[-1] and "--wait" in lines[-1]
        queued = subprocess.run([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws),
                                 str(shared_data / "twcs" / "sample.csv")], capture_output=True, text=True,
                                timeout=600, check=False)
        assert first.wait(timeout=600) == 0
        assert queued.returncode == 0, queued.stderr
        assert queued.stderr.startswith(f"waiting for the import of twcs-big.csv by PID {first.pid}")
        assert "93 new" in queued.stdout
    finally:
        first.kill()


@pytest.fixture(scope="module")
def big_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The generated file and how long an undisturbed import of it takes on this machine, now."""
    folder = tmp_path_factory.mktemp("big")
    big = folder / "twcs-big.csv"
    _big_twcs(big)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(folder / "ws"), str(big)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return big, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.1, 0.45, 0.8])
def test_workspace_deleted_mid_import_is_never_success(tmp_path: Path, big_import: tuple[Path, float],
                                                        fraction: float) -> None:
    """Deleted while reading, merging or deriving: a one-line error, never exit 0 with counts of new rows.

    The moment is a fraction of an undisturbed import's duration measured just before, so the deletion falls
    inside the import on a fast machine and a slow one alike; should the import still win the race (the machine
    got faster meanwhile), the moment is halved and the deletion tried again, so the test never skips.
    """
    import shutil

    big, duration = big_import
    delay = fraction * duration
    for attempt in range(4):
        ws = tmp_path / f"ws{attempt}"
        proc = subprocess.Popen([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws), str(big)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _holding(ws)
        time.sleep(delay)
        shutil.rmtree(ws)
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            break
        delay /= 2  # finished (and said so) before the folder went: then it was stored; try earlier
    else:
        raise AssertionError(f"four imports finished before their deletion ({duration:.1f} s undisturbed)")
    assert proc.returncode == 2, (out, err)
    assert "new" not in out
    lines = err.strip().splitlines()
    assert "Traceback" not in err and "deleted or moved during the import" in lines[-1], err
