"""where each start and target date came from, and the health a team declared

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("start_date_source", lambda: sa.String(length=16)),
    ("start_date_field", lambda: sa.String(length=200)),
    ("target_date_source", lambda: sa.String(length=16)),
    ("target_date_field", lambda: sa.String(length=200)),
    ("declared_health", lambda: sa.String(length=16)),
    ("declared_health_at", lambda: sa.DateTime(timezone=True)),
    ("declared_health_by", lambda: sa.String(length=200)),
    ("declared_health_note", lambda: sa.Text()),
)


def upgrade() -> None:
    for name, column_type in COLUMNS:
        op.add_column("work_items", sa.Column(name, column_type()))
    # Every date stored so far was read from a field of its item.
    op.execute("UPDATE work_items SET start_date_source = 'FIELD' WHERE start_date IS NOT NULL")
    op.execute("UPDATE work_items SET target_date_source = 'FIELD' WHERE target_date IS NOT NULL")


def downgrade() -> None:
    # Not in batch mode: on SQLite that recreates the table, and dropping the old one with
    # foreign keys on would cascade into every item's components and mentions.
    for name, _ in reversed(COLUMNS):
        op.drop_column("work_items", name)
