"""Admins: users who may create workspaces from the web (issue 18.11). Set with `strategyfirst users admin`.

Nobody is an admin after this revision: the operator names them, as with every other account.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# A plain ADD COLUMN, never a batch copy of `users` on SQLite: dropping the old table would cascade to its
# memberships, sessions and tokens (the foreign keys are enforced), wiping them all.
def upgrade() -> None:
    op.add_column("users", sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("users", "is_admin")
