"""Dialect-aware bulk ``INSERT ... ON CONFLICT`` for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hub.storage.models import Base


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


async def upsert(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """Insert ``rows`` in one statement; on a ``key`` conflict overwrite ``update`` columns.

    ``update=None`` overwrites every column but the key; an empty ``update`` keeps the old row.
    """
    if not rows:
        return
    statement = _insert(session, cast(Table, model.__table__))
    columns = [c for c in rows[0] if c not in key] if update is None else list(update)
    if columns:
        statement = statement.on_conflict_do_update(
            index_elements=list(key),
            set_={column: statement.excluded[column] for column in columns},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    await (await session.connection()).execute(statement, list(rows))
