from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import InvalidRequestError

from hub.contract.records import Level, StatusCategory
from hub.storage.database import create_engine
from hub.storage.models import Source, WorkItem


async def test_datetimes_come_back_aware_in_utc(sessions) -> None:
    plus_two = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    async with sessions() as session, session.begin():
        session.add(
            Source(id=1, name="jira", kind="jira", base_url="https://x", created_at=plus_two)
        )
    async with sessions() as session:
        stored = await session.scalar(select(Source.created_at))
    assert stored == plus_two
    assert stored.tzinfo == UTC


async def test_relationships_refuse_lazy_loading(sessions) -> None:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://x", created_at=now))
        session.add(
            WorkItem(
                id="jira:1",
                source_id=1,
                external_id="1",
                key="PAY-1",
                url="https://x/PAY-1",
                title="t",
                level=Level.ISSUE,
                status_name="To Do",
                status_category=StatusCategory.TODO,
                created_at=now,
                updated_at=now,
                raw={},
                content_hash="h",
                synced_at=now,
                labels=[],
            )
        )
    async with sessions() as session:
        item = await session.scalar(select(WorkItem))
        assert item is not None
        with pytest.raises(InvalidRequestError):
            _ = item.source


async def test_connections_come_configured_for_the_hub(database_url) -> None:
    """SQLite: WAL and foreign keys. PostgreSQL: no JIT, whose compile time dwarfs the
    hub's short queries when the planner overestimates a recursive walk."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                settings = (
                    await connection.scalar(text("PRAGMA journal_mode")),
                    await connection.scalar(text("PRAGMA foreign_keys")),
                )
                assert settings == ("wal", 1)
            else:
                assert await connection.scalar(text("SHOW jit")) == "off"
    finally:
        await engine.dispose()


async def test_raw_payloads_are_compressed_with_lz4_where_the_server_offers_it(engine) -> None:
    """PostgreSQL only: SQLite stores the payload as it is."""
    async with engine.connect() as connection:
        if engine.dialect.name != "postgresql":
            return
        offered = await connection.scalar(
            text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'"
            )
        )
        method = await connection.scalar(
            text(
                "SELECT attcompression::text FROM pg_attribute "
                "WHERE attrelid = 'work_items'::regclass AND attname = 'raw'"
            )
        )
    assert method == ("l" if offered else "")
