"""backup, restore, rebuild and check on the real files of ../shared/data (issue 16.5, 16.6)."""

from __future__ import annotations

import csv
import hashlib
import io
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
    log = _imports(ws, monkeypatch, capsys)
    code, out, err = run(["rebuild", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert _digests(ws / ".strategyfirst" / "warehouse.duckdb") == original
    assert _imports(ws, monkeypatch, capsys) == log
    assert (ws / ".strategyfirst" / "warehouse.duckdb.before-rebuild").is_file()
    code, out, err = run(["check", "-w", str(ws)], monkeypatch, capsys)
    assert (code, out.strip()) == (0, f"{ws}: all checks passed"), (out, err)


def _imports(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code, out, err = run(["imports", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)["imports"]
    return rows


def _log_table(ws: Path) -> list[tuple[object, ...]]:
    """The `imports` table as stored, every column, oldest first."""
    con = duckdb.connect(str(ws / ".strategyfirst" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT * FROM imports ORDER BY import_id").fetchall()
    finally:
        con.close()


def _state(ws: Path) -> dict[str, str]:
    """Every file of the workspace (the lock aside) by its path, with its sha256."""
    return {str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(ws.rglob("*"))
            if p.is_file() and p.name != "ingest.lock"}


def _new_workspace(path: Path) -> Path:
    path.mkdir()
    (path / "strategy.yaml").write_text(starter_plan_text(), encoding="utf-8")
    return path


def test_rebuild_after_every_import_was_undone_keeps_the_log(shared_data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    ws = _new_workspace(tmp_path / "ws")
    sample = shared_data / "twcs" / "sample.csv"
    assert run(["ingest", "-w", str(ws), str(sample)], monkeypatch, capsys)[0] == 0
    assert run(["imports", "-w", str(ws), "undo", "1"], monkeypatch, capsys)[0] == 0
    log, table = _imports(ws, monkeypatch, capsys), _log_table(ws)
    assert [(r["import_id"], r["file"], r["undone_at"] is not None) for r in log] == [(1, "sample.csv", True)]
    code, out, err = run(["rebuild", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    # nothing to replay: a warehouse without data, whose log still holds the import and its undo
    assert _log_table(ws) == table
    assert _imports(ws, monkeypatch, capsys) == log
    assert {t: n for t, (n, _) in _digests(ws / ".strategyfirst" / "warehouse.duckdb").items()} == dict.fromkeys(
        DATA_TABLES, 0)
    assert (ws / ".strategyfirst" / "warehouse.duckdb.before-rebuild").is_file()
    code, out, err = run(["check", "-w", str(ws)], monkeypatch, capsys)
    assert (code, out.strip()) == (0, f"{ws}: all checks passed"), (out, err)
    # the same file imported again is a new import, #2: #1 stays undone
    code, out, err = run(["ingest", "-w", str(ws), str(sample), "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    with sample.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    assert [(f["import_id"], f["rows_new"]) for f in json.loads(out)["files"]] == [(2, rows)]


def test_a_failed_rebuild_changes_nothing(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    ws = _new_workspace(tmp_path / "ws")
    sample = shared_data / "twcs" / "sample.csv"
    assert run(["ingest", "-w", str(ws), str(sample)], monkeypatch, capsys)[0] == 0
    raw = next((ws / ".strategyfirst" / "raw").iterdir())
    raw.write_bytes(raw.read_bytes() + b"1,2,True,Wed Oct 11 06:55:44 +0000 2017,added later,,\n")
    before = _state(ws)
    code, _, err = run(["rebuild", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "#1" in err and "sha256" in err, err
    assert _state(ws) == before


def _with_a_bad_row(sample: Path, out: Path, rows: int) -> int:
    """The header and first `rows` records of `sample`, then a record of two fields; returns its line."""
    with sample.open(encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh))[: rows + 1]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(records)
    line = text.getvalue().count("\n") + 1
    out.write_text(text.getvalue() + "999999999,bad row\n", encoding="utf-8")
    return line


def test_an_undone_imports_rejects_csv_is_kept_marked_undone(shared_data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    ws = _new_workspace(tmp_path / "ws")
    bad = tmp_path / "twcs_bad.csv"
    bad_line = _with_a_bad_row(shared_data / "twcs" / "sample.csv", bad, 10)
    assert run(["ingest", "-w", str(ws), str(bad)], monkeypatch, capsys)[0] == 0
    folder = ws / ".strategyfirst" / "rejects"
    live, undone = folder / "00001-twcs_bad.rejects.csv", folder / "undone-00001-twcs_bad.rejects.csv"
    listed = live.read_text(encoding="utf-8")
    assert f",{bad_line}," in listed
    code, out, err = run(["imports", "-w", str(ws), "undo", "1", "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    # kept for the record, named so that it is not taken for the rejects of a live import; the log says where
    assert sorted(p.name for p in folder.iterdir()) == [undone.name]
    assert (json.loads(out)["rejects_removed"], json.loads(out)["rejects_file"]) == (1, str(undone))
    assert undone.read_text(encoding="utf-8") == listed
    assert [r[0] for r in _log_rejects_files(ws)] == [str(undone)]
    code, out, err = run(["check", "-w", str(ws)], monkeypatch, capsys)
    assert (code, out.strip()) == (0, f"{ws}: all checks passed"), (out, err)
    # a rebuild replays no undone import: the file and the log stay as they are
    assert run(["rebuild", "-w", str(ws)], monkeypatch, capsys)[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == [undone.name]
    assert [r[0] for r in _log_rejects_files(ws)] == [str(undone)]
    code, out, err = run(["check", "-w", str(ws)], monkeypatch, capsys)
    assert (code, out.strip()) == (0, f"{ws}: all checks passed"), (out, err)
    # the same file again is import #2, with rejects of its own beside #1's kept ones
    assert run(["ingest", "-w", str(ws), str(bad)], monkeypatch, capsys)[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["00002-twcs_bad.rejects.csv", undone.name]
    assert [r[0] for r in _log_rejects_files(ws)] == [str(undone), str(folder / "00002-twcs_bad.rejects.csv")]


def _log_rejects_files(ws: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws / ".strategyfirst" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT rejects_file FROM imports ORDER BY import_id").fetchall()
    finally:
        con.close()


def test_rebuild_keeps_each_import_its_id_name_options_and_time(shared_data: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    ws = _new_workspace(tmp_path / "ws")
    sample = shared_data / "twcs" / "sample.csv"
    monthly = sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))
    bad = tmp_path / "twcs_bad.csv"
    bad_line = _with_a_bad_row(sample, bad, 10)
    for args in ([str(sample)], [str(monthly[0])], [str(bad)], [str(monthly[1])],
                 [str(shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"), "--account", "cosmetics"]):
        code, out, err = run(["ingest", "-w", str(ws), *args], monkeypatch, capsys)
        assert code == 0, err
    assert run(["imports", "-w", str(ws), "undo", "2"], monkeypatch, capsys)[0] == 0
    warehouse = ws / ".strategyfirst" / "warehouse.duckdb"
    log, table, data = _imports(ws, monkeypatch, capsys), _log_table(ws), _digests(warehouse)
    assert [(r["import_id"], r["file"], r["undone_at"] is not None) for r in log] == [
        (1, "sample.csv", False), (2, monthly[0].name, True), (3, "twcs_bad.csv", False),
        (4, monthly[1].name, False), (5, "dataset_Facebook.csv", False)]
    rejects_file = ws / ".strategyfirst" / "rejects" / "00003-twcs_bad.rejects.csv"
    rejects_csv = rejects_file.read_text(encoding="utf-8")

    code, out, err = run(["rebuild", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert _imports(ws, monkeypatch, capsys) == log  # ids, names, options, who, when, counts, undone
    assert _log_table(ws) == table  # every column as stored: the file as given, its rejects file
    assert _digests(warehouse) == data
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = dict(con.execute("SELECT import_id, file FROM imports").fetchall())
        assert files[1] == str(sample) and files[3] == str(bad) and files[4] == str(monthly[1])
        assert con.execute("SELECT import_id, file, line FROM rejects").fetchall() == [(3, str(bad), bad_line)]
        assert con.execute("SELECT rejects_file FROM imports WHERE import_id = 3").fetchone() == (str(rejects_file),)
        # the bad file's ten good rows are sample's first ten: already there as #1's
        assert sorted(r[0] for r in con.execute("SELECT DISTINCT import_id FROM messages").fetchall()) == [1, 4, 5]
    finally:
        con.close()
    assert rejects_file.read_text(encoding="utf-8") == rejects_csv
    assert not list((ws / ".strategyfirst").glob(".sf-rebuild-*"))
    code, out, err = run(["measure", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert [(r["import_id"], r["file"], r["rows_rejected"]) for r in json.loads(out)["data_quality"][
        "rejected_by_import"]] == [(3, str(bad), 1)]
    # the log's undo records still work: #4 is #4
    code, out, err = run(["imports", "-w", str(ws), "undo", "4"], monkeypatch, capsys)
    assert code == 0 and monthly[1].name in out, (out, err)
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


def test_rebuild_converts_spend_with_the_rate_it_was_imported_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from tests.sources.test_meta_ads import CAMPAIGNS, workspace

    ws = workspace(tmp_path / "ws", currency="EUR")
    path = tmp_path / "campaigns.csv"
    path.write_text(CAMPAIGNS, encoding="utf-8")
    code, _, err = run(["ingest", "-w", str(ws.root), str(path), "--rate", "UAH=0.025"], monkeypatch, capsys)
    assert code == 0, err
    data = _digests(ws.warehouse_path)
    code, _, err = run(["rebuild", "-w", str(ws.root)], monkeypatch, capsys)
    assert code == 0, err
    assert _digests(ws.warehouse_path) == data
