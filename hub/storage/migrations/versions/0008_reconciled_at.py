"""when a source was last reconciled, in a column of its own instead of a fake cursor stream

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENSUS_STREAM = "census"
"""The cursor stream that held the time of the last reconciliation, in ISO 8601, before."""

_sources = sa.table(
    "sources",
    sa.column("id", sa.Integer()),
    sa.column("reconciled_at", sa.DateTime(timezone=True)),
)
_cursors = sa.table(
    "sync_cursors",
    sa.column("source_id", sa.Integer()),
    sa.column("stream", sa.String()),
    sa.column("value", sa.Text()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.add_column("sources", sa.Column("reconciled_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    census = bind.execute(
        sa.select(_cursors.c.source_id, _cursors.c.value).where(_cursors.c.stream == CENSUS_STREAM)
    ).all()
    for source_id, value in census:
        moment = _as_stored(datetime.fromisoformat(value), bind.dialect.name)
        bind.execute(
            _sources.update().where(_sources.c.id == source_id).values(reconciled_at=moment)
        )
    bind.execute(_cursors.delete().where(_cursors.c.stream == CENSUS_STREAM))


def downgrade() -> None:
    bind = op.get_bind()
    stamped = bind.execute(
        sa.select(_sources.c.id, _sources.c.reconciled_at).where(
            _sources.c.reconciled_at.is_not(None)
        )
    ).all()
    for source_id, stored in stamped:
        moment = stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)
        bind.execute(
            _cursors.insert().values(
                source_id=source_id,
                stream=CENSUS_STREAM,
                value=moment.isoformat(),
                updated_at=_as_stored(moment, bind.dialect.name),
            )
        )
    # Not in batch mode: on SQLite that recreates the table, and dropping the old one with
    # foreign keys on would cascade into every item of every source.
    op.drop_column("sources", "reconciled_at")


def _as_stored(moment: datetime, dialect: str) -> datetime:
    """As the hub's UTC column type writes it: SQLite keeps naive UTC, PostgreSQL the zone."""
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None) if dialect == "sqlite" else utc
