"""an epic's milestones, as a list on the epic

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The server default gives every stored item an empty list; the store writes the rest.
    op.add_column(
        "work_items",
        sa.Column(
            "milestones",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
    )


def downgrade() -> None:
    # Not in batch mode: on SQLite that recreates the table, and dropping the old one with
    # foreign keys on would cascade into every item's components and mentions.
    op.drop_column("work_items", "milestones")
