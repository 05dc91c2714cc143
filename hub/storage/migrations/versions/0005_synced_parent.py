"""the parent the last sync gave each item, kept apart from a person's assignment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("work_items", sa.Column("synced_parent_id", sa.String(length=200)))
    # Unassigned items carry their synced parent already. For assigned epics it was
    # overwritten: clearing the content hash makes their next sync write it again.
    op.execute(
        "UPDATE work_items SET synced_parent_id = parent_id "
        "WHERE id NOT IN (SELECT item_id FROM initiative_assignments)"
    )
    op.execute(
        "UPDATE work_items SET content_hash = '' "
        "WHERE id IN (SELECT item_id FROM initiative_assignments)"
    )


def downgrade() -> None:
    op.drop_column("work_items", "synced_parent_id")
