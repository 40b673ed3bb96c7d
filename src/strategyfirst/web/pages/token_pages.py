"""API tokens of a workspace (owners): make one for yourself, see every token that reaches the workspace, revoke.

The secret is in the answer to the POST that made it, once (`Cache-Control: no-store`), never in a URL, a
list or a log. Creating and revoking go through the same `appdb` calls as `strategyfirst tokens`; only a
browser session may make a token (a token cannot mint tokens)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb import ApiToken
from strategyfirst.appdb.accounts import TOKEN_NAME_MAX
from strategyfirst.appdb.models import ACCESS
from strategyfirst.errors import UsageError
from strategyfirst.web.deps import Member, PageOwner
from strategyfirst.web.templating import render

router = APIRouter()
ALL = "all"


def _by_session(m: Member) -> None:
    if m.principal.by_token:
        raise HTTPException(403, "tokens are managed from a browser session, not with a token")


def _page(request: Request, m: Member, status: int = 200, **extra: Any) -> Response:
    db = m.state.db
    me = m.principal.user
    tokens = [(t, db.may_revoke(t, m.slug, me)) for t in db.workspace_tokens(m.slug)]
    context = {"m": m, "tab": "tokens", "tokens": tokens, "access": ACCESS, "may_all": db.may_scope_all(me),
               "form": {"name": "", "access": "read", "scope": m.slug}, **extra}
    response = render(request, "tokens.html", context, status=status)
    response.headers["Cache-Control"] = "no-store"  # the one answer that shows a secret must not be kept
    return response


@router.get("/w/{slug}/tokens")
def list_tokens(request: Request, m: PageOwner, revoked: int | None = None) -> Response:
    """The tokens that reach this workspace (never their secrets) and the form to make one."""
    return _page(request, m, revoked=revoked)


@router.post("/w/{slug}/tokens")
def create_token(request: Request, m: PageOwner, name: Annotated[str, Form(max_length=10 * TOKEN_NAME_MAX)] = "",
                 access: Annotated[str, Form(max_length=10)] = "read",
                 scope: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Make a token acting as you, for this workspace (or all of yours, if `may_scope_all`): shown once."""
    _by_session(m)
    form = {"name": name, "access": access, "scope": scope or m.slug}
    if form["scope"] not in (m.slug, ALL):
        return _page(request, m, 422, form=form, error="scope: choose this workspace or all your workspaces")
    try:
        secret = m.state.db.create_api_token(m.email, name, workspace=None if form["scope"] == ALL else m.slug,
                                             access=access, strict=True)
    except UsageError as exc:
        return _page(request, m, 422, form=form, error=str(exc))
    return _page(request, m, 201, secret=secret, made=name.strip())


def _token(m: Member, token_id: int) -> tuple[ApiToken, bool]:
    found = next((t for t in m.state.db.workspace_tokens(m.slug) if t.id == token_id), None)
    if found is None:
        raise HTTPException(404, f"no token #{token_id} reaches workspace {m.slug!r}")
    return found, m.state.db.may_revoke(found, m.slug, m.principal.user)


@router.get("/w/{slug}/tokens/{token_id}/revoke")
def confirm_revoke_token(request: Request, m: PageOwner, token_id: int) -> Response:
    """Ask before revoking: scripts using the token stop working at once."""
    token, allowed = _token(m, token_id)
    return render(request, "token_revoke.html", {"m": m, "tab": "tokens", "token": token, "allowed": allowed})


@router.post("/w/{slug}/tokens/{token_id}/revoke")
def revoke_token(m: PageOwner, token_id: int) -> Response:
    """Revoke the token: its next request gets 401."""
    _by_session(m)
    token, _allowed = _token(m, token_id)
    try:
        m.state.db.revoke_workspace_token(m.slug, token_id, m.principal.user)
    except UsageError as exc:
        raise HTTPException(403, str(exc)) from None
    return RedirectResponse(f"/w/{m.slug}/tokens?revoked={token.id}", status_code=303)


@router.get("/w/{slug}/tokens.csv")
def read_tokens_csv(m: PageOwner) -> Response:
    """The tokens table as CSV: who holds which scope and access, and when each was last used (no secrets)."""
    from strategyfirst.appdb.render import iso
    from strategyfirst.web.downloads import csv_response, file_name

    cols = ("id", "name", "user", "scope", "access", "created_at", "last_used_at", "revoked_at")
    rows = ([t.id, t.name, t.user.email, t.workspace.slug if t.workspace else "all workspaces", t.access,
             iso(t.created_at), t.last_used_at and iso(t.last_used_at), t.revoked_at and iso(t.revoked_at)]
            for t in m.state.db.workspace_tokens(m.slug))
    return csv_response(file_name(m.slug, "tokens"), cols, rows)
