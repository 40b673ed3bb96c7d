"""Who is asking is read from the app database once per credential and database version (issue 17.4: no
database round trip per request), and any change to it takes effect at the next request: a revoked token, a
removed or demoted member, a logout, in this process or another; an expired session ends at its expiry."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from strategyfirst.web import auth
from tests.web.env import WebEnv

MEASURE = "/api/v1/workspaces/acme/lint"


def counting(monkeypatch: pytest.MonkeyPatch, db: Any, name: str) -> list[int]:
    """Count the calls of the app database's method `name` (patched on this one object)."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(db, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(db, name, wrapped)
    return calls


def test_repeated_requests_read_the_token_and_role_once(fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    client = fresh_web.bearer("viewer@acme.org")
    assert client.get(MEASURE).status_code == 200  # the first use writes last_used_at: a new version
    tokens = counting(monkeypatch, fresh_web.state.db, "token_info")
    roles = counting(monkeypatch, fresh_web.state.db, "role_in")
    assert [client.get(MEASURE).status_code for _ in range(5)] == [200] * 5
    assert (len(tokens), len(roles)) == (1, 1)


def test_a_revoked_token_loses_access_at_the_next_request(fresh_web: WebEnv) -> None:
    client = fresh_web.bearer("viewer@acme.org")
    assert [client.get(MEASURE).status_code for _ in range(3)] == [200] * 3
    assert fresh_web.state.db.revoke_token("viewer@acme.org") == 1
    assert client.get(MEASURE).status_code == 401


def test_a_member_removed_by_another_process_loses_access_at_once(fresh_web: WebEnv) -> None:
    """The CLI (another process, another connection) removes the viewer: the server's next answer is 404."""
    client = fresh_web.bearer("viewer@acme.org")
    assert [client.get(MEASURE).status_code for _ in range(3)] == [200] * 3
    script = ("import sys; from strategyfirst.appdb import connect; "
              "sys.exit(0 if connect(sys.argv[1]).remove_member('viewer@acme.org', 'acme') else 3)")
    subprocess.run([sys.executable, "-c", script, fresh_web.db_url], check=True)
    assert client.get(MEASURE).status_code == 404
    assert client.get("/api/v1/workspaces").json() == []


def test_a_demoted_editor_cannot_write_at_the_next_request(fresh_web: WebEnv) -> None:
    editor = fresh_web.login("editor@acme.org")
    body = {"text": "Keep the care desk staffed", "objective": "dialogue"}
    assert editor.post("/api/v1/workspaces/acme/decisions", json=body).status_code == 201
    fresh_web.state.db.add_user("editor@acme.org", None, "viewer", "acme")
    assert editor.post("/api/v1/workspaces/acme/decisions", json=body).status_code == 403


def test_a_logout_ends_the_session_at_once(fresh_web: WebEnv) -> None:
    client = fresh_web.login("viewer@acme.org")
    assert [client.get("/w/acme/dashboard").status_code for _ in range(2)] == [200] * 2
    fresh_web.state.db.delete_session(client.cookies.get("sf_session") or "")
    r = client.get("/w/acme/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_remembered_session_still_expires(fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is committed when a session's time runs out: the remembered one is checked against the clock."""
    client = fresh_web.login("viewer@acme.org")
    assert client.get("/w/acme/dashboard").status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)  # sessions last 7 days
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    monkeypatch.setattr("strategyfirst.appdb.accounts.utcnow", lambda: later)
    r = client.get("/w/acme/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_token_use_is_still_recorded_to_the_minute(fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    client = fresh_web.bearer("viewer@acme.org")
    assert client.get(MEASURE).status_code == 200
    first = fresh_web.state.db.api_tokens("viewer@acme.org")[0].last_used_at
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    monkeypatch.setattr("strategyfirst.appdb.accounts.utcnow", lambda: later)
    assert client.get(MEASURE).status_code == 200
    assert first is not None
    assert fresh_web.state.db.api_tokens("viewer@acme.org")[0].last_used_at == later
