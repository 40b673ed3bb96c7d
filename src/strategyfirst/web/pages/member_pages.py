"""Members of a workspace (owners only): who has which role; change a role, invite someone, take a role away.

Inviting answers the same whether or not the email has an account anywhere (issue 17.12): the invitation
is pending until its user logs in. New accounts are made with `strategyfirst users add` (their password never
passes through the web app)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb import ROLES
from strategyfirst.appdb.accounts import normalise_email
from strategyfirst.web.deps import Member, PageOwner
from strategyfirst.web.templating import render

router = APIRouter()


def _not_self(m: Member, email: str) -> None:
    if normalise_email(email) == m.email:
        raise HTTPException(422, "you cannot change your own role: ask another owner")


@router.get("/w/{slug}/members")
def list_members(request: Request, m: PageOwner, changed: str | None = None, invited: str | None = None,
                 ) -> Response:
    """The workspace's members and their roles, and the invitations not yet taken up."""
    return render(request, "members.html", {"m": m, "tab": "members", "members": m.state.db.members(m.slug),
                                            "invitations": m.state.db.invitations(m.slug), "roles": ROLES,
                                            "changed": changed, "invited": invited})


@router.post("/w/{slug}/members")
def update_member(m: PageOwner, email: Annotated[str, Form(max_length=320)],
                  role: Annotated[str, Form(max_length=10)]) -> Response:
    """Change a member's role, or invite anyone else (the same answer whether or not they have an account:
    the invitation is taken up at their next login; accounts are made with `strategyfirst users add`)."""
    _not_self(m, email)
    member = m.state.db.invite(email, role, m.slug, invited_by=m.email)
    key = "changed" if member else "invited"
    return RedirectResponse(f"/w/{m.slug}/members?{key}={quote(normalise_email(email))}", status_code=303)


@router.post("/w/{slug}/members/remove")
def delete_member(m: PageOwner, email: Annotated[str, Form(max_length=320)]) -> Response:
    """Take the user's role in this workspace away (or withdraw their invitation)."""
    _not_self(m, email)
    m.state.db.remove_member(email, m.slug)
    m.state.db.cancel_invitation(email, m.slug)
    return RedirectResponse(f"/w/{m.slug}/members?changed={normalise_email(email)}", status_code=303)
