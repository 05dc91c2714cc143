"""raw payloads compressed with LZ4 on PostgreSQL servers built with it

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Raw payloads are TOASTed, and pglz, PostgreSQL's default, costs the server more CPU on a
# full sync than LZ4 (docs/benchmarks.md). LZ4 exists from
# PostgreSQL 14 on, where the server was built with it: ``default_toast_compression`` then
# offers it. Only new values are compressed with it; stored ones stay readable as they are.
_WHERE_LZ4 = """
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_settings
        WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)
    ) THEN
        ALTER TABLE work_items ALTER COLUMN raw SET COMPRESSION {method};
    END IF;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_WHERE_LZ4.format(method="lz4"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_WHERE_LZ4.format(method="DEFAULT"))
