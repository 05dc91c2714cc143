"""rebuilds of derived data that changes made pending (mentions after a sync changed items)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "pending_rebuilds",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_pending_rebuilds")),
    )
    # Owed from the start: a sync killed before this revision may have left mentions stale.
    op.bulk_insert(table, [{"name": "mentions"}])


def downgrade() -> None:
    op.drop_table("pending_rebuilds")
