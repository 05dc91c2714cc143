"""Planner statistics, refreshed after a sync that changed many rows.

SQLite has no statistics until ANALYZE runs, and without them its planner reads every issue
by level where the parent index would read a few hundred rows, which makes the roadmap's
rollup query many times slower. PostgreSQL's autovacuum analyzes in time, but only some
time after a large first sync; asking at once costs little.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.storage.models import Base

CHANGED_ROWS = 1000
"""Fewer changes than this leave the planner's picture of the tables as good as it was."""

SQLITE_ROWS_SAMPLED = 1000
"""SQLite's ``analysis_limit``: rows read per index, which keeps ANALYZE quick at 1M items."""


async def refresh_statistics(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            await connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ROWS_SAMPLED}")
            await connection.exec_driver_sql("ANALYZE")
        else:
            tables = ", ".join(f'"{table}"' for table in Base.metadata.tables)
            await connection.exec_driver_sql(f"ANALYZE {tables}")
