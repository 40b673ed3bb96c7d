"""GET /api/v1/workspaces: the workspaces the caller may see, with their role in each."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from strategyfirst.web import services
from strategyfirst.web.deps import ApiCaller, State
from strategyfirst.web.schemas import WorkspaceItem, documented

router = APIRouter(prefix="/api/v1", tags=["workspaces"])


def visible_workspaces(state: State, user_id: int) -> list[dict[str, Any]]:
    """`[{"slug", "organisation", "role"}]` for the served workspaces the user is a member of."""
    out = []
    for m in state.remember(("memberships", user_id), lambda: state.db.memberships(user_id)):
        ws = state.workspace(m.workspace.slug)
        if ws is not None:
            out.append({"slug": m.workspace.slug, "organisation": services.organisation(ws), "role": m.role})
    return out


@router.get("/workspaces", **documented(list[WorkspaceItem]))
def list_workspaces(caller: ApiCaller, state: State) -> list[dict[str, Any]]:
    """The workspaces the caller may see: `[{"slug", "organisation", "role", "scope"}]`: the user's role (a
    token acts with its user's roles, web.md) and what the caller may do with it (`read` for a read token)."""
    seen = [w for w in visible_workspaces(state, caller.user.id) if caller.reaches(w["slug"])]
    scope = "read" if caller.read_only else "write"
    return [{**w, "scope": scope} for w in seen]
