"""Who is asking: a bearer token (scripts) or a server-side session cookie (browsers), and the CSRF check.

Requests with a bearer token carry no cookies, so they cannot be forged cross-site and are exempt from CSRF;
a cookie-authenticated request that changes state must carry the session's CSRF token (form field
`csrf_token` or header `X-CSRF-Token`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from strategyfirst.appdb import User
from strategyfirst.appdb.accounts import LAST_USED_RESOLUTION
from strategyfirst.appdb.models import utcnow
from strategyfirst.web.state import AppState

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LOGIN_CSRF_COOKIE = "sf_login_csrf"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: `csrf` is the session's token (None for bearer-token callers). A token caller
    may be held to one workspace (`token_slug`) and to reading (`read_only`)."""

    user: User
    csrf: str | None
    session_token: str | None
    token_slug: str | None = None
    read_only: bool = False

    def reaches(self, slug: str) -> bool:
        """False when a token scoped to another workspace asks about `slug`."""
        return self.token_slug is None or self.token_slug == slug

    @property
    def by_token(self) -> bool:
        return self.session_token is None


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def identify(request: Request, state: AppState) -> Principal | None:
    """The caller, or None: a bearer header is decisive (a bad token is not rescued by a cookie).

    The app database is read once per credential and database version (`AppState.remember`); a token's last
    use is still written once a minute, and an expired session still ends at its expiry."""
    if "authorization" in request.headers:
        token = bearer(request)
        if not token:
            return None
        row = state.remember(("token", token), lambda: state.db.token_info(token))
        if row is not None and (row.last_used_at is None or utcnow() - row.last_used_at >= LAST_USED_RESOLUTION):
            row = state.db.token_info(token)  # records this use (the write makes the next request read again)
        if row is None:
            return None
        return Principal(row.user, None, None, token_slug=row.workspace.slug if row.workspace else None,
                         read_only=row.access == "read")
    cookie = request.cookies.get(state.settings.session_cookie)
    if not cookie:
        return None
    info = state.remember(("session", cookie), lambda: state.db.session_info(cookie))
    if info is not None and info.expires_at <= utcnow():
        info = state.db.session_info(cookie)  # deletes the expired session
    return Principal(info.user, info.csrf_secret, cookie) if info else None


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


async def csrf_ok(request: Request, principal: Principal) -> bool:
    """True for safe methods, bearer callers, or a matching session CSRF token in header or form."""
    if request.method in SAFE_METHODS or principal.by_token:
        return True
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return same_token(given, principal.csrf)


def secure(request: Request, state: AppState) -> bool:
    configured = state.settings.cookie_secure
    return request.url.scheme == "https" if configured is None else configured


def set_session_cookie(response: Response, request: Request, state: AppState, token: str,
                       max_age: int) -> None:
    response.set_cookie(state.settings.session_cookie, token, max_age=max_age, httponly=True,
                        samesite="lax", secure=secure(request, state), path="/")


def login_csrf(request: Request) -> str:
    """The pre-login CSRF token (double-submit: a cookie and the same value in the form)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
