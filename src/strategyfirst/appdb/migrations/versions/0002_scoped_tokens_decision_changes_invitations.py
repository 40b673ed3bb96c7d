"""Scoped API tokens (one workspace or all, read or write), decision corrections and withdrawals kept as
history, and workspace invitations (issue 17.9, 17.11, 17.12).

Tokens made before this revision keep what they could do (all of their user's workspaces, write): scripts
keep working, and `tokens list` now shows that scope so an owner can revoke and re-issue narrower ones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("access", sa.String(5), server_default="write", nullable=False))
        batch.create_foreign_key(op.f("fk_api_tokens_workspace_id_workspaces"), "workspaces", ["workspace_id"],
                                 ["id"], ondelete="CASCADE")
        batch.create_check_constraint(op.f("ck_api_tokens_access"), "access IN ('read', 'write')")
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "decision_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("author", sa.String(320), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.CheckConstraint("action IN ('edit', 'withdraw')", name=op.f("ck_decision_changes_action")),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"],
                                name=op.f("fk_decision_changes_decision_id_decisions"), ondelete="CASCADE"),
    )
    op.create_index(op.f("ix_decision_changes_decision_id"), "decision_changes", ["decision_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("invited_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'editor', 'viewer')", name=op.f("ck_invitations_role")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name=op.f("fk_invitations_workspace_id_workspaces"), ondelete="CASCADE"),
        sa.UniqueConstraint("workspace_id", "email", name="uq_invitations_workspace_email"),
    )
    op.create_index(op.f("ix_invitations_email"), "invitations", ["email"])


def downgrade() -> None:
    op.drop_table("invitations")
    op.drop_table("decision_changes")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("withdrawn_at")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_access"), type_="check")
        batch.drop_constraint(op.f("fk_api_tokens_workspace_id_workspaces"), type_="foreignkey")
        batch.drop_column("access")
        batch.drop_column("workspace_id")
