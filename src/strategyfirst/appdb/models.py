"""The app database's tables as typed SQLAlchemy 2 models (the migrations in `migrations/` create them).

Every row that belongs to a workspace carries `workspace_id`, and every query in `repository` filters on it:
one app database may serve several workspaces (an agency's clients) without one seeing another's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from strategyfirst.errors import HistoryWarning as HistoryWarning  # re-exported (moved to errors)

ROLES: tuple[str, ...] = ("viewer", "editor", "owner")
"""Workspace roles, weakest first: owner (everything, members), editor (plan, imports, decisions), viewer."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone: it stores naive UTC, re-tagged on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the app database; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class WorkspaceRow(Base):
    """A workspace folder known to this database; `slug` is its identity (also kept in its workspace.json)."""

    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # may create workspaces from the web and all-workspaces tokens; not a role in any workspace (revision 0003)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "workspace_id", name="uq_memberships_user_workspace"),
        CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")
    workspace: Mapped[WorkspaceRow] = relationship(lazy="joined")


class UserSession(Base):
    """A server-side browser session: only the sha256 of the cookie value is stored."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


ACCESS: tuple[str, ...] = ("read", "write")
"""What a token may do: `read` (GET only, as a viewer at most) or `write` (its user's role)."""


class ApiToken(Base):
    """A script's bearer token: only its sha256 is stored; the plaintext is shown once at creation.

    Scoped to one workspace (`workspace_id`) or to all of its user's (NULL), and to `read` or `write`."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("access IN ('read', 'write')", name="access"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                                     nullable=True)
    access: Mapped[str] = mapped_column(String(5), server_default="write")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    user: Mapped[User] = relationship(lazy="joined")
    workspace: Mapped[WorkspaceRow | None] = relationship(lazy="joined")

    @property
    def scope(self) -> str:
        """`acme, read`, `all workspaces, write`: what `tokens list` shows."""
        return f"{self.workspace.slug if self.workspace else 'all workspaces'}, {self.access}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"),
                      Index("ix_login_attempts_ip_at", "ip", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanVersion(Base):
    """One plan text a workspace had, in order: `number` counts 1, 2, 3... within the workspace; a text
    stored again (a revert) is a new version whose `why` names the version it reverts to."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number", name="uq_plan_versions_workspace_number"),
        # not unique: a revert stores an earlier text again, as a new version saying so (migration 0004)
        Index("ix_plan_versions_workspace_sha256", "workspace_id", "sha256"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when this text was last seen as the plan (while it stays the plan; a revert to it is a new version)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[str | None] = mapped_column(String(320), nullable=True)
    why: Mapped[str | None] = mapped_column(Text, nullable=True)


class Decision(Base):
    """A decision taken on the plan, with the plan version current at the time and the verdicts behind it."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("workspace_id", "number", name="uq_decisions_workspace_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(String(100), nullable=True)
    tactic: Mapped[str | None] = mapped_column(String(100), nullable=True)
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL"), nullable=True
    )
    evidence: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    author: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    plan_version: Mapped[PlanVersion | None] = relationship(lazy="joined")
    changes: Mapped[list[DecisionChange]] = relationship(lazy="selectin", order_by="DecisionChange.id")

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class DecisionChange(Base):
    """One correction or withdrawal of a decision: who, when, and its fields before and after."""

    __tablename__ = "decision_changes"
    __table_args__ = (CheckConstraint("action IN ('edit', 'withdraw')", name="action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    author: Mapped[str | None] = mapped_column(String(320), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    why: Mapped[str | None] = mapped_column(Text, nullable=True)
    before: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    after: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)


class Invitation(Base):
    """An owner's offer of a role in a workspace to an email; the user joins by accepting it."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email", name="uq_invitations_workspace_email"),
        CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(10))
    invited_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    workspace: Mapped[WorkspaceRow] = relationship(lazy="joined")
