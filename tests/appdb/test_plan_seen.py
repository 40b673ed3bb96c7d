"""The plan-seen marker: lint/measure/diagnose skip the app database only while it provably holds the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.appdb import lite, open_appdb
from strategyfirst.workspace import Workspace
from tests.appdb.conftest import EXAMPLE_PLAN, make_workspace

PLAN_A = EXAMPLE_PLAN.read_text(encoding="utf-8")
PLAN_B = PLAN_A.replace("organisation:", "# an edit\norganisation:", 1)


def _recorder_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each time the plan is recorded in the app database: through SQLAlchemy (`Workspace.record_plan`) or
    through sqlite3 (`appdb.lite.note_plan`, where the workspace's own SQLite file allows it)."""
    calls: list[object] = []
    real = Workspace.record_plan
    real_lite = lite.note_plan

    def counting(self: Workspace, path: str | Path | None = None, *, loads: bool = False) -> object:
        calls.append(path)
        return real(self, path, loads=loads)

    def counting_lite(ws: Workspace, db: lite.LiteDB, *, loads: bool = False) -> bool:
        calls.append("lite")
        return real_lite(ws, db, loads=loads)

    monkeypatch.setattr(Workspace, "record_plan", counting)
    monkeypatch.setattr(lite, "note_plan", counting_lite)
    return calls


def test_an_unchanged_plan_is_not_recorded_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRATEGYFIRST_DB", raising=False)
    ws = make_workspace(tmp_path / "acme", PLAN_A)
    calls = _recorder_calls(monkeypatch)
    ws.lint()
    assert len(calls) == 1 and (ws.state_dir / "plan-seen.json").is_file()
    ws.lint()
    ws.lint()
    assert len(calls) == 1  # the marker held: the database was not opened
    versions = open_appdb(ws).plan_versions("acme")
    assert [v.text for v in versions] == [PLAN_A]


def test_edit_revert_and_other_writers_go_to_the_database(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRATEGYFIRST_DB", raising=False)
    ws = make_workspace(tmp_path / "acme", PLAN_A)
    calls = _recorder_calls(monkeypatch)
    ws.lint()
    ws.plan_path.write_text(PLAN_B, encoding="utf-8")
    ws.lint()  # a new text: recorded as version 2
    ws.plan_path.write_text(PLAN_A, encoding="utf-8")
    ws.lint()  # reverted: version 3, the text of version 1
    assert len(calls) == 3
    db = open_appdb(ws)
    current = db.current_plan_version("acme")
    assert current is not None and (current.number, current.text, current.why) == (3, PLAN_A,
                                                                                  "reverts to version 1")
    # another writer (here: version 2's text recorded again through the database) changes the file's stamp
    db.record_plan_version("acme", PLAN_B)
    ws.plan_path.write_text(PLAN_A, encoding="utf-8")
    ws.lint()
    assert len(calls) == 4
    current = db.current_plan_version("acme")
    assert current is not None and (current.number, current.text) == (5, PLAN_A)


def test_a_deleted_database_is_recreated_with_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRATEGYFIRST_DB", raising=False)
    ws = make_workspace(tmp_path / "acme", PLAN_A)
    ws.lint()
    from strategyfirst.appdb import dispose
    from strategyfirst.appdb.binding import resolve_url

    dispose(resolve_url(ws))
    for f in ws.state_dir.glob("app.sqlite*"):
        f.unlink()
    calls = _recorder_calls(monkeypatch)
    ws.lint()
    assert len(calls) == 1
    assert [v.text for v in open_appdb(ws).plan_versions("acme")] == [PLAN_A]


def test_another_database_is_not_trusted_to_the_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRATEGYFIRST_DB", raising=False)
    ws = make_workspace(tmp_path / "acme", PLAN_A)
    ws.lint()
    calls = _recorder_calls(monkeypatch)
    Workspace(ws.root, db_url=f"sqlite:///{ws.state_dir / 'app.sqlite'}").lint()  # the same file, named
    assert len(calls) == 1
