"""`strategyfirst simulate --out DIR --events N --seed S`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "strategyfirst", "simulate", *args],
                          capture_output=True, text=True, check=False)


def test_simulate_writes_plan_exports_and_truth(tmp_path: Path) -> None:
    proc = _run("--out", str(tmp_path / "org"), "--events", "2000", "--seed", "4")
    assert proc.returncode == 0, proc.stderr
    assert "truth\t" in proc.stdout and "twcs\t1 file(s)" in proc.stdout
    truth = json.loads((tmp_path / "org/truth.json").read_text(encoding="utf-8"))
    assert truth["generator"] == {"seed": 4, "events": 2000}
    assert (tmp_path / "org/strategy.yaml").is_file()
    for paths in truth["files"].values():
        assert all((tmp_path / "org" / p).is_file() for p in paths)


def test_simulate_refuses_a_tiny_size_with_one_line(tmp_path: Path) -> None:
    proc = _run("--out", str(tmp_path / "org"), "--events", "5")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--events 5" in proc.stderr
