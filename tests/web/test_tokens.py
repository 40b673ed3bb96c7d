"""API tokens scoped to one workspace (or explicitly all) and to read or write (issue 17.11): a read token
cannot write, a token for another workspace sees nothing there — the same 404 as a workspace that does not
exist."""

from __future__ import annotations

import uuid

import pytest

from strategyfirst.errors import UsageError
from tests.web.env import PASSWORD, WebEnv


def two_workspace_user(web: WebEnv) -> str:
    """A fresh editor of both acme and globex (each test its own, so tokens never mix)."""
    email = f"agency-{uuid.uuid4().hex[:8]}@example.org"
    web.state.db.add_user(email, PASSWORD, "editor", "acme")
    web.state.db.add_user(email, None, "editor", "globex")
    return email


def call(web: WebEnv, token: str, method: str, path: str, **kwargs: object) -> tuple[int, object]:
    response = web.client().request(method, path, headers={"Authorization": f"Bearer {token}"},
                                    **kwargs)  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_a_token_for_acme_sees_only_acme(web: WebEnv) -> None:
    email = two_workspace_user(web)
    acme_only = web.state.db.create_api_token(email, "acme", workspace="acme", access="write")
    everywhere = web.state.db.create_api_token(email, "all", workspace=None, access="write")
    assert [w["slug"] for w in call(web, acme_only, "GET", "/api/v1/workspaces")[1]] == ["acme"]  # type: ignore[union-attr]
    assert [w["slug"] for w in call(web, everywhere, "GET", "/api/v1/workspaces")[1]] == ["acme", "globex"]  # type: ignore[union-attr]
    assert call(web, acme_only, "GET", "/api/v1/workspaces/acme/plan")[0] == 200
    # globex exists and the user edits it, but not with this token: exactly what a missing workspace answers
    other = call(web, acme_only, "GET", "/api/v1/workspaces/globex/plan")
    missing = call(web, acme_only, "GET", "/api/v1/workspaces/nope/plan")
    assert other == (404, {"detail": "no workspace 'globex'"})
    assert missing == (404, {"detail": "no workspace 'nope'"})
    before = len(web.state.db.decisions("globex"))
    status, _ = call(web, acme_only, "POST", "/api/v1/workspaces/globex/decisions", json={"text": "Go"})
    assert status == 404 and len(web.state.db.decisions("globex")) == before
    assert call(web, everywhere, "GET", "/api/v1/workspaces/globex/plan")[0] == 200


def test_a_read_token_cannot_write(web: WebEnv) -> None:
    email = two_workspace_user(web)
    reader = web.state.db.create_api_token(email, "reader", workspace="acme", access="read")
    writer = web.state.db.create_api_token(email, "writer", workspace="acme", access="write")
    # web.md: the role is the user's ("a token acts with its user's roles"); the token's scope says it only reads
    # (it said "viewer" for an editor's read token)
    assert call(web, reader, "GET", "/api/v1/workspaces")[1] == [
        {"slug": "acme", "organisation": "Acme Outdoor", "role": "editor", "scope": "read"}]
    assert call(web, writer, "GET", "/api/v1/workspaces")[1] == [
        {"slug": "acme", "organisation": "Acme Outdoor", "role": "editor", "scope": "write"}]
    assert call(web, reader, "GET", "/api/v1/workspaces/acme/decisions")[0] == 200
    plan_before = web.acme.plan_path.read_text(encoding="utf-8")
    decisions_before = len(web.state.db.decisions("acme"))
    status, body = call(web, reader, "POST", "/api/v1/workspaces/acme/decisions", json={"text": "Hire"})
    assert status == 403 and "can only read" in body["detail"]  # type: ignore[index]
    status, _ = call(web, reader, "PUT", "/api/v1/workspaces/acme/plan", json={"text": plan_before + "\n"})
    assert status == 403
    assert web.acme.plan_path.read_text(encoding="utf-8") == plan_before
    assert len(web.state.db.decisions("acme")) == decisions_before
    # the same user's write token may (the role, not the token, was the limit before)
    status, body = call(web, writer, "POST", "/api/v1/workspaces/acme/decisions", json={"text": "Hire"})
    assert status == 201 and len(web.state.db.decisions("acme")) == decisions_before + 1


def test_a_token_is_only_made_for_a_workspace_of_its_user(web: WebEnv) -> None:
    with pytest.raises(UsageError, match="not a member of 'globex'"):
        web.state.db.create_api_token("viewer@acme.org", "x", workspace="globex")
    with pytest.raises(UsageError, match="unknown access 'admin'"):
        web.state.db.create_api_token("viewer@acme.org", "x", workspace="acme", access="admin")
