"""Cached GET answers straight from the ASGI layer (issue 17.4: p99 at c = 50).

A GET of a cached JSON route (measure, funnel, diagnose, lint, plan, capacity, readiness, imports) or of a
shared page (dashboard, dialogue) whose answer is already kept for the workspace's current data and plan
versions is answered here, without FastAPI's routing, dependency solving and validation and without the
thread-pool hand-off of a sync endpoint: a few tens of microseconds instead of about a millisecond, and no
convoy of threads behind the event loop.

It answers only what the app itself would answer, and the same way; anything else goes on to the app:

- the caller is read and checked as `deps.member` does (`auth.identify`, `deps.membership`, the viewer role
  these routes need; a read-only token may read): no credentials, an unknown or revoked token, a token of
  another workspace, a non-member all go on and get the app's 401/404/redirect;
- a JSON answer is the one the app last gave for the same path and query string (`answers.Answers`), served
  only while the workspace's versions and the day are those it was given under; the headers and the 304 are
  built by the same function (`answers.response`);
- a page is the shared rendering the app keeps under the same key (`templating.shared_key`: URL, role, admin,
  the import note, the day), with the caller's CSRF token and email put in (`templating.shared_response`);
  token callers, who get a page of their own, go on;
- the list of the caller's workspaces (`GET /api/v1/workspaces`) is the app's last answer to the same user with
  the same token scope and access, while the app database and every served plan are as they were then.

The security headers are added by the middleware around this one, as for every response.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from strategyfirst.appdb import role_at_least
from strategyfirst.web import services
from strategyfirst.web.answers import DAY_KEY, STAMP_KEY, response
from strategyfirst.web.auth import Principal, identify
from strategyfirst.web.deps import membership
from strategyfirst.web.served import ServedWorkspace
from strategyfirst.web.state import AppState
from strategyfirst.web.templating import shareable, shared_key, shared_response

API = re.compile(r"/api/v1/workspaces/([^/]+)/(?:measure|funnel|diagnose|lint|plan|capacity|readiness|imports)")
PAGES = re.compile(r"/w/([^/]+)/(dashboard|dialogue)")
ROLE = "viewer"  # what every one of these routes needs (deps.ApiViewer, deps.PageViewer)
LISTING = "/api/v1/workspaces"
_LISTINGS_SIZE = 10_000  # callers whose listing is kept before the notes start afresh


class FastPath:
    """ASGI middleware answering a kept answer of a cached GET route itself (see the module's text)."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self._listings: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[Message]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            if scope["path"] == LISTING and not scope.get("query_string"):
                await self._listing(scope, receive, send)
                return
            try:
                found = self._kept(scope)
            except Exception:  # e.g. the app database failing: the app answers, with its error handlers
                found = None
            if found is not None:
                await found(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _listing(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GET /api/v1/workspaces: the app's last answer to the same caller (user, token scope and access)
        while the app database (memberships, roles) and every served plan (organisations) are unchanged; else
        the app answers, and a 200 is noted when nothing changed while it did."""
        try:
            principal = identify(Request(scope), self.state)
            versions = self._listing_versions() if principal is not None else None
        except Exception:  # e.g. the app database failing: the app answers, with its error handlers
            principal = versions = None
        if principal is None or versions is None:
            await self.app(scope, receive, send)
            return
        who = (principal.user.id, principal.token_slug, principal.read_only)
        noted = self._listings.get(who)
        if noted is not None and noted[0] == versions:
            for message in noted[1]:
                await send({**message, "headers": list(message["headers"])} if "headers" in message else message)
            return
        sent: list[Message] = []

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent.append({**message, "headers": list(message.get("headers", []))})
            elif message["type"] == "http.response.body":
                sent.append(dict(message))
            await send(message)

        await self.app(scope, receive, noting)
        try:
            unchanged = self._listing_versions() == versions
        except Exception:  # the answer is sent: a failing app database only means nothing is noted
            unchanged = False
        if sent and sent[0].get("status") == 200 and unchanged:
            if len(self._listings) >= _LISTINGS_SIZE:
                self._listings.clear()
            self._listings[who] = (versions, sent)

    def _listing_versions(self) -> tuple[Any, ...] | None:
        """The app database's version and each served workspace's plan version, or None where the database
        cannot tell (PostgreSQL) or a plan is still to be parsed."""
        counter = self.state.db.change_counter()
        if counter is None:
            return None
        plans = []
        for slug, ws in sorted(list(self.state.workspaces.items())):
            if not ws.plans.fresh():
                return None
            plans.append((slug, ws.plans.version()))
        return counter, tuple(plans)

    def _kept(self, scope: Scope) -> Response | None:
        path: str = scope["path"]
        api = API.fullmatch(path)
        page = None if api else PAGES.fullmatch(path)
        if api is None and page is None:
            return None
        today = dt.date.today()
        scope[DAY_KEY] = today
        found = api or page
        assert found is not None
        slug = found[1]
        ws = self.state.workspace(slug)
        if not isinstance(ws, ServedWorkspace) or not ws.versions_ready():
            return None  # the first snapshot or a new plan's parse is the app's (thread pool) work
        at = services.stamp(ws)
        scope[STAMP_KEY] = at
        if api is not None:
            noted = self.state.answers.get(path, scope.get("query_string", b""))
            if noted is None or noted.stamp != at or noted.day != today:
                return None
            request = Request(scope)
            if self._role(request, slug) is None:
                return None
            return response(request.headers.get("if-none-match"), noted.body, noted.etag)
        request = Request(scope)
        caller = self._role(request, slug)
        if caller is None:
            return None
        principal, held = caller
        csrf, user = principal.csrf, principal.user
        if csrf is None or not shareable(csrf, user):
            return None
        admin = bool(getattr(user, "is_admin", False))
        key = shared_key(request, f"{found[2]}.html", slug, held, admin, services.busy_note(ws), today)
        html = services.peek(ws, key, at)
        return shared_response(html, csrf, user) if isinstance(html, str) else None

    def _role(self, request: Request, slug: str) -> tuple[Principal, str] | None:
        """The caller and their role in `slug` when they may read it (as `deps.member(ROLE)` decides), else
        None: the app answers (401, 404, a login redirect)."""
        principal = identify(request, self.state)
        if principal is None:
            return None
        ws, held = membership(self.state, principal, slug)
        if ws is None or held is None or not role_at_least(held, ROLE):
            return None
        return principal, held
