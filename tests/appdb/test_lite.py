"""`appdb.lite`: history and decisions through sqlite3 are the rows and the output SQLAlchemy's `AppDB` gives,
and the lite path is taken only where it may be (the workspace's own SQLite file, at head, registered here)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from strategyfirst import plan_seen
from strategyfirst.appdb import dispose, open_appdb
from strategyfirst.appdb.lite import LiteDB, open_lite
from strategyfirst.appdb.render import history_json, history_text
from strategyfirst.errors import PlanError
from strategyfirst.workspace import Workspace
from tests.appdb.conftest import make_workspace

PLAN_A = "version: 1\norganisation: Acme\n"
PLAN_B = "version: 1\norganisation: Acme Outdoor\n"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def bound(tmp_path: Path) -> Workspace:
    """A workspace bound to its own SQLite app database (made and migrated by SQLAlchemy), plan A recorded."""
    ws = make_workspace(tmp_path / "acme", PLAN_A)
    db = open_appdb(ws)
    db.record_plan_version(db.slug, PLAN_A, author="ana@acme.org", why="first draft")
    dispose(db.url)
    return ws


def _lite(ws: Workspace) -> LiteDB:
    db = open_lite(ws)
    assert db is not None
    return db


def _rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(ws.state_dir / "app.sqlite") as con:
        return con.execute(sql).fetchall()


def test_lite_never_stores_a_text_that_does_not_load(bound: Workspace) -> None:
    with _lite(bound) as lite:
        with pytest.raises(PlanError, match=r"^strategy\.yaml:3:1: objectivs: unknown key"):
            lite.record_plan_version(lite.slug, PLAN_B + "objectivs: []\n")
        with pytest.raises(PlanError, match=r"^strategy\.yaml:2:15: YAML: "):
            lite.record_plan_version(lite.slug, "version: 1\norganisation: [Acme\n")
    assert _rows(bound, "SELECT number, text FROM plan_versions") == [(1, PLAN_A)]


def test_what_lite_writes_sqlalchemy_reads_as_it_would_have_written_it(bound: Workspace) -> None:
    evidence = {"as_of": "2026-09-30", "verdicts": [{"kind": "tactic_failing", "note": "Déjà vu → stop"}],
                "kpis": [], "ratio": 0.1}
    with _lite(bound) as lite:
        again = lite.record_plan_version(lite.slug, PLAN_A)
        v2 = lite.record_plan_version(lite.slug, PLAN_B, author="bob", why="full name")
        d1 = lite.record_decision(lite.slug, "Stop the contest", tactic="summit-contest", evidence=evidence,
                                  author="ana")
        d2 = lite.record_decision(lite.slug, "Keep going", objective="dialogue")
    assert (again.number, v2.number, d1.number, d2.number) == (1, 2, 1, 2)
    orm = open_appdb(bound)
    versions = orm.plan_versions(orm.slug)
    assert [(v.number, v.text, v.author, v.why) for v in versions] == [
        (1, PLAN_A, "ana@acme.org", "first draft"), (2, PLAN_B, "bob", "full name")]
    assert versions[1].created_at == v2.created_at and versions[0].last_seen_at == again.last_seen_at
    decisions = orm.decisions(orm.slug)
    assert [(d.number, d.text, d.objective, d.tactic, d.author, d.evidence) for d in decisions] == [
        (1, "Stop the contest", None, "summit-contest", "ana", evidence), (2, "Keep going", "dialogue", None, None,
                                                                            None)]
    assert decisions[0].plan_version is not None and decisions[0].plan_version.number == 2
    assert decisions[0].created_at == d1.created_at
    # stored as SQLAlchemy stores them: JSON by json.dumps, naive UTC times with microseconds
    orm.record_decision(orm.slug, "Stop the contest", tactic="summit-contest", evidence=evidence, author="ana")
    stored = _rows(bound, "SELECT evidence, typeof(created_at), length(created_at) FROM decisions WHERE text = "
                          "'Stop the contest' ORDER BY number")
    assert stored[0] == stored[1] and stored[0][0] == json.dumps(evidence) and stored[0][1:] == ("text", 26)
    dispose(orm.url)


def test_lite_reads_the_history_sqlalchemy_wrote_as_sqlalchemy_does(bound: Workspace) -> None:
    orm = open_appdb(bound)
    orm.record_plan_version(orm.slug, PLAN_B)
    orm.record_decision(orm.slug, "Move budget", objective="o1", evidence={"as_of": "2026-01-01", "verdicts": []})
    orm.record_decision(orm.slug, "Second", tactic="t1")
    orm.edit_decision(orm.slug, 1, "bob", "Move the budget", "o1", None, why="typo")
    orm.withdraw_decision(orm.slug, 2, "ana", why="wrong")
    reverted = orm.record_plan_version(orm.slug, PLAN_A)  # the old text again: a new version saying so
    assert reverted.why == "reverts to version 1"
    with _lite(bound) as lite:
        assert history_text(lite, lite.slug) == history_text(orm, orm.slug)
        assert history_json(lite, lite.slug) == history_json(orm, orm.slug)
        current = lite.current_plan_version(lite.slug)
        assert current is not None and current.number == reverted.number
        again = lite.record_plan_version(lite.slug, PLAN_B)  # lite writes a revert as AppDB does
        assert (again.number, again.why) == (reverted.number + 1, "reverts to version 2")
        assert lite.record_plan_version(lite.slug, PLAN_B).id == again.id
    dispose(orm.url)


def test_lite_is_not_used_where_sqlalchemy_must_open_the_database(bound: Workspace, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert open_lite(Workspace(bound.root, db_url=f"sqlite:///{bound.state_dir / 'app.sqlite'}")) is None
    monkeypatch.setenv("STRATEGYFIRST_DB", f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert open_lite(bound) is None
    monkeypatch.delenv("STRATEGYFIRST_DB")
    assert open_lite(make_workspace(tmp_path / "new", PLAN_A)) is None  # not bound yet: open_appdb registers
    moved = tmp_path / "moved"
    bound.root.rename(moved)
    assert open_lite(Workspace(moved)) is None  # the row still names the old folder: open_appdb re-points it
    moved.rename(bound.root)
    assert open_lite(bound) is not None
    binding = bound.state_dir / "workspace.json"
    saved = binding.read_text(encoding="utf-8")
    binding.write_text(json.dumps({"db_url": "postgresql+psycopg://u@localhost/db", "slug": "acme"}))
    assert open_lite(bound) is None
    binding.write_text(saved, encoding="utf-8")
    with sqlite3.connect(bound.state_dir / "app.sqlite") as con:
        con.execute("UPDATE alembic_version SET version_num = '0001'")
    assert open_lite(bound) is None  # an older schema: open_appdb migrates it


def test_noting_the_plan_goes_through_sqlite3_and_leaves_a_valid_marker(bound: Workspace) -> None:
    (bound.plan_path).write_text(PLAN_B, encoding="utf-8")
    assert not plan_seen.is_recorded(bound)
    bound.note_plan()
    assert plan_seen.is_recorded(bound)  # the marker's stamp is taken after the log was checkpointed
    assert _rows(bound, "SELECT number, text FROM plan_versions ORDER BY number") == [(1, PLAN_A), (2, PLAN_B)]


def _cli(ws: Workspace, *args: str) -> tuple[str, list[str]]:
    probe = ("import contextlib, io, sys\nfrom strategyfirst.cli import main\n"
             f"sys.argv = ['strategyfirst', *{list(args)!r}, '-w', {str(ws.root)!r}]\nout = io.StringIO()\n"
             "with contextlib.redirect_stdout(out):\n    try:\n        main()\n    except SystemExit:\n        pass\n"
             "print('LOADED:', *(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))\n"
             "sys.__stdout__.write('OUT:' + out.getvalue())")
    env = {k: v for k, v in os.environ.items() if k != "STRATEGYFIRST_DB"}
    done = subprocess.run([sys.executable, "-c", probe], env={**env, "PYTHONPATH": str(SRC)}, capture_output=True,
                          text=True, check=True)
    loaded, out = done.stdout.split("OUT:", 1)
    return out, loaded.split("LOADED:", 1)[1].split()


def test_history_and_decide_on_the_workspace_s_own_database_load_no_sqlalchemy(bound: Workspace) -> None:
    out, loaded = _cli(bound, "decide", "Stop the contest", "--format", "json")
    assert loaded == [] and json.loads(out)["number"] == 1 and json.loads(out)["plan_version"] == 1
    out, loaded = _cli(bound, "history")
    assert loaded == []
    orm = open_appdb(bound)
    assert out == history_text(orm, orm.slug)
    dispose(orm.url)
