"""Root queries on syncs: the sources, configured or stored, and their runs."""

from __future__ import annotations

from graphql import GraphQLError
from sqlalchemy import select

from hub.contract.config import HUB_SOURCE
from hub.storage import models
from schema.context import Info
from schema.runs import SyncRun
from schema.types import Source

MAX_RUNS = 100
DEFAULT_RUNS = 20


async def sources(info: Info) -> list[Source]:
    """Sources with items or runs in the database, and configured ones not synced yet."""
    async with info.context.sessions() as session:
        rows = (
            await session.scalars(
                select(models.Source)
                .where(models.Source.name != HUB_SOURCE)
                .order_by(models.Source.name)
            )
        ).all()
    found = {row.name: Source.from_row(row) for row in rows}
    for config in info.context.config.sources:
        found.setdefault(config.name, Source.from_config(config))
    return [found[name] for name in sorted(found)]


async def sync_runs(
    info: Info, source: str | None = None, first: int = DEFAULT_RUNS
) -> list[SyncRun]:
    """Newest first, of one source or of all."""
    if not 0 <= first <= MAX_RUNS:
        raise GraphQLError(f"`first` must be between 0 and {MAX_RUNS}, got {first}.")
    statement = (
        select(models.SyncRun, models.Source.name)
        .join(models.Source, models.Source.id == models.SyncRun.source_id)
        .order_by(models.SyncRun.id.desc())
        .limit(first)
    )
    if source is not None:
        statement = statement.where(models.Source.name == source)
    async with info.context.sessions() as session:
        rows = (await session.execute(statement)).all()
    return [SyncRun.from_row(row.SyncRun, row.name) for row in rows]
