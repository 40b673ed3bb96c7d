"""The app database: plan history, decisions, users, roles, sessions and API tokens (SQLAlchemy 2 + Alembic).

SQLite at `WORKSPACE/.strategyfirst/app.sqlite` by default; any SQLAlchemy URL via `--db` or
`STRATEGYFIRST_DB`. A workspace remembers its database in `.strategyfirst/workspace.json` (see `binding`),
so the CLI and the web app share one history. One database may serve several workspaces, each query scoped
to one workspace row::

    db = open_appdb(Workspace("acme"))
    v = db.record_plan_version(db.slug, text, author="ana@acme.org", why="first draft")
    db.record_decision(db.slug, "Move the contest budget to the newsletter", tactic="summit-contest")
    db.history(db.slug)   # [PlanVersion, Decision, ...] in time order
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.lazy import exports

if TYPE_CHECKING:  # the names below are imported on first use: a module of this package (e.g. `lite`) loads
    # no SQLAlchemy unless it needs it
    from strategyfirst.appdb.accounts import NewSession, check_password, role_at_least
    from strategyfirst.appdb.base import UnknownWorkspaceError
    from strategyfirst.appdb.binding import ENV_VAR
    from strategyfirst.appdb.engine import dispose
    from strategyfirst.appdb.history import HistoryEntry
    from strategyfirst.appdb.models import (
        ROLES,
        ApiToken,
        Decision,
        DecisionChange,
        HistoryWarning,
        Invitation,
        LoginAttempt,
        Membership,
        PlanVersion,
        User,
        UserSession,
        WorkspaceRow,
    )
    from strategyfirst.appdb.opening import connect, open_appdb, open_shared, record_plan_seen
    from strategyfirst.appdb.repository import AppDB

__all__ = ["ENV_VAR", "ROLES", "ApiToken", "AppDB", "Decision", "DecisionChange", "HistoryEntry",
           "HistoryWarning", "Invitation", "LoginAttempt", "Membership", "NewSession", "PlanVersion",
           "UnknownWorkspaceError", "User",
           "UserSession", "WorkspaceRow", "check_password", "connect", "dispose", "open_appdb", "open_shared",
           "record_plan_seen", "role_at_least"]

_HOME = {"NewSession": "accounts", "check_password": "accounts", "role_at_least": "accounts",
         "UnknownWorkspaceError": "base", "ENV_VAR": "binding", "dispose": "engine", "HistoryEntry": "history",
         "connect": "opening", "open_appdb": "opening", "open_shared": "opening", "record_plan_seen": "opening",
         "AppDB": "repository", **{name: "models" for name in (
             "ROLES", "ApiToken", "Decision", "DecisionChange", "HistoryWarning", "Invitation", "LoginAttempt",
             "Membership", "PlanVersion", "User", "UserSession", "WorkspaceRow")}}


__getattr__ = exports(__name__, _HOME, globals())
