"""backup, restore, rebuild and check on the real files of ../shared/data (issue 16.5, 16.6)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from strategyfirst import Workspace
from strategyfirst.plan.starter import starter_plan_text
from tests.cli.support import run
from tests.durability.test_kill import _big_twcs

DATA_TABLES = ("messages", "audience", "spend", "account_daily", "video_daily")


def _digests(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Per data table: row count and an order-free digest of every row, every column."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for t in DATA_TABLES:
            n, digest = con.execute(f"SELECT count(*), coalesce(md5(string_agg(md5(CAST(x AS VARCHAR)), ',' "
                                    f"ORDER BY md5(CAST(x AS VARCHAR)))), '') FROM {t} x").fetchone() or (0, "")
            out[t] = (int(n), str(digest))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def real_ws(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Workspace:
    """A workspace fed with real exports of every kind, some needing their file name or --account."""
    ws = Workspace(tmp_path_factory.mktemp("real"))
    ws.plan_path.write_text(starter_plan_text(), encoding="utf-8")
    ws.ingest([shared_data / "twcs" / "sample.csv", *sorted((shared_data / "facebook-insights").rglob("*.csv")),
               *sorted((shared_data / "x-analytics").rglob("*.csv"))[:6],
               shared_data / "mastodon" / "dealingwith" / "outbox.json"])
    ws.ingest(sorted((shared_data / "youtube-studio").rglob("*.csv")), account="priyankapatel05")
    ws.ingest([shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"], account="cosmetics-brand")
    return ws


def test_rebuild_equals_the_original_imports(real_ws: Workspace, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(real_ws.root, ws)
    original = _digests(ws / ".strategyfirst" / "warehouse.duckdb")
    assert original["messages"][0] > 1000 and original["account_daily"][0] > 0 and original["audience"][0] > 0
    code, out, err = run(["rebuild", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert _digests(ws / ".strategyfirst" / "warehouse.duckdb") == original
    assert (ws / ".strategyfirst" / "warehouse.duckdb.before-rebuild").is_file()
    code, out, err = run(["check", "-w", str(ws)], monkeypatch, capsys)
    assert (code, out.strip()) == (0, f"{ws}: all checks passed"), (out, err)


def test_backup_restore_round_trip_and_tampering(real_ws: Workspace, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    original = _digests(real_ws.warehouse_path)
    for out_name in ("backup", "backup.tar.gz"):
        dest = tmp_path / out_name
        code, out, err = run(["backup", str(dest), "-w", str(real_ws.root), "--format", "json"], monkeypatch, capsys)
        assert code == 0, err
        summary = json.loads(out)
        assert summary["tables"]["messages"] == original["messages"][0]
        target = tmp_path / f"restored-{out_name}"
        code, out, err = run(["restore", str(dest), "-w", str(target)], monkeypatch, capsys)
        assert code == 0, err
        assert _digests(target / ".strategyfirst" / "warehouse.duckdb") == original
        assert (target / "strategy.yaml").read_text() == real_ws.plan_path.read_text()
        assert sorted(p.name for p in (target / ".strategyfirst" / "raw").iterdir()) == sorted(
            p.name for p in real_ws.raw_dir.iterdir())
        code, out, err = run(["check", "-w", str(target)], monkeypatch, capsys)
        assert code == 0, (out, err)
        # Never over an existing workspace.
        code, out, err = run(["restore", str(dest), "-w", str(target)], monkeypatch, capsys)
        assert code == 2 and "not empty" in err and len(err.strip().splitlines()) == 1
    # A backup whose file changed is refused before anything is written.
    raw = next((tmp_path / "backup" / ".strategyfirst" / "raw").iterdir())
    raw.write_bytes(raw.read_bytes() + b"x")
    code, out, err = run(["restore", str(tmp_path / "backup"), "-w", str(tmp_path / "bad")], monkeypatch, capsys)
    assert code == 2 and "does not match its manifest" in err and raw.name in err
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


def test_check_finds_a_missing_raw_file_and_a_changed_one(real_ws: Workspace, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(real_ws.root, ws)
    raws = sorted((ws / ".strategyfirst" / "raw").iterdir())
    raws[0].unlink()
    raws[1].write_bytes(b"changed")
    code, out, err = run(["check", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert code == 1
    problems = json.loads(out)["problems"]
    assert any("raw copy is missing" in p for p in problems), problems
    assert any(raws[1].name in p and "no longer matches" in p for p in problems), problems
    code, out, err = run(["rebuild", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and "missing" in err


@pytest.mark.slow
def test_backup_taken_during_an_import_is_consistent(tmp_path: Path, shared_data: Path) -> None:
    big = tmp_path / "big.csv"
    _big_twcs(big)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(starter_plan_text(), encoding="utf-8")
    Workspace(ws).ingest([shared_data / "twcs" / "sample.csv"])
    before = _digests(ws / ".strategyfirst" / "warehouse.duckdb")
    importing = subprocess.Popen([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws), str(big)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    backup = subprocess.run([sys.executable, "-m", "strategyfirst", "backup", str(tmp_path / "b.tar.gz"), "-w",
                             str(ws)], capture_output=True, text=True, timeout=600, check=False)
    assert importing.wait(timeout=600) == 0, importing.stderr.read() if importing.stderr else ""
    assert backup.returncode == 0, backup.stderr
    after = _digests(ws / ".strategyfirst" / "warehouse.duckdb")
    restored = tmp_path / "restored"
    done = subprocess.run([sys.executable, "-m", "strategyfirst", "restore", str(tmp_path / "b.tar.gz"), "-w",
                           str(restored)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert _digests(restored / ".strategyfirst" / "warehouse.duckdb") in (before, after)
    checked = subprocess.run([sys.executable, "-m", "strategyfirst", "check", "-w", str(restored)],
                             capture_output=True, text=True, timeout=600, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
