"""The modules a rebuild of the derived tables imports first are imported on a thread while an import stages
its next files (derive.import_in_background, issue 19.1): done before the rebuild starts, and never left running
after the import returns, also when it fails."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.errors import WorkspaceError
from strategyfirst.warehouse import derive
from strategyfirst.warehouse import ingest as ingest_module
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest

HEADER = "message_id,platform,account,created_at,text,in_reply_to,impressions,likes\n"
THREAD = "strategyfirst-derive-imports"


def _files(tmp_path: Path) -> list[Path]:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text(HEADER + "x:1,x,acme,2024-01-02 10:00:00,hello,,100,1\n", encoding="utf-8")
    two.write_text(HEADER + "x:2,x,bob,2024-01-02 11:00:00,hi @acme,x:1,,\n", encoding="utf-8")
    return [one, two]


def _alive() -> bool:
    return any(t.name == THREAD and t.is_alive() for t in threading.enumerate())


@pytest.fixture
def slow_imports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A fresh process's state (no thread started yet), with imports that take longer than the rest of the
    import of two tiny files, and say when done."""
    events: list[str] = []

    def imports() -> None:
        time.sleep(1.0)
        events.append("imported on " + threading.current_thread().name)

    monkeypatch.setattr(derive, "_importing", None)
    monkeypatch.setattr(derive, "_import_rebuild_modules", imports)
    return events


def test_the_imports_run_on_a_thread_and_end_before_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                slow_imports: list[str]) -> None:
    rebuild = derive._rebuild

    def rebuilt(*args: Any) -> None:
        slow_imports.append("rebuild, thread running" if _alive() else "rebuild")
        rebuild(*args)

    monkeypatch.setattr(derive, "_rebuild", rebuilt)
    result = ingest(Workspace(tmp_path / "ws"), _files(tmp_path))
    assert [f["status"] for f in result.files] == ["imported", "imported"]
    assert slow_imports == [f"imported on {THREAD}", "rebuild"]  # one thread for the batch, joined first
    assert not _alive()


def test_no_thread_outlives_an_import_whose_rebuild_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           slow_imports: list[str]) -> None:
    def refresh(con: Any, plan: Any, **kw: Any) -> bool:  # fails at once, without waiting for the thread
        raise WorkspaceError("the rebuild failed")

    monkeypatch.setattr(derive, "refresh", refresh)
    with pytest.raises(WorkspaceError, match="the rebuild failed"):
        ingest(Workspace(tmp_path / "ws"), _files(tmp_path))
    assert slow_imports == [f"imported on {THREAD}"]  # waited for, by the import itself
    assert not _alive()


def test_a_file_already_imported_starts_no_thread(tmp_path: Path, slow_imports: list[str]) -> None:
    ws, files = Workspace(tmp_path / "ws"), _files(tmp_path)
    ingest(ws, files)
    slow_imports.clear()
    derive._importing = None  # as in a new process (the fixture puts the attribute back)
    result = ingest(ws, files)
    assert [f["status"] for f in result.files] == ["already imported", "already imported"]
    assert slow_imports == [] and derive._importing is None


def test_a_batch_of_more_bytes_than_overlap_bytes_starts_no_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     slow_imports: list[str]) -> None:
    files = _files(tmp_path)
    monkeypatch.setattr(ingest_module, "OVERLAP_BYTES", sum(f.stat().st_size for f in files) - 1)
    result = ingest(Workspace(tmp_path / "ws"), files)
    assert [f["status"] for f in result.files] == ["imported", "imported"]
    assert slow_imports == [] and derive._importing is None  # the rebuild imported its modules itself


def test_a_module_the_thread_cannot_import_raises_nothing_there(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import` raise ImportError: the rebuild imports it again and fails there.
    monkeypatch.setitem(sys.modules, "ibis.backends.duckdb", None)
    monkeypatch.setitem(sys.modules, "pandas", None)
    derive._import_rebuild_modules()
