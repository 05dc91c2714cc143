"""cross-tool mentions and mapping fingerprints

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_links",
        sa.Column("from_id", sa.String(length=200), nullable=False),
        sa.Column("to_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("from_id", "to_id", name=op.f("pk_item_links")),
    )
    with op.batch_alter_table("item_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_links_to_id"), ["to_id"], unique=False)

    op.create_table(
        "item_mentions",
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_item_mentions_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_item_mentions_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "key", name=op.f("pk_item_mentions")),
    )
    with op.batch_alter_table("item_mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_mentions_key"), ["key"], unique=False)

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mapping_fingerprint", sa.String(length=32), nullable=True))

    # Mentions name keys in any case; resolving them looks items up by lower-cased key.
    op.create_index("ix_work_items_lower_key", "work_items", [sa.text("lower(key)")])


def downgrade() -> None:
    op.drop_index("ix_work_items_lower_key", table_name="work_items")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("mapping_fingerprint")

    with op.batch_alter_table("item_mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_mentions_key"))

    op.drop_table("item_mentions")
    with op.batch_alter_table("item_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_links_to_id"))

    op.drop_table("item_links")
