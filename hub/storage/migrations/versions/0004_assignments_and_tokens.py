"""manual initiative assignments and api tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "initiative_assignments",
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("initiative_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_initiative_assignments_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_initiative_assignments")),
    )
    with op.batch_alter_table("initiative_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_assignments_initiative_id"), ["initiative_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("initiative_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_assignments_initiative_id"))

    op.drop_table("initiative_assignments")
    op.drop_table("api_tokens")
