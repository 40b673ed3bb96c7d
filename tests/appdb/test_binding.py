"""A workspace remembers its app database (workspace.json), so the CLI and the web never fork its history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from strategyfirst.appdb import ENV_VAR, HistoryWarning, connect, open_appdb, record_plan_seen
from strategyfirst.appdb.binding import read_binding, resolve_url, slugify, write_binding
from strategyfirst.errors import AppDatabaseError, WorkspaceError
from strategyfirst.workspace import Workspace
from tests.appdb.conftest import EXAMPLE_PLAN, make_workspace


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_default_is_a_sqlite_file_in_the_workspace_and_is_remembered(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "Acme Outdoor")
    db = open_appdb(ws)
    assert db.slug == "acme-outdoor"
    assert (ws.root / ".strategyfirst" / "app.sqlite").is_file()
    stored = json.loads((ws.root / ".strategyfirst" / "workspace.json").read_text())
    assert stored == {"db_url": "sqlite:///.strategyfirst/app.sqlite", "slug": "acme-outdoor"}


def test_a_moved_workspace_keeps_its_history(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme")
    db = open_appdb(ws)
    db.record_decision(db.slug, "before the move")
    db.close()
    shutil.move(str(ws.root), str(tmp_path / "elsewhere"))
    moved = open_appdb(Workspace(tmp_path / "elsewhere"))
    assert moved.slug == "acme"
    assert [d.text for d in moved.decisions("acme")] == ["before the move"]
    row = moved.workspace("acme")
    assert row is not None and row.path == str((tmp_path / "elsewhere").resolve())


def test_the_environment_variable_chooses_the_database_of_a_new_workspace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    monkeypatch.setenv(ENV_VAR, url)
    ws = make_workspace(tmp_path / "client")
    assert open_appdb(ws).url == url
    monkeypatch.delenv(ENV_VAR)
    assert resolve_url(ws) == url  # remembered without the variable
    assert json.loads((ws.state_dir / "workspace.json").read_text())["db_url"] == url


def test_another_database_than_the_remembered_one_is_refused(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ws = make_workspace(tmp_path / "acme")
    open_appdb(ws)
    with pytest.raises(AppDatabaseError, match=r"keeps its history in sqlite:///.*app\.sqlite"):
        open_appdb(ws, f"sqlite:///{tmp_path / 'other.sqlite'}")
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'other.sqlite'}")
    with pytest.raises(AppDatabaseError, match=ENV_VAR):
        open_appdb(ws)
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{ws.root / '.strategyfirst' / 'app.sqlite'}")
    assert open_appdb(ws).slug == "acme"  # the same database, spelled absolutely, is fine


def test_the_binding_file_never_holds_a_password(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme")
    write_binding(ws, "postgresql+psycopg://app:s3cret@db.example:5432/sf", "acme")
    text = (ws.state_dir / "workspace.json").read_text()
    assert "s3cret" not in text
    bound = read_binding(ws)
    assert bound is not None and bound.url == "postgresql+psycopg://app@db.example:5432/sf"
    # the same database with its password is accepted, and the password is used
    assert resolve_url(ws, "postgresql+psycopg://app:s3cret@db.example:5432/sf").endswith(":s3cret@db.example:5432/sf")


def test_an_unreadable_binding_says_what_to_do(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme")
    ws.state_dir.mkdir(parents=True)
    (ws.state_dir / "workspace.json").write_text("{not json")
    with pytest.raises(WorkspaceError, match=r"workspace\.json: unreadable .*delete it"):
        open_appdb(ws)


def test_bad_urls_and_missing_folders_are_reported(tmp_path: Path) -> None:
    with pytest.raises(AppDatabaseError, match="not a SQLAlchemy URL"):
        open_appdb(make_workspace(tmp_path / "a"), "not a url")
    with pytest.raises(AppDatabaseError, match="not a usable SQLAlchemy URL"):
        connect("nosuchdialect://x/y")
    with pytest.raises(WorkspaceError, match="no such workspace folder"):
        open_appdb(Workspace(tmp_path / "missing"))


def test_slugs_are_url_safe_and_unique_per_database(tmp_path: Path) -> None:
    assert slugify("My Client (2026)") == "my-client-2026"
    assert slugify("***") == "workspace"
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    one = open_appdb(make_workspace(tmp_path / "x" / "client"), url)
    two = open_appdb(make_workspace(tmp_path / "y" / "client"), url)
    assert (one.slug, two.slug) == ("client", "client-2")
    assert open_appdb(Workspace(tmp_path / "y" / "client")).slug == "client-2"  # remembered


def test_record_plan_seen_stores_only_the_workspaces_own_plan(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", EXAMPLE_PLAN.read_text())
    other = tmp_path / "draft.yaml"
    other.write_text("version: 1\n")
    assert record_plan_seen(ws, other) is None
    v = record_plan_seen(ws)
    assert v is not None and v.number == 1 and v.text == EXAMPLE_PLAN.read_text()
    assert record_plan_seen(ws, ws.plan_path) is not None
    assert [x.number for x in ws.history_db().plan_versions("acme")] == [1]


def test_record_plan_seen_warns_instead_of_failing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", "version: 1\n")
    open_appdb(ws)
    ws.db_url = f"sqlite:///{tmp_path / 'other.sqlite'}"  # conflicts with the remembered database
    with pytest.warns(HistoryWarning, match="plan history not recorded"):
        assert record_plan_seen(ws) is None
    with pytest.raises(AppDatabaseError):
        record_plan_seen(ws, strict=True)


def test_lint_records_each_distinct_plan_text(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", EXAMPLE_PLAN.read_text())
    ws.lint()
    ws.lint()
    ws.plan_path.write_text(EXAMPLE_PLAN.read_text().replace("Acme Outdoor", "Acme Outdoors"))
    ws.lint()
    versions = ws.history_db().plan_versions("acme")
    assert [v.number for v in versions] == [1, 2]
    assert "Acme Outdoors" in versions[1].text and "Acme Outdoors" not in versions[0].text


def test_workspace_slug_is_the_remembered_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    first = make_workspace(tmp_path / "x" / "Client One")
    second = make_workspace(tmp_path / "y" / "Client One")
    assert second.slug == "client-one"  # before binding: the folder name, made URL-safe
    open_appdb(first, url)
    assert open_appdb(second, url).slug == "client-one-2"
    assert Workspace(second.root).slug == "client-one-2"


def test_an_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(AppDatabaseError, match=r"127\.0\.0\.1:9/test: cannot open or migrate") as caught:
        connect("postgresql+psycopg://postgres:s3cret@127.0.0.1:9/test")  # port 9 (discard): refused
    assert "s3cret" not in str(caught.value)  # the password is masked


def test_a_copied_folder_does_not_merge_into_the_originals_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    original = make_workspace(tmp_path / "acme")
    open_appdb(original, url).record_decision("acme", "original only")
    shutil.copytree(original.root, tmp_path / "acme-copy")
    with pytest.raises(WorkspaceError, match=r"claims workspace 'acme'.*delete .*workspace\.json"):
        open_appdb(Workspace(tmp_path / "acme-copy"))
    (tmp_path / "acme-copy" / ".strategyfirst" / "workspace.json").unlink()
    copy = open_appdb(Workspace(tmp_path / "acme-copy"), url)
    assert copy.slug == "acme-copy" and copy.decisions("acme-copy") == []


def test_serving_several_workspaces_needs_one_database(tmp_path: Path) -> None:
    from strategyfirst.appdb import open_shared

    a, b = make_workspace(tmp_path / "a"), make_workspace(tmp_path / "b")
    open_appdb(a)  # each bound to its own default file
    open_appdb(b)
    with pytest.raises(AppDatabaseError, match="different databases"):
        open_shared([a, b])
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    c, d = make_workspace(tmp_path / "c"), make_workspace(tmp_path / "d")
    db = open_shared([c, d], url)
    assert [w.slug for w in db.workspaces()] == ["c", "d"]
    assert open_shared([], url).url == url
