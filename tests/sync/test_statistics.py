"""A sync that changed many rows leaves the planner with fresh statistics; a small one
leaves them as they were."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.storage.statistics import CHANGED_ROWS
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item


async def work_items_analyzed(engine: AsyncEngine) -> object:
    """What the database knows of the last ANALYZE of ``work_items``."""
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            exists = await connection.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            )
            if not exists:
                return None
            rows = await connection.execute(
                text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'work_items' ORDER BY idx")
            )
            return rows.all() or None
        return await connection.scalar(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'work_items'")
        )


async def forget_statistics(engine: AsyncEngine) -> None:
    if engine.dialect.name == "sqlite":
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE sqlite_schema"))  # creates sqlite_stat1
            await connection.execute(text("DELETE FROM sqlite_stat1"))


async def test_a_large_sync_refreshes_planner_statistics(
    engine: AsyncEngine, engine_for: EngineFor
) -> None:
    await forget_statistics(engine)
    before = await work_items_analyzed(engine)

    items = [item(n) for n in range(1, CHANGED_ROWS + 1)]
    report = await engine_for(FakeConnector(SOURCE, items, batch_size=500)).sync(SOURCE)

    assert report.ok, report.error
    after = await work_items_analyzed(engine)
    assert after is not None and after != before


async def test_a_small_sync_leaves_statistics_alone(
    engine: AsyncEngine, engine_for: EngineFor
) -> None:
    await forget_statistics(engine)
    before = await work_items_analyzed(engine)

    items = [item(n) for n in range(1, 4)]
    report = await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)

    assert report.ok, report.error
    assert await work_items_analyzed(engine) == before
