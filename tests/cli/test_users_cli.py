"""`strategyfirst users add/list` and `tokens create/list/revoke`: stdin passwords, memberships, tokens."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from strategyfirst.appdb import ENV_VAR, open_appdb
from strategyfirst.workspace import Workspace
from tests.cli.test_history_cli import run_cli

PASSWORD = "a long enough secret"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = tmp_path / "acme"
    (root / ".strategyfirst").mkdir(parents=True)  # a workspace (issue 13.13: a bare folder is refused)
    return root


def test_users_add_reads_the_password_from_stdin(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["users", "add", "Ana@Acme.org", "--role", "owner", "--workspace", str(ws)], monkeypatch,
                capsys, stdin=PASSWORD + "\n")
    assert r.code == 0, r.err
    assert "ana@acme.org: owner of acme (new user)" in r.err
    db = open_appdb(Workspace(ws))
    user = db.get_user("ana@acme.org")
    assert user is not None and PasswordHasher().verify(user.password_hash, PASSWORD)
    assert db.verify_password("ana@acme.org", PASSWORD + "\n") is None  # the newline is not part of it
    assert db.role_in(user, "acme") == "owner"
    r = run_cli(["users", "list", "-w", str(ws)], monkeypatch, capsys)
    assert r.out == "ana@acme.org\towner\n"


@pytest.mark.parametrize("stdin", ["", "\n", "short\n"])
def test_users_add_refuses_empty_and_short_passwords(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], stdin: str) -> None:
    r = run_cli(["users", "add", "ana@acme.org", "--role", "owner", "-w", str(ws)], monkeypatch, capsys,
                stdin=stdin)
    assert r.code == 2 and "password is too short" in r.err
    assert open_appdb(Workspace(ws)).get_user("ana@acme.org") is None  # no user, so no default password


def test_users_add_rejects_a_bad_role(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["users", "add", "ana@acme.org", "--role", "admin", "-w", str(ws)], monkeypatch, capsys,
                stdin=PASSWORD)
    assert r.code == 2 and "unknown role 'admin'" in r.err
    r = run_cli(["users", "add", "ana@acme.org", "-w", str(ws)], monkeypatch, capsys, stdin=PASSWORD)
    assert r.code == 2  # --role is required


def test_adding_an_existing_user_to_another_workspace_adds_the_membership(
        tmp_path: Path, ws: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    beta = tmp_path / "beta"
    (beta / ".strategyfirst").mkdir(parents=True)
    r = run_cli(["users", "add", "ana@acme.org", "--role", "owner", "-w", str(ws), "--db", url], monkeypatch,
                capsys, stdin=PASSWORD)
    assert r.code == 0, r.err
    r = run_cli(["users", "add", "ana@acme.org", "--role", "viewer", "-w", str(beta), "--db", url],
                monkeypatch, capsys, stdin="")  # no password needed, none read
    assert r.code == 0 and "existing user, password unchanged" in r.err
    db = open_appdb(Workspace(beta))
    user = db.verify_password("ana@acme.org", PASSWORD)
    assert user is not None
    roles = [(m.workspace.slug, m.role) for m in db.memberships(user)]
    assert roles == [("acme", "owner"), ("beta", "viewer")]


def test_tokens_are_printed_once_as_the_last_line_and_stored_hashed(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["users", "add", "ana@acme.org", "--role", "editor", "-w", str(ws)], monkeypatch, capsys,
            stdin=PASSWORD)
    r = run_cli(["tokens", "create", "ana@acme.org", "--name", "ci", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0, r.err
    token = r.out.splitlines()[-1]
    assert token.startswith("sf_") and len(token) > 40
    db = open_appdb(Workspace(ws))
    with db.engine.connect() as conn:
        hashes = conn.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]
    user = db.token_user(token)
    assert user is not None and user.email == "ana@acme.org"
    r = run_cli(["tokens", "list", "ana@acme.org", "-w", str(ws)], monkeypatch, capsys)
    assert "\tci\t" in r.out and "live" in r.out and token not in r.out
    r = run_cli(["tokens", "revoke", "ana@acme.org", "--name", "ci", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and "revoked 1 token(s)" in r.err
    assert db.token_user(token) is None
    r = run_cli(["tokens", "revoke", "ana@acme.org", "--name", "ci", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 1  # nothing left to revoke
    r = run_cli(["tokens", "revoke", "ana@acme.org", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "--name NAME, --id N or --all" in r.err


def test_tokens_for_an_unknown_user_are_refused(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["tokens", "create", "nobody@acme.org", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "no user nobody@acme.org" in r.err and r.out == ""


def test_a_terminal_is_prompted_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import typer

    from strategyfirst.cli_appdb import read_password

    class Tty:
        def isatty(self) -> bool:
            return True

    asked: dict[str, object] = {}

    def prompt(label: str, **kwargs: object) -> str:
        asked.update(kwargs, label=label)
        return PASSWORD

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr(typer, "prompt", prompt)
    assert read_password(force_stdin=False) == PASSWORD
    assert asked == {"label": "Password", "hide_input": True, "confirmation_prompt": True}


def test_tokens_create_is_scoped_to_the_workspace_and_read_only_by_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'shared.sqlite'}")  # one database for both
    acme, beta = tmp_path / "acme", tmp_path / "beta"
    for folder in (acme, beta):
        (folder / ".strategyfirst").mkdir(parents=True)
        run_cli(["users", "add", "ana@acme.org", "--role", "editor", "-w", str(folder)], monkeypatch, capsys,
                stdin=PASSWORD)
    scoped = run_cli(["tokens", "create", "ana@acme.org", "--name", "ci", "-w", str(acme)], monkeypatch, capsys)
    assert scoped.code == 0 and "(acme, read)" in scoped.err
    wide = run_cli(["tokens", "create", "ana@acme.org", "--name", "all", "--access", "write",
                    "--all-workspaces", "-w", str(acme)], monkeypatch, capsys)
    assert wide.code == 0 and "(all workspaces of the user, write)" in wide.err
    db = open_appdb(Workspace(acme))
    row = db.token_info(scoped.out.splitlines()[-1])
    assert row is not None and row.workspace is not None
    assert (row.workspace.slug, row.access) == ("acme", "read")
    listed = run_cli(["tokens", "list", "ana@acme.org", "-w", str(acme)], monkeypatch, capsys).out.splitlines()
    assert [line.split("\t")[1:3] for line in listed] == [["ci", "acme, read"], ["all", "all workspaces, write"]]
    bad = run_cli(["tokens", "create", "ana@acme.org", "--access", "admin", "-w", str(acme)], monkeypatch, capsys)
    assert bad.code == 2 and "unknown access 'admin'" in bad.err and bad.out == ""


def test_users_admin_marks_and_unmarks_an_existing_user(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["users", "add", "ana@acme.org", "--role", "viewer", "-w", str(ws)], monkeypatch, capsys, stdin=PASSWORD)
    r = run_cli(["users", "admin", "Ana@Acme.org", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and r.err.strip() == "ana@acme.org: admin"
    db = open_appdb(Workspace(ws))
    user = db.get_user("ana@acme.org")
    assert user is not None and user.is_admin and db.may_scope_all(user.id)  # a viewer, but an admin
    assert db.role_in(user, "acme") == "viewer"  # being an admin grants no role
    r = run_cli(["users", "admin", "ana@acme.org", "--off", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and "no longer an admin" in r.err
    assert not db.get_user("ana@acme.org").is_admin  # type: ignore[union-attr]
    r = run_cli(["users", "admin", "nobody@acme.org", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "no user nobody@acme.org" in r.err and "Traceback" not in r.err


def test_a_token_name_is_checked(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["users", "add", "ana@acme.org", "--role", "viewer", "-w", str(ws)], monkeypatch, capsys, stdin=PASSWORD)
    r = run_cli(["tokens", "create", "ana@acme.org", "--name", " ", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "name: give the token a name of 1 to 100 characters" in r.err and r.out == ""
