"""Log in and out: a form (email, password, CSRF token) → a server-side session in an HttpOnly cookie."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb.accounts import EMAIL_MAX, SESSION_LIFETIME
from strategyfirst.web.auth import (
    LOGIN_CSRF_COOKIE,
    client_ip,
    identify,
    login_csrf,
    same_token,
    secure,
    set_session_cookie,
)
from strategyfirst.web.deps import PageCaller, State
from strategyfirst.web.templating import render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site (no `//host` or scheme), else the workspace list."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/workspaces"
    return target


def _login_page(request: Request, state: State, next_url: str, error: str | None = None,
                status: int = 200, email: str = "") -> Response:
    token = login_csrf(request)
    response = render(request, "login.html", {"login_csrf": token, "next": safe_next(next_url),
                                              "error": error, "email": email}, status=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=secure(request, state))
    return response


@router.get("/")
def read_home(request: Request, state: State) -> Response:
    """The workspace list when logged in, else the login page."""
    target = "/workspaces" if identify(request, state) else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def read_login(request: Request, state: State, next: str = "/workspaces") -> Response:
    """The login form (a logged-in user goes straight on)."""
    if identify(request, state) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, state, next)


@router.post("/login")
def create_session(request: Request, state: State, email: Annotated[str, Form(max_length=10 * EMAIL_MAX)] = "",
                   password: Annotated[str, Form(max_length=1024)] = "",
                   csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/workspaces",
                   ) -> Response:
    """Check the password (rate-limited per email and IP) and start a session."""
    if not same_token(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "the login form expired or came from elsewhere; reload it and try again")
    if not email.strip() or not password:  # no attempt to count: nothing was tried
        return _login_page(request, state, next, "Fill in your email and your password.", 422, email)
    if len(email.strip()) > EMAIL_MAX:
        return _login_page(request, state, next, f"An email address is at most {EMAIL_MAX} characters (this one "
                           f"has {len(email.strip()):,}).", 422, email)
    settings, ip = state.settings, client_ip(request)
    window = dt.timedelta(minutes=settings.login_window_minutes)
    if state.db.too_many_attempts(email, ip, settings.login_limit, window, settings.login_ip_limit):
        response = _login_page(request, state, next, f"Too many failed logins: wait "
                               f"{settings.login_window_minutes} minutes and try again.", 429, email)
        response.headers["Retry-After"] = str(settings.login_window_minutes * 60)
        return response
    user = state.db.verify_password(email, password)
    state.db.record_login_attempt(email, ip, user is not None)
    if user is None:
        return _login_page(request, state, next, "Wrong email or password.", 401, email)
    state.db.take_up_invitations(user)  # workspaces an owner invited this email to
    session = state.db.create_session(user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, state, session.token, int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def delete_session(request: Request, caller: PageCaller, state: State) -> Response:
    """End the session (CSRF-checked) and forget the cookie."""
    if caller.session_token:
        state.db.delete_session(caller.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(state.settings.session_cookie, path="/")
    return response
