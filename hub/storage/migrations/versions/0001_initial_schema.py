"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
        sa.UniqueConstraint("name", name=op.f("uq_components_name")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("base_url", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "dependencies",
        sa.Column("blocker_id", sa.String(length=200), nullable=False),
        sa.Column("blocked_id", sa.String(length=200), nullable=False),
        sa.Column(
            "provenance",
            sa.Enum(
                "TRACKER", "MENTION", "MANUAL", name="provenance", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_dependencies_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "blocker_id", "blocked_id", "provenance", name=op.f("pk_dependencies")
        ),
    )
    with op.batch_alter_table("dependencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dependencies_blocked_id"), ["blocked_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dependencies_source_id"), ["source_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_people_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_sync_cursors_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "stream", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_sync_runs_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_runs_source_id"), ["source_id"], unique=False)

    op.create_table(
        "work_items",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("INITIATIVE", "EPIC", "ISSUE", name="level", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("status_name", sa.String(length=128), nullable=False),
        sa.Column(
            "status_category",
            sa.Enum(
                "TODO",
                "IN_PROGRESS",
                "DONE",
                "CANCELED",
                name="statuscategory",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.String(length=200), nullable=True),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_work_items_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
    )
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_items_key"), ["key"], unique=False)
        batch_op.create_index("ix_work_items_level_key", ["level", "key"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_items_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            "ix_work_items_source_external", ["source_id", "external_id"], unique=True
        )

    op.create_table(
        "item_components",
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["components.id"],
            name=op.f("fk_item_components_component_id_components"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_item_components_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "component_id", name=op.f("pk_item_components")),
    )
    with op.batch_alter_table("item_components", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_components_component_id"), ["component_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("item_components", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_components_component_id"))

    op.drop_table("item_components")
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_source_external")
        batch_op.drop_index(batch_op.f("ix_work_items_parent_id"))
        batch_op.drop_index("ix_work_items_level_key")
        batch_op.drop_index(batch_op.f("ix_work_items_key"))

    op.drop_table("work_items")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_source_id"))

    op.drop_table("sync_runs")
    op.drop_table("sync_cursors")
    op.drop_table("people")
    with op.batch_alter_table("dependencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dependencies_source_id"))
        batch_op.drop_index(batch_op.f("ix_dependencies_blocked_id"))

    op.drop_table("dependencies")
    op.drop_table("sources")
    op.drop_table("components")
