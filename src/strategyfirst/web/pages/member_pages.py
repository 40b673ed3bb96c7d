"""Members of a workspace (owners only): who has which role; give an existing user a role, or take it away.

New accounts are made with `strategyfirst users add` (their password never passes through the web app)."""

from __future__ import annotations

from typing import Annotated

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
def list_members(request: Request, m: PageOwner, changed: str | None = None) -> Response:
    """The workspace's members and their roles."""
    return render(request, "members.html", {"m": m, "tab": "members", "members": m.state.db.members(m.slug),
                                            "roles": ROLES, "changed": changed})


@router.post("/w/{slug}/members")
def update_member(m: PageOwner, email: Annotated[str, Form(max_length=320)],
                  role: Annotated[str, Form(max_length=10)]) -> Response:
    """Give an existing user `role` here (new users are added with `strategyfirst users add`)."""
    _not_self(m, email)
    if m.state.db.get_user(email) is None:
        raise HTTPException(422, f"no user {email}: create the account with `strategyfirst users add {email} "
                                 f"--role {role} --workspace DIR` (the password is read there, never here)")
    m.state.db.add_user(email, None, role, m.slug)
    return RedirectResponse(f"/w/{m.slug}/members?changed={normalise_email(email)}", status_code=303)


@router.post("/w/{slug}/members/remove")
def delete_member(m: PageOwner, email: Annotated[str, Form(max_length=320)]) -> Response:
    """Take the user's role in this workspace away."""
    _not_self(m, email)
    m.state.db.remove_member(email, m.slug)
    return RedirectResponse(f"/w/{m.slug}/members?changed={normalise_email(email)}", status_code=303)
