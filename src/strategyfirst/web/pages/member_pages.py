"""Members of a workspace (owners only): who has which role; change a role, invite someone, take a role away.

Inviting answers the same whether or not the email has an account anywhere (issue 17.12): the invitation
is pending until its user logs in. New accounts are made with `strategyfirst users add` (their password never
passes through the web app). A workspace always keeps an owner (`appdb` refuses to demote or remove the last
one), and an owner does not change their own role here (another owner does)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst.appdb import ROLES
from strategyfirst.appdb.accounts import EMAIL_MAX, normalise_email
from strategyfirst.appdb.render import iso
from strategyfirst.errors import UsageError
from strategyfirst.web.deps import Member, PageOwner
from strategyfirst.web.downloads import csv_response, file_name
from strategyfirst.web.templating import render

router = APIRouter()
# What the forms take before checking it themselves (appdb.normalise_email): an email a little too long comes back
# in the form with the problem beside it; the body limit bounds the request.
Email = Annotated[str, Form(max_length=10 * EMAIL_MAX)]


def _not_self(m: Member, email: str) -> None:
    if normalise_email(email) == m.email:
        raise UsageError("you cannot change your own role: ask another owner")


def _page(request: Request, m: Member, status: int = 200, **extra: Any) -> Response:
    db = m.state.db
    return render(request, "members.html", {"m": m, "tab": "members", "members": db.members(m.slug),
                                            "invitations": db.invitations(m.slug), "roles": ROLES,
                                            "form": {"email": "", "role": "viewer"}, **extra}, status=status)


@router.get("/w/{slug}/members")
def list_members(request: Request, m: PageOwner, changed: str | None = None, invited: str | None = None,
                 removed: str | None = None) -> Response:
    """The workspace's members and their roles, and the invitations not yet taken up."""
    return _page(request, m, changed=changed, invited=invited, removed=removed)


@router.post("/w/{slug}/members")
def update_member(request: Request, m: PageOwner, email: Email = "", role: Annotated[str, Form(max_length=100)] = "",
                  ) -> Response:
    """Change a member's role, or invite anyone else (the same answer whether or not they have an account:
    the invitation is taken up at their next login; accounts are made with `strategyfirst users add`)."""
    try:
        _not_self(m, email)
        member = m.state.db.invite(email, role, m.slug, invited_by=m.email)
    except UsageError as exc:
        return _page(request, m, 422, error=str(exc), form={"email": email, "role": role})
    key = "changed" if member else "invited"
    return RedirectResponse(f"/w/{m.slug}/members?{key}={quote(normalise_email(email))}", status_code=303)


@router.get("/w/{slug}/members/remove")
def confirm_remove_member(request: Request, m: PageOwner, email: str) -> Response:
    """Ask before taking a role away (or withdrawing an invitation)."""
    email = normalise_email(email)
    member = next((x for x in m.state.db.members(m.slug) if x.user.email == email), None)
    invited = next((i for i in m.state.db.invitations(m.slug) if i.email == email), None)
    if member is None and invited is None:
        raise HTTPException(404, f"{email} is neither a member of nor invited to {m.slug!r}")
    return render(request, "member_remove.html", {"m": m, "tab": "members", "email": email, "member": member,
                                                  "invited": invited, "is_self": email == m.email})


@router.post("/w/{slug}/members/remove")
def delete_member(request: Request, m: PageOwner, email: Email = "") -> Response:
    """Take the user's role in this workspace away (or withdraw their invitation)."""
    try:
        _not_self(m, email)
        m.state.db.remove_member(email, m.slug)
        m.state.db.cancel_invitation(email, m.slug)
    except UsageError as exc:
        return _page(request, m, 422, error=str(exc))
    return RedirectResponse(f"/w/{m.slug}/members?removed={quote(normalise_email(email))}", status_code=303)


@router.get("/w/{slug}/members.csv")
def read_members_csv(m: PageOwner) -> Response:
    """The members and pending invitations as CSV (owners only: staff emails, as the page shows them)."""
    cols = ("email", "role", "status", "since", "invited_by")
    members = [[x.user.email, x.role, "member", iso(x.created_at), None] for x in m.state.db.members(m.slug)]
    invited = [[i.email, i.role, "invited", iso(i.created_at), i.invited_by] for i in m.state.db.invitations(m.slug)]
    return csv_response(file_name(m.slug, "members"), cols, [*members, *invited])
