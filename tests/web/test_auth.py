"""Login, sessions, CSRF, rate limiting and bearer tokens on the real app."""

from __future__ import annotations

from strategyfirst.web import create_app
from strategyfirst.web.state import AppState
from tests.web.env import PASSWORD, WebEnv


def test_login_sets_a_server_side_session_cookie(web: WebEnv) -> None:
    client = web.client()
    page = client.get("/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    r = client.post("/login", data={"email": "viewer@acme.org", "password": PASSWORD,
                                    "csrf_token": client.cookies["sf_login_csrf"], "next": "/w/acme"},
                    follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/w/acme")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("sf_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert web.state.db.session_user(token).email == "viewer@acme.org"  # type: ignore[union-attr]


def test_cookie_is_secure_over_https(web: WebEnv) -> None:
    client = web.client("https://testserver")
    client.get("/login")
    r = client.post("/login", data={"email": "viewer@acme.org", "password": PASSWORD,
                                    "csrf_token": client.cookies["sf_login_csrf"]}, follow_redirects=False)
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("sf_session="))
    assert "Secure" in cookie


def test_login_without_its_csrf_token_is_refused(web: WebEnv) -> None:
    client = web.client()
    client.get("/login")
    r = client.post("/login", data={"email": "viewer@acme.org", "password": PASSWORD, "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403 and "sf_session" not in client.cookies


def test_open_redirect_after_login_is_not_followed(web: WebEnv) -> None:
    client = web.client()
    client.get("/login")
    r = client.post("/login", data={"email": "viewer@acme.org", "password": PASSWORD, "next": "//evil.example/",
                                    "csrf_token": client.cookies["sf_login_csrf"]}, follow_redirects=False)
    assert r.headers["location"] == "/workspaces"


def test_state_change_with_a_cookie_needs_the_csrf_token(web: WebEnv) -> None:
    client = web.login("editor@acme.org")
    token = client.headers.pop("X-CSRF-Token")
    body = {"text": "a decision without a CSRF token"}
    assert client.post("/api/v1/workspaces/acme/decisions", json=body).status_code == 403
    assert client.post("/w/acme/decisions", data=body, follow_redirects=False).status_code == 403
    assert client.post("/w/acme/decisions", data={**body, "csrf_token": "wrong"},
                       follow_redirects=False).status_code == 403
    ok = client.post("/w/acme/decisions", data={**body, "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303


def test_logout_ends_the_session(web: WebEnv) -> None:
    client = web.login("viewer@acme.org")
    cookie = client.cookies["sf_session"]
    assert client.post("/logout", follow_redirects=False).status_code == 303
    assert web.state.db.session_info(cookie) is None
    client.cookies.set("sf_session", cookie)
    assert client.get("/api/v1/workspaces").status_code == 401


def test_failed_logins_are_rate_limited_per_email(web: WebEnv) -> None:
    web.state.db.add_user("victim@acme.org", PASSWORD, "viewer", "acme")
    client = web.client()
    client.get("/login")
    csrf = client.cookies["sf_login_csrf"]
    limit = web.state.settings.login_limit
    codes = [client.post("/login", data={"email": "victim@acme.org", "password": f"wrong {i}",
                                         "csrf_token": csrf}).status_code for i in range(limit)]
    assert codes == [401] * web.state.settings.login_limit
    blocked = client.post("/login", data={"email": "victim@acme.org", "password": PASSWORD, "csrf_token": csrf},
                          follow_redirects=False)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "sf_session" not in client.cookies


def test_bearer_tokens_act_as_their_user_and_revoked_ones_do_not(web: WebEnv) -> None:
    token = web.state.db.create_api_token("viewer@acme.org", "short-lived")
    client = web.client()
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.get("/api/v1/workspaces").json()[0]["role"] == "viewer"
    web.state.db.revoke_token("viewer@acme.org", token=token)
    r = client.get("/api/v1/workspaces")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    client.headers["Authorization"] = "Bearer sf_not-a-token"
    assert client.get("/api/v1/workspaces").status_code == 401


def test_upload_over_the_limit_is_413(web: WebEnv) -> None:
    small = web.state.settings.model_copy(update={"max_upload_bytes": 1000})
    app = create_app(small, AppState(small, web.state.db, web.state.workspaces))
    from fastapi.testclient import TestClient

    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {web.tokens['editor@acme.org']}"
    r = client.post("/api/v1/workspaces/acme/imports", files=[("files", ("big.csv", b"x" * 5000, "text/csv"))])
    assert r.status_code == 413
