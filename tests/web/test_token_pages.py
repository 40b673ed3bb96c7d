"""The Tokens page (issue 18.11): an owner makes a token for themself (shown once, stored hashed), sees every
token that reaches the workspace (never a secret), revokes one after a confirmation (POST + CSRF) and the
API refuses it at once; the all-workspaces scope only for an admin or someone who owns all their workspaces."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from strategyfirst.appdb import ApiToken
from tests.web.env import PASSWORD, WebEnv

SECRET = re.compile(r'id="new-token"[^>]*value="(sf_[A-Za-z0-9_-]{40,})"')


def make(env: WebEnv, client: object, name: str, access: str = "read", scope: str = "acme") -> tuple[int, str]:
    r = client.post("/w/acme/tokens", data={"name": name, "access": access, "scope": scope})  # type: ignore[attr-defined]
    return r.status_code, r.text


def api(env: WebEnv, token: str, method: str, path: str, **kwargs: object) -> int:
    return env.client().request(method, path, headers={"Authorization": f"Bearer {token}"},
                                **kwargs).status_code  # type: ignore[arg-type]


def test_a_token_is_shown_once_stored_hashed_and_scoped(fresh_web: WebEnv) -> None:
    owner = fresh_web.login("owner@acme.org")
    r = owner.post("/w/acme/tokens", data={"name": " weekly-export ", "access": "read", "scope": "acme"})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    secret = SECRET.search(r.text)
    assert secret, r.text
    token = secret.group(1)
    assert "Copy it now: it is not shown again" in r.text and 'data-copy="new-token"' in r.text
    with fresh_web.state.db.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "weekly-export"))
        assert row is not None and row.workspace is not None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
        assert (row.workspace.slug, row.access, row.user.email) == ("acme", "read", "owner@acme.org")
    # the list names it and never shows the secret again
    page = owner.get("/w/acme/tokens").text
    assert token not in page and "weekly-export" in page and 'id="new-token"' not in page
    assert token not in owner.get("/w/acme/tokens.csv").text
    # what it may do: read acme, nothing in globex (the owner is not even a member), no writing
    assert api(fresh_web, token, "GET", "/api/v1/workspaces/acme/plan") == 200
    assert api(fresh_web, token, "GET", "/api/v1/workspaces/globex/plan") == 404
    assert api(fresh_web, token, "POST", "/api/v1/workspaces/acme/decisions", json={"text": "Hire"}) == 403


def test_revoking_asks_first_needs_the_csrf_token_and_takes_effect_at_once(fresh_web: WebEnv) -> None:
    owner = fresh_web.login("owner@acme.org")
    token = SECRET.search(make(fresh_web, owner, "nightly", "write")[1]).group(1)  # type: ignore[union-attr]
    assert api(fresh_web, token, "GET", "/api/v1/workspaces/acme/decisions") == 200
    token_id = next(t.id for t in fresh_web.state.db.workspace_tokens("acme") if t.name == "nightly")
    confirm = owner.get(f"/w/acme/tokens/{token_id}/revoke")
    assert confirm.status_code == 200 and "Revoke token “nightly”?" in confirm.text
    assert f'action="/w/acme/tokens/{token_id}/revoke"' in confirm.text and 'name="csrf_token"' in confirm.text
    assert api(fresh_web, token, "GET", "/api/v1/workspaces/acme/decisions") == 200  # asking revokes nothing
    # a forged form (no CSRF token) is refused and the token keeps working
    forged = fresh_web.login("owner@acme.org")
    del forged.headers["X-CSRF-Token"]
    assert forged.post(f"/w/acme/tokens/{token_id}/revoke").status_code == 403
    assert api(fresh_web, token, "GET", "/api/v1/workspaces/acme/decisions") == 200
    r = owner.post(f"/w/acme/tokens/{token_id}/revoke", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/w/acme/tokens?revoked={token_id}")
    assert api(fresh_web, token, "GET", "/api/v1/workspaces/acme/decisions") == 401
    page = owner.get(r.headers["location"]).text
    assert "Revoked token “nightly”" in page
    assert re.search(r"<td class=\"name\">nightly</td>.*?revoked \d{4}-", page, re.S)


def test_only_owners_reach_the_page_and_only_a_session_makes_tokens(fresh_web: WebEnv) -> None:
    assert fresh_web.login("editor@acme.org").get("/w/acme/tokens").status_code == 403
    assert fresh_web.login("viewer@acme.org").get("/w/acme/tokens.csv").status_code == 403
    assert fresh_web.login("outsider@globex.org").get("/w/acme/tokens").status_code == 404  # not a member
    assert fresh_web.client().get("/w/acme/tokens", follow_redirects=False).status_code == 303  # to /login
    before = len(fresh_web.state.db.workspace_tokens("acme"))
    by_token = fresh_web.bearer("owner@acme.org")  # the owner's own write token may not mint another
    r = by_token.post("/w/acme/tokens", data={"name": "minted", "access": "write", "scope": "acme"})
    assert r.status_code == 403 and len(fresh_web.state.db.workspace_tokens("acme")) == before


def test_bad_input_is_refused_on_the_form_in_one_located_line(fresh_web: WebEnv) -> None:
    owner = fresh_web.login("owner@acme.org")
    before = len(fresh_web.state.db.workspace_tokens("acme"))
    status, page = make(fresh_web, owner, "   ")
    assert status == 422 and "name: give the token a name of 1 to 100 characters" in page
    status, page = make(fresh_web, owner, "x", access="admin")
    assert status == 422 and "unknown access &#39;admin&#39;" in page
    status, page = make(fresh_web, owner, "x", scope="globex")
    assert status == 422 and "scope: choose this workspace or all your workspaces" in page
    assert len(fresh_web.state.db.workspace_tokens("acme")) == before and 'id="new-token"' not in page
    # the same form sent twice (a reload of the answer) makes no second secret
    assert make(fresh_web, owner, "twice")[0] == 201
    status, page = make(fresh_web, owner, "twice")
    assert status == 422 and "name: you already have a live token named &#39;twice&#39;" in page
    assert 'id="new-token"' not in page and len(fresh_web.state.db.workspace_tokens("acme")) == before + 1


def test_all_workspaces_tokens_need_an_admin_or_an_owner_of_all(fresh_web: WebEnv) -> None:
    db = fresh_web.state.db
    db.add_user("owner@acme.org", None, "editor", "globex")  # owns acme, only edits globex
    owner = fresh_web.login("owner@acme.org")
    assert 'value="all"' not in owner.get("/w/acme/tokens").text  # the choice is not offered
    status, page = make(fresh_web, owner, "everywhere", scope="all")
    assert status == 422 and "scope: only an admin or a user who owns every one of their workspaces" in page
    db.set_admin("owner@acme.org")
    assert 'value="all"' in owner.get("/w/acme/tokens").text
    status, page = make(fresh_web, owner, "everywhere", "read", scope="all")
    token = SECRET.search(page).group(1)  # type: ignore[union-attr]
    assert status == 201 and api(fresh_web, token, "GET", "/api/v1/workspaces/globex/plan") == 200
    # and someone who owns every workspace they are in (outsider owns globex only) may too
    assert db.may_scope_all(db.get_user("outsider@globex.org").id)  # type: ignore[union-attr]
    assert not db.may_scope_all(db.get_user("editor@acme.org").id)  # type: ignore[union-attr]


def test_the_list_shows_what_reaches_the_workspace_and_who_may_revoke_it(fresh_web: WebEnv) -> None:
    db = fresh_web.state.db
    scoped = db.create_api_token("editor@acme.org", "editor-acme", workspace="acme", access="write")
    db.create_api_token("outsider@globex.org", "globex-only", workspace="globex")
    owner = fresh_web.login("owner@acme.org")
    page = owner.get("/w/acme/tokens").text
    # the env's all-workspaces "tests" tokens of acme's members reach acme; globex's own token does not
    assert "editor-acme" in page and "globex-only" not in page
    rows = {t.name + "/" + t.user.email: t for t in db.workspace_tokens("acme")}
    assert set(rows) == {"tests/owner@acme.org", "tests/editor@acme.org", "tests/viewer@acme.org",
                         "editor-acme/editor@acme.org"}
    # another member's all-workspaces token: listed, no revoke link, and a POST is refused (it reaches beyond acme)
    theirs = rows["tests/editor@acme.org"].id
    assert f"/w/acme/tokens/{theirs}/revoke" not in page and "its user or an admin revokes it" in page
    assert owner.post(f"/w/acme/tokens/{theirs}/revoke").status_code == 403
    assert api(fresh_web, fresh_web.tokens["editor@acme.org"], "GET", "/api/v1/workspaces/acme/plan") == 200
    # a member's token scoped to acme: the owner can stop it
    assert owner.post(f"/w/acme/tokens/{rows['editor-acme/editor@acme.org'].id}/revoke").status_code == 200
    assert api(fresh_web, scoped, "GET", "/api/v1/workspaces/acme/plan") == 401
    # a token that does not reach acme is not found through acme's page
    globex_id = next(t.id for t in db.workspace_tokens("globex") if t.name == "globex-only")
    assert owner.get(f"/w/acme/tokens/{globex_id}/revoke").status_code == 404
    assert owner.post(f"/w/acme/tokens/{globex_id}/revoke").status_code == 404


def test_the_tokens_csv_lists_scope_access_and_use_without_secrets(fresh_web: WebEnv) -> None:
    owner = fresh_web.login("owner@acme.org", PASSWORD)
    r = owner.get("/w/acme/tokens.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="acme-tokens.csv"' in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "id,name,user,scope,access,created_at,last_used_at,revoked_at"
    assert len(lines) == 1 + 3  # the all-workspaces "tests" tokens of acme's three members
    assert all(",tests," in line and ",all workspaces,write," in line for line in lines[1:])
    assert not any(t in r.text for t in fresh_web.tokens.values())
