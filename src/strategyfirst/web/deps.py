"""Dependencies as `Annotated` aliases: the app state, the caller, and the caller's membership of the
workspace in the path, checked for every route.

API routes: no credentials → 401; not a member (or no such workspace) → 404, never 403, so existence does not
leak; a member with too low a role → 403; a cookie request that changes state without the CSRF token → 403.
Pages: the same, except that no credentials → a redirect to the login page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from strategyfirst.appdb import role_at_least
from strategyfirst.web.auth import SAFE_METHODS, Principal, csrf_ok, identify
from strategyfirst.web.served import ServedWorkspace
from strategyfirst.web.state import AppState
from strategyfirst.web.view import as_of_from, date_problems
from strategyfirst.workspace import Workspace


class LoginRequired(Exception):
    """A page needs a logged-in user: answered with a redirect to /login?next=..."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


async def get_state(request: Request) -> AppState:
    """The process's state (async: a plain function would be run on the thread pool, one hop per request)."""
    state: AppState = request.app.state.sf
    return state


State = Annotated[AppState, Depends(get_state)]


@dataclass(frozen=True)
class Member:
    """The caller acting in one workspace with their role there."""

    principal: Principal
    slug: str
    ws: Workspace
    role: str
    state: AppState

    @property
    def email(self) -> str:
        return self.principal.user.email

    @property
    def csrf(self) -> str | None:
        return self.principal.csrf

    def may(self, role: str) -> bool:
        return role_at_least(self.role, role)


def _unauthenticated(request: Request, page: bool) -> Exception:
    if page:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return LoginRequired(quote(target, safe="/?=&"))
    return HTTPException(401, "log in or send `Authorization: Bearer <token>`",
                         headers={"WWW-Authenticate": "Bearer"})


async def _principal(request: Request, state: AppState, page: bool) -> Principal:
    principal = identify(request, state)
    if principal is None:
        raise _unauthenticated(request, page)
    request.state.principal = principal  # pages render the user and the CSRF token
    if not await csrf_ok(request, principal):
        raise HTTPException(403, "missing or wrong CSRF token (reload the page and try again)")
    return principal


def caller(page: bool) -> Callable[[Request, AppState], Awaitable[Principal]]:
    async def dependency(request: Request, state: State) -> Principal:
        return await _principal(request, state, page)
    return dependency


def membership(state: AppState, principal: Principal, slug: str) -> tuple[ServedWorkspace | None, str | None]:
    """The served workspace of `slug` and the caller's role in it (None when not a member, or when a token
    scoped to another workspace asks)."""
    ws = state.workspace(slug)
    uid = principal.user.id
    held = (state.remember(("role", uid, slug), lambda: state.db.role_in(uid, slug))
            if ws is not None and principal.reaches(slug) else None)
    return ws, held


def member(role: str, page: bool) -> Callable[[Request, str, AppState], Awaitable[Member]]:
    """A dependency resolving the path's `slug` to the caller's membership with at least `role`."""
    async def dependency(request: Request, slug: str, state: State) -> Member:
        principal = await _principal(request, state, page)
        ws, held = membership(state, principal, slug)
        if ws is None or held is None:
            raise HTTPException(404, f"no workspace {slug!r}")
        if principal.read_only and (role != "viewer" or request.method not in SAFE_METHODS):
            raise HTTPException(403, "this token can only read: create a write token with `strategyfirst tokens "
                                     "create EMAIL --access write`")
        if not role_at_least(held, role):
            raise HTTPException(403, f"this needs the {role} role in {slug!r}; you are {held}")
        return Member(principal, slug, ws, held, state)
    return dependency


ApiCaller = Annotated[Principal, Depends(caller(page=False))]
PageCaller = Annotated[Principal, Depends(caller(page=True))]
ApiViewer = Annotated[Member, Depends(member("viewer", page=False))]
ApiEditor = Annotated[Member, Depends(member("editor", page=False))]
PageViewer = Annotated[Member, Depends(member("viewer", page=True))]
PageEditor = Annotated[Member, Depends(member("editor", page=True))]
PageOwner = Annotated[Member, Depends(member("owner", page=True))]


def checked_as_of(params: Mapping[str, str]) -> dt.date | None:
    """The `?as_of=` day of a page's URL; a bad one is the app's error page, 422 with what was wrong (web.md,
    invalid input), alike on every page that takes one (those of `page_as_of` and the view pages, web/view.py)."""
    as_of, problems = as_of_from(params)
    if problems:
        raise HTTPException(422, "; ".join(problems))
    return as_of


async def download_dates(request: Request) -> None:
    """A download that is not by dates (an objective's KPIs, the verdicts, the accounts list) still refuses a bad
    `since` or `until` in its URL, 422 as every download by dates does (pages.dashboard_pages.download_view)."""
    problems = date_problems(request.query_params)
    if problems:
        raise HTTPException(422, "; ".join(problems))


# declared after the membership, so a non-member still gets the 404
DatesChecked = Annotated[None, Depends(download_dates)]


async def page_as_of(request: Request) -> dt.date | None:
    """The `?as_of=` day of a page that takes only one (the strategy map, verdicts, an objective, a tactic and
    their CSVs), checked (checked_as_of); declared after the membership so that a non-member still gets the
    404."""
    return checked_as_of(request.query_params)


AsOf = Annotated[dt.date | None, Depends(page_as_of)]
