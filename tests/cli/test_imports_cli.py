"""`strategyfirst imports` and `imports undo ID`, and the one-value options of `ingest`, through the entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import run

TWCS = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(TWCS + "".join(rows), encoding="utf-8")
    return path


def test_imports_lists_and_undo_takes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    first = write(tmp_path / "first.csv", ["1,acme,False,Wed Oct 11 06:55:44 +0000 2017,hello,,\n",
                                           "2,bob,True,Wed Oct 11 06:56:00 +0000 2017,hi @acme,,1\n"])
    second = write(tmp_path / "second.csv", ["2,bob,True,Wed Oct 11 06:56:00 +0000 2017,hi again @acme,,1\n",
                                             "3,bob,True,never,x,,\n"])
    code, _, _ = run(["ingest", "-w", ws, "--account", "acme", str(first), str(second)], monkeypatch, capsys)
    assert code == 0
    code, out, _ = run(["imports", "-w", ws, "--format", "json"], monkeypatch, capsys)
    assert code == 0
    log = json.loads(out)["imports"]
    assert [(r["import_id"], r["file"], r["source"], r["account_option"]) for r in log] == [
        (1, "first.csv", "twcs", "acme"), (2, "second.csv", "twcs", "acme")]  # names only, no folders
    assert [(r["rows_read"], r["rows_new"], r["rows_updated"], r["rows_rejected"]) for r in log] == [
        (2, 2, 0, 0), (2, 0, 1, 1)]
    assert all(r["imported_by"] and r["imported_at"] and r["undone_at"] is None for r in log)
    code, out, _ = run(["imports", "-w", ws], monkeypatch, capsys)
    lines = out.splitlines()
    assert lines[0].startswith("#1 first.csv (twcs, --account acme) ") and lines[0].endswith(
        ": 2 read, 2 new, 0 updated, 0 duplicate, 0 rejected")
    # import 2 changed message 2 written by import 1: undoing 1 first is refused, with one line naming 2
    code, _, err = run(["imports", "-w", ws, "undo", "1"], monkeypatch, capsys)
    assert code == 2
    assert err.strip() == ("error: import #1 (first.csv) cannot be undone: import #2 (second.csv) later changed "
                           "rows it wrote; undo #2 first, then #1")
    code, out, _ = run(["imports", "undo", "2", "-w", ws], monkeypatch, capsys)
    assert code == 0
    kept = Path(ws) / ".strategyfirst" / "rejects" / "undone-00002-second.rejects.csv"
    assert out.strip() == ("undid import #2 (second.csv): 0 rows removed, 1 restored to their previous values, "
                           f"1 rejected rows dropped (their list kept for the record as {kept})")
    assert kept.is_file() and not kept.with_name("00002-second.rejects.csv").exists()
    code, out, _ = run(["imports", "-w", ws, "undo", "1", "--format", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["rows_removed"] == 2
    code, out, _ = run(["imports", "-w", ws], monkeypatch, capsys)
    assert all(" UNDONE " in line for line in out.splitlines())


def test_an_option_given_twice_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "g.csv", ["1,acme,False,Wed Oct 11 06:55:44 +0000 2017,hello,,\n"])
    code, out, err = run(["ingest", "-w", str(tmp_path / "ws"), "-s", "twcs", "--source", "x-analytics",
                          str(good)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "error: --source was given 2 times (twcs, x-analytics); give it once: every file of one ingest is "
        "imported with the same --source (run ingest once per value)"]
    code, _, err = run(["ingest", "-w", str(tmp_path / "ws"), "--account", "a", "--account", "b", str(good)],
                       monkeypatch, capsys)
    assert code == 2 and "--account was given 2 times" in err
    assert not (tmp_path / "ws" / ".strategyfirst" / "warehouse.duckdb").exists()


def test_imports_of_an_empty_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["imports", "-w", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and "no workspace at" in err  # not a workspace: refused, nothing created
    (tmp_path / ".strategyfirst").mkdir()
    code, out, err = run(["imports", "-w", str(tmp_path)], monkeypatch, capsys)
    assert (code, out) == (0, "") and "no imports yet" in err
    code, out, _ = run(["imports", "-w", str(tmp_path), "--format", "json"], monkeypatch, capsys)
    assert json.loads(out) == {"imports": []}



def test_a_member_exports_line_says_its_rows_are_counts_not_members(tmp_path: Path, shared_data: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The real Substack export of 17 members is stored as counts (no member): the import log's line says what
    its numbers count, not "1 read" for a file of 17 members, and names no member."""
    export = shared_data / "newsletter" / "tryghost-fixtures" / "substack_subscriber_emails.csv"
    ws = str(tmp_path / "ws")
    code, _, err = run(["ingest", "-w", ws, "--account", "news", str(export)], monkeypatch, capsys)
    assert code == 0, err
    code, out, _ = run(["imports", "-w", ws, "--format", "json"], monkeypatch, capsys)
    [row] = json.loads(out)["imports"]
    code, out, _ = run(["imports", "-w", ws], monkeypatch, capsys)
    assert code == 0
    counted = row["rows_read"] - row["rows_rejected"]
    assert counted >= 1 and row["rows_rejected"] == 0
    assert out.strip().endswith(f": counted as {counted:,} row{'' if counted == 1 else 's'} of its list's daily "
                                f"counts (no member stored): {row['rows_new']:,} new, 0 updated, 0 duplicate; "
                                "0 member rows rejected")
    assert " read," not in out and "@" not in out
