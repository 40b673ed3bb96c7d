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


def test_simulate_the_smallest_size_writes_its_files(tmp_path: Path) -> None:
    """--events 100 (the least it takes) gave a Facebook file of no posts, whose columns built from empty lists
    were typed null: an ArrowNotImplementedError traceback (match_substring_regex)."""
    proc = _run("--out", str(tmp_path / "org"), "--events", "100")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    truth = json.loads((tmp_path / "org/truth.json").read_text(encoding="utf-8"))
    assert truth["generator"] == {"seed": 7, "events": 100}
    for paths in truth["files"].values():
        assert all((tmp_path / "org" / p).is_file() for p in paths)


def test_simulate_refuses_an_out_that_is_a_file_with_one_line(tmp_path: Path) -> None:
    """--out naming a file (or a folder under one) was a NotADirectoryError traceback."""
    (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
    for out in (tmp_path / "report.html", tmp_path / "report.html" / "org"):
        proc = _run("--out", str(out), "--events", "100")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert proc.stderr.strip() == (f"error: --out {out}: {tmp_path / 'report.html'} is a file, not a folder: "
                                       "give simulate a folder to write into")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "<html></html>"
