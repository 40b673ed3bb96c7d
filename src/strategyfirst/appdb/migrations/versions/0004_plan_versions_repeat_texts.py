"""A plan text may be stored again as a new version: going back to an earlier text (a revert) is a change of
the plan like any other, kept as its own version that says which version it reverts to. The unique constraint
on (workspace, sha256) becomes a plain index (the lookup of a text stays fast).

On SQLite the constraint goes with a batch copy of `plan_versions`; dropping the old table there sets the
decisions' links to it to NULL (ON DELETE SET NULL, the foreign keys are enforced), so they are read before
and written back after (the copy keeps every id).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _links() -> list[tuple[int, int]]:
    rows = op.get_bind().execute(sa.text("SELECT id, plan_version_id FROM decisions "
                                         "WHERE plan_version_id IS NOT NULL")).fetchall()
    return [(int(r[0]), int(r[1])) for r in rows]


def _relink(links: list[tuple[int, int]]) -> None:
    bind = op.get_bind()
    for decision, version in links:
        bind.execute(sa.text("UPDATE decisions SET plan_version_id = :v WHERE id = :d"),
                     {"v": version, "d": decision})


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    links = _links() if sqlite else []
    with op.batch_alter_table("plan_versions") as batch:
        batch.drop_constraint("uq_plan_versions_workspace_sha256", type_="unique")
    op.create_index("ix_plan_versions_workspace_sha256", "plan_versions", ["workspace_id", "sha256"])
    _relink(links)


def downgrade() -> None:
    # fails while a text is stored twice (a revert made after the upgrade): remove those versions first
    sqlite = op.get_bind().dialect.name == "sqlite"
    links = _links() if sqlite else []
    op.drop_index("ix_plan_versions_workspace_sha256", table_name="plan_versions")
    with op.batch_alter_table("plan_versions") as batch:
        batch.create_unique_constraint("uq_plan_versions_workspace_sha256", ["workspace_id", "sha256"])
    _relink(links)
