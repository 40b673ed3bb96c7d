"""Creating a workspace from the web (issue 18.11): admins only, the name checked as a slug (a located line),
the starter plan exactly as `strategyfirst init` writes it, the creator its owner, and the new workspace served
at once, also by another server process over the same app database (`serve --workers N`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from strategyfirst.appdb import dispose
from strategyfirst.cli import app as cli_app
from strategyfirst.web.settings import Settings
from strategyfirst.web.state import open_state
from tests.web.env import WebEnv, build


@pytest.fixture()
def admin_web(tmp_path: Path) -> WebEnv:
    """A fresh environment serving acme and globex, creating new workspaces in `clients/`; owner@acme.org is
    an admin."""
    env = build(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite'}", None, new_workspaces=tmp_path / "clients")
    env.state.db.set_admin("owner@acme.org")
    yield env  # type: ignore[misc]
    dispose(env.db_url)


def test_an_admin_creates_a_workspace_like_init_and_owns_it(admin_web: WebEnv, tmp_path: Path) -> None:
    admin = admin_web.login("owner@acme.org")
    r = admin.post("/workspaces", data={"name": "client-b"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/workspaces?created=client-b")
    folder = tmp_path / "clients" / "client-b"
    # the plan the CLI writes, byte for byte
    assert CliRunner().invoke(cli_app, ["init", str(tmp_path / "by-cli")]).exit_code == 0
    assert (folder / "strategy.yaml").read_bytes() == (tmp_path / "by-cli" / "strategy.yaml").read_bytes()
    db = admin_web.state.db
    assert db.role_in(db.get_user("owner@acme.org").id, "client-b") == "owner"  # type: ignore[union-attr]
    assert [m.user.email for m in db.members("client-b")] == ["owner@acme.org"]
    assert '"slug": "client-b"' in (folder / ".strategyfirst" / "workspace.json").read_text(encoding="utf-8")
    # served at once: its pages and the API answer, and the list shows it with the notice
    assert admin.get("/w/client-b/plan").status_code == 200
    assert "Created client-b with the starter plan" in admin.get(r.headers["location"]).text
    listed = admin_web.client().get("/api/v1/workspaces", headers={
        "Authorization": f"Bearer {admin_web.tokens['owner@acme.org']}"}).json()
    assert ("client-b", "Your Organisation", "owner") in [(w["slug"], w["organisation"], w["role"]) for w in listed]
    # another process over the same database (another of `serve --workers N`) serves it too
    other = open_state(Settings(db_url=admin_web.db_url, workspaces=[admin_web.acme.root],
                                new_workspaces=tmp_path / "clients"))
    assert other.workspace("client-b") is not None and other.workspace("client-b").root == folder  # type: ignore[union-attr]
    # ... but not a registered workspace outside the new-workspaces folder that it was not told to serve
    assert other.workspace("globex") is None


@pytest.mark.parametrize(("name", "message"), [
    ("Client B", "name: 'Client B' is not a workspace name: use lowercase letters, digits and single hyphens, "
                 "at most 80 characters (e.g. 'client-b')"),
    ("-x-", "name: '-x-' is not a workspace name"),
    ("a" * 81, "at most 80 characters"),
    ("acme", "name: a workspace named 'acme' already exists; choose another name"),
])
def test_a_bad_name_is_refused_in_one_located_line_and_nothing_is_made(admin_web: WebEnv, tmp_path: Path,
                                                                       name: str, message: str) -> None:
    admin = admin_web.login("owner@acme.org")
    before = [w.slug for w in admin_web.state.db.workspaces()]
    r = admin.post("/workspaces", data={"name": name})
    assert r.status_code == 422 and message.replace("'", "&#39;") in r.text
    assert 'aria-invalid="true"' in r.text and "Traceback" not in r.text
    assert [w.slug for w in admin_web.state.db.workspaces()] == before
    assert not (tmp_path / "clients").exists() or list((tmp_path / "clients").iterdir()) == []


def test_an_existing_folder_is_never_taken_over(admin_web: WebEnv, tmp_path: Path) -> None:
    (tmp_path / "clients" / "client-c").mkdir(parents=True)
    (tmp_path / "clients" / "client-c" / "notes.txt").write_text("keep me", encoding="utf-8")
    r = admin_web.login("owner@acme.org").post("/workspaces", data={"name": "client-c"})
    assert r.status_code == 422 and "a folder named &#39;client-c&#39; already exists" in r.text
    assert str(tmp_path) not in r.text  # no server path in an answer
    assert sorted(p.name for p in (tmp_path / "clients" / "client-c").iterdir()) == ["notes.txt"]
    assert admin_web.state.db.workspace("client-c") is None


def test_only_an_admin_may_create_and_only_where_the_server_allows(admin_web: WebEnv, tmp_path: Path) -> None:
    for email in ("editor@acme.org", "outsider@globex.org"):  # outsider owns globex, but is no admin
        client = admin_web.login(email)
        assert 'id="new-workspace"' not in client.get("/workspaces").text
        assert client.post("/workspaces", data={"name": "sneaky"}).status_code == 403
    token = admin_web.bearer("owner@acme.org")  # even an admin's token: browser sessions only
    assert token.post("/workspaces", data={"name": "sneaky"}).status_code == 403
    assert admin_web.state.db.workspace("sneaky") is None and not (tmp_path / "clients" / "sneaky").exists()


def test_creation_is_off_without_a_new_workspaces_folder(fresh_web: WebEnv) -> None:
    fresh_web.state.db.set_admin("owner@acme.org")
    admin = fresh_web.login("owner@acme.org")
    assert "--new-workspaces DIR" in admin.get("/workspaces").text
    r = admin.post("/workspaces", data={"name": "client-d"})
    assert r.status_code == 422 and "creating workspaces from the web is off on this server" in r.text
    assert fresh_web.state.db.workspace("client-d") is None


def test_the_workspaces_csv_is_the_callers_table(fresh_web: WebEnv) -> None:
    r = fresh_web.login("viewer@acme.org").get("/workspaces.csv")
    assert r.status_code == 200 and 'filename="workspaces.csv"' in r.headers["content-disposition"]
    assert r.text.splitlines() == ["slug,organisation,role", "acme,Acme Outdoor,viewer"]
    assert fresh_web.client().get("/workspaces.csv", follow_redirects=False).status_code == 303  # log in first
