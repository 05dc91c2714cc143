from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import (
    Date,
    Integer,
    String,
    Text,
    bindparam,
    column,
    func,
    insert,
    inspect,
    select,
    table,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.contract.records import DateSource, DeclaredHealth, Level, StatusCategory
from hub.storage.database import create_engine
from hub.storage.migrate import alembic_config, upgrade
from hub.storage.models import Source, SyncCursor, WorkItem
from hub.storage.types import UTCDateTime

Sessions = async_sessionmaker[AsyncSession]
T = datetime(2026, 2, 1, tzinfo=UTC)


def work_item(item_id: str, *, source_id: int, now: datetime) -> WorkItem:
    return WorkItem(
        id=item_id,
        source_id=source_id,
        external_id=item_id.rsplit(":", 1)[-1],
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
        session.add(work_item("jira:1", source_id=1, now=now))
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


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


# Revision 0007's tables, written with the hub's type for aware datetimes.
SOURCES_0007 = table(
    "sources",
    column("id", Integer()),
    column("name", String()),
    column("kind", String()),
    column("base_url", String()),
    column("created_at", UTCDateTime()),
)
CURSORS_0007 = table(
    "sync_cursors",
    column("source_id", Integer()),
    column("stream", String()),
    column("value", Text()),
    column("updated_at", UTCDateTime()),
)
RECONCILED = datetime(2026, 3, 1, 4, 30, 15, 123456, tzinfo=UTC)


async def cursor_rows(sessions: Sessions) -> list[tuple[int, str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(SyncCursor.source_id, SyncCursor.stream, SyncCursor.value).order_by(
                SyncCursor.source_id, SyncCursor.stream
            )
        )
        return [(source_id, stream, value) for source_id, stream, value in rows]


async def test_upgrading_moves_the_census_cursor_into_the_source_row(engine, sessions) -> None:
    """Up to 0007 the last reconciliation was the cursor of a stream named "census"."""
    await downgrade(engine, "0007")
    try:
        async with engine.begin() as connection:
            for source_id, name in ((1, "jira"), (2, "gh")):
                await connection.execute(
                    insert(SOURCES_0007).values(
                        id=source_id, name=name, kind="jira", base_url="https://x", created_at=T
                    )
                )
            await connection.execute(
                insert(CURSORS_0007),
                [
                    {"source_id": source_id, "stream": stream, "value": value, "updated_at": T}
                    for source_id, stream, value in (
                        (1, "census", RECONCILED.isoformat()),
                        (1, "PAY", "2026-02-01T00:00:00Z"),
                        (2, "acme/app", "cursor-2"),
                    )
                ],
            )
    finally:
        await upgrade(engine)

    async with sessions() as session:
        reconciled = dict((await session.execute(select(Source.name, Source.reconciled_at))).all())
    assert reconciled == {"jira": RECONCILED, "gh": None}
    assert await cursor_rows(sessions) == [
        (1, "PAY", "2026-02-01T00:00:00Z"),
        (2, "acme/app", "cursor-2"),
    ]


async def test_downgrading_puts_the_census_cursor_back_and_keeps_every_item(
    engine, sessions
) -> None:
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://x", created_at=T))
        session.add(Source(id=2, name="gh", kind="github", base_url="https://x", created_at=T))
        session.add(work_item("jira:1", source_id=1, now=T))
    async with sessions() as session, session.begin():
        await session.execute(update(Source).where(Source.id == 1).values(reconciled_at=RECONCILED))

    await downgrade(engine, "0007")
    try:
        assert await cursor_rows(sessions) == [(1, "census", RECONCILED.isoformat())]
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(WorkItem)) == 1
    finally:
        await upgrade(engine)
    async with sessions() as session:
        reconciled = dict((await session.execute(select(Source.name, Source.reconciled_at))).all())
    assert reconciled == {"jira": RECONCILED, "gh": None}
    assert await cursor_rows(sessions) == []


async def test_upgrading_marks_every_stored_date_as_read_from_a_field(engine, sessions) -> None:
    """Before 0009 dates had no source; every connector read them from a field of the item."""
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://x", created_at=T))
    await downgrade(engine, "0008")
    try:
        async with engine.begin() as connection:
            for n, target in ((1, "2026-06-30"), (2, None)):
                await connection.execute(
                    text(
                        "INSERT INTO work_items (id, source_id, external_id, key, url, title, "
                        "body, level, status_name, status_category, target_date, labels, "
                        "created_at, updated_at, deleted, raw, content_hash, synced_at) VALUES "
                        f"('jira:{n}', 1, '{n}', 'PAY-{n}', 'https://x', 't', '', 'EPIC', "
                        "'To Do', 'TODO', :target, '[]', :t, :t, false, '{}', 'h', :t)"
                    ).bindparams(
                        bindparam("target", date.fromisoformat(target) if target else None, Date),
                        bindparam("t", T, UTCDateTime()),
                    )
                )
    finally:
        await upgrade(engine)

    async with sessions() as session:
        rows = await session.execute(
            select(WorkItem.id, WorkItem.start_date_source, WorkItem.target_date_source).order_by(
                WorkItem.id
            )
        )
        assert rows.all() == [("jira:1", None, DateSource.FIELD), ("jira:2", None, None)]


async def test_downgrading_0009_drops_the_plan_columns_and_keeps_every_item(
    engine, sessions
) -> None:
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://x", created_at=T))
        row = work_item("jira:1", source_id=1, now=T)
        row.declared_health, row.target_date_source = DeclaredHealth.AT_RISK, DateSource.SPRINT
        session.add(row)

    await downgrade(engine, "0008")
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("work_items")}
            )
            assert await connection.scalar(text("SELECT count(*) FROM work_items")) == 1
        assert not names & {"declared_health", "target_date_source", "start_date_field"}
    finally:
        await upgrade(engine)
    assert await _count_items(sessions) == 1


async def _count_items(sessions: Sessions) -> int:
    async with sessions() as session:
        return (await session.scalar(select(func.count()).select_from(WorkItem))) or 0
