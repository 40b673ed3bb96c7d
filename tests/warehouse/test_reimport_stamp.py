"""Identical re-import without re-reading the file (issue 19.2): a file whose stamp (path, device, inode, size,
modification and change times) an import recorded is known by its recorded sha256; any change in place, even
one that restores the modification time, changes the change time and the file is hashed and imported again."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from strategyfirst.warehouse import importlog
from strategyfirst.warehouse import ingest as ingest_module
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, scalar

pytestmark = pytest.mark.usefixtures("no_derive")

XA_HEADER = ('"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets",'
             '"replies","likes","url clicks","follows"\n')


def xa_row(tweet: str, impressions: str) -> str:
    return (f'"{tweet}","https://twitter.com/acme/status/{tweet}","hello","2021-03-04 05:06 +0000",'
            f'"{impressions}","3.0","0.0","0.0","1.0","0.0","-"\n')


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled at once (in use, a file must be 2 s old to be stamped)."""
    monkeypatch.setattr(importlog, "SETTLED_NS", 0)


def _no_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    hashed: list[Path] = []
    real = ingest_module._sha256

    def counting(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(ingest_module, "_sha256", counting)
    return hashed


@pytest.mark.usefixtures("settled")
def test_an_unchanged_file_is_known_by_its_stamp_without_hashing(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path / "ws")
    f = tmp_path / "march.csv"
    f.write_text(XA_HEADER + xa_row("1", "100.0") + xa_row("2", "50.0"), encoding="utf-8")
    first = one(ingest(ws, [f]))
    hashed = _no_hashing(monkeypatch)
    again = one(ingest(ws, [f]))
    assert (again["status"], again["already_imported_as"], again["rows_duplicate"]) == (
        "already imported", first["import_id"], 2)
    assert hashed == []
    # through another spelling of the same path (relative, from its folder): the same file, the same stamp
    monkeypatch.chdir(tmp_path)
    assert one(ingest(ws, [Path("march.csv")]))["status"] == "already imported"
    assert hashed == []
    assert scalar(ws, "SELECT count(*) FROM imports") == 1


@pytest.mark.usefixtures("settled")
def test_a_file_rewritten_in_place_with_its_size_and_mtime_restored_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path / "ws")
    f = tmp_path / "march.csv"
    f.write_text(XA_HEADER + xa_row("1", "100.0") + xa_row("2", "50.0"), encoding="utf-8")
    one(ingest(ws, [f]))
    before = f.stat()
    time.sleep(0.05)  # past the file system's timestamp granularity
    with f.open("r+b") as fh:  # same size, same inode: 100.0 -> 900.0
        data = fh.read()
        fh.seek(0)
        fh.write(data.replace(b'"100.0"', b'"900.0"'))
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))  # the modification time set back
    after = f.stat()
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (before.st_size, before.st_ino, before.st_mtime_ns)
    hashed = _no_hashing(monkeypatch)
    changed = one(ingest(ws, [f]))
    assert (changed["status"], changed["rows_updated"], changed["rows_duplicate"]) == ("imported", 1, 1)
    assert hashed == [f]
    assert scalar(ws, "SELECT impressions FROM messages WHERE message_id = 'x:1'") == 900.0


@pytest.mark.usefixtures("settled")
def test_an_undone_import_stamp_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path / "ws")
    f = tmp_path / "march.csv"
    f.write_text(XA_HEADER + xa_row("1", "100.0"), encoding="utf-8")
    first = one(ingest(ws, [f]))
    ws.undo_import(first["import_id"])
    again = one(ingest(ws, [f]))
    assert (again["status"], again["rows_new"]) == ("imported", 1)


def test_a_file_changed_within_the_settling_time_gets_no_stamp(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x\n", encoding="utf-8")
    st = f.stat()
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    assert importlog.file_stamp(f, st, now_ns=changed + importlog.SETTLED_NS - 1) is None
    stamp = importlog.file_stamp(f, st, now_ns=changed + importlog.SETTLED_NS)
    assert stamp is not None and len(stamp) == 64 and str(tmp_path) not in stamp
    # every part of the stamp counts
    for field in ("st_dev", "st_ino", "st_size", "st_mtime_ns", "st_ctime_ns"):
        other = SimpleNamespace(**{k: getattr(st, k) for k in ("st_dev", "st_ino", "st_size", "st_mtime_ns",
                                                                "st_ctime_ns")})
        setattr(other, field, getattr(st, field) - 1)
        assert importlog.file_stamp(f, other, now_ns=changed + importlog.SETTLED_NS) != stamp  # type: ignore[arg-type]


def test_a_reimport_of_files_already_imported_does_not_parse_the_plan(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path / "ws")
    f = tmp_path / "march.csv"
    f.write_text(XA_HEADER + xa_row("1", "100.0"), encoding="utf-8")
    one(ingest(ws, [f]))
    parsed: list[object] = []
    real = ingest_module._plan
    monkeypatch.setattr(ingest_module, "_plan", lambda w: parsed.append(w) or real(w))
    assert one(ingest(ws, [f]))["status"] == "already imported"
    assert parsed == []
    g = tmp_path / "april.csv"
    g.write_text(XA_HEADER + xa_row("2", "10.0"), encoding="utf-8")
    assert one(ingest(ws, [g]))["status"] == "imported"
    assert len(parsed) == 1


def test_no_stamp_where_the_change_time_is_the_creation_time(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x\n", encoding="utf-8")
    st = f.stat()
    later = max(st.st_mtime_ns, st.st_ctime_ns) + importlog.SETTLED_NS
    assert importlog.file_stamp(f, st, now_ns=later) is not None
    monkeypatch.setattr(importlog.os, "name", "nt")  # Windows: a rewrite in place keeps st_ctime
    assert importlog.file_stamp(f, st, now_ns=later) is None
