"""kill -9 an import at seeded moments (starting, reading, merging, deriving): the next command works, the
warehouse equals its state before or after the import exactly, and nothing is left over (no `.part` copy in
raw/, no work table in the warehouse file, no sentiment worker outliving its parent)."""

from __future__ import annotations

import csv
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from strategyfirst.plan.starter import starter_plan_text

ROWS = 40_000          # conversations of the generated file: a few seconds of import on 2 cores
KILLS = 10
SCHEMA_TABLES = ("messages", "audience", "spend", "rejects")
WORDS = ("thanks", "great", "awful", "slow", "help", "love", "broken", "refund", "happy", "waiting")


def _big_twcs(path: Path, seed: int = 7) -> None:
    """A twcs-format file: customer tweets and the brand's replies (ids unique, texts varied for sentiment)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
                      "in_response_to_tweet_id"])
        for i in range(ROWS):
            ask, answer = 10_000_000 + 2 * i, 10_000_001 + 2 * i
            day, minute = 1 + i % 28, i % 60
            words = " ".join(rng.choice(WORDS) for _ in range(6))
            out.writerow([ask, f"c{i}", "True", f"Wed Oct {day:02d} 10:{minute:02d}:00 +0000 2017",
                          f"@AcmeHelp {words} #{i}", answer, ""])
            out.writerow([answer, "AcmeHelp", "False", f"Wed Oct {day:02d} 11:{minute:02d}:00 +0000 2017",
                          f"@c{i} sorry to hear, {words} #{i}", "", ask])


def _sf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "strategyfirst", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600, check=False)


def _state(ws: Path) -> dict[str, str]:
    """A digest per canonical table (rows as text, order-free), and the stray tables, read-only."""
    con = duckdb.connect(str(ws / ".strategyfirst" / "warehouse.duckdb"), read_only=True)
    try:
        out = {t: str(con.execute(f"SELECT count(*), coalesce(md5(string_agg(md5(CAST(x AS VARCHAR)), ',' ORDER BY "
                                  f"md5(CAST(x AS VARCHAR)))), '') FROM (SELECT * EXCLUDE (import_id) FROM {t}) x"
                                  ).fetchone()) for t in SCHEMA_TABLES}
        out["strays"] = str(sorted(r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND (table_name LIKE 'ibis%' OR "
            "table_name LIKE '\\_sf\\_%' ESCAPE '\\')").fetchall()))
        return out
    finally:
        con.close()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


@pytest.mark.slow
def test_kill_9_during_import_leaves_before_or_after(tmp_path: Path, shared_data: Path) -> None:
    big = tmp_path / "twcs-big.csv"
    _big_twcs(big)
    base = tmp_path / "base"
    base.mkdir()
    (base / "strategy.yaml").write_text(starter_plan_text(), encoding="utf-8")
    assert _sf("ingest", "-w", str(base), str(shared_data / "twcs" / "sample.csv"), cwd=tmp_path).returncode == 0
    before = _state(base)

    clean = tmp_path / "clean"
    shutil.copytree(base, clean)
    started = time.monotonic()
    done = _sf("ingest", "-w", str(clean), str(big), cwd=tmp_path)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    after = _state(clean)
    assert before != after and after["strays"] == "[]"

    rng = random.Random(20261129)
    outcomes = []
    for k in range(KILLS):
        ws = tmp_path / f"kill{k}"
        shutil.copytree(base, ws)
        moment = duration * (0.05 + 1.0 * (k + rng.random()) / KILLS)  # startup .. reading .. merging .. deriving
        proc = subprocess.Popen([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws), str(big)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
        time.sleep(moment)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)   # the import only, as the OOM killer would: not its process group
        proc.wait()
        deadline = time.monotonic() + 15
        while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if Path(f"/proc/{w}").exists()], "a worker outlived its killed parent"

        nxt = _sf("measure", "-w", str(ws), "--format", "json", cwd=tmp_path)   # the next command works
        assert nxt.returncode == 0, (k, moment, nxt.stderr)
        state = _state(ws)
        assert state["strays"] == "[]", (k, moment, state["strays"])
        assert state in (before, after), (k, moment)
        outcomes.append("after" if state == after else "before")
    # The next import sweeps what a killed one left in raw/.
    for k in range(KILLS):
        ws = tmp_path / f"kill{k}"
        _sf("ingest", "-w", str(ws), str(shared_data / "twcs" / "sample.csv"), cwd=tmp_path)
        assert not list((ws / ".strategyfirst" / "raw").glob(".*.part")), k
    assert "before" in outcomes, outcomes  # the seeded moments did cover the import before its commit
