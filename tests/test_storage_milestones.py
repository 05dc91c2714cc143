"""Revision 0010: the milestones column, empty for every item stored before it."""

from __future__ import annotations

from sqlalchemy import bindparam, inspect, select, text

from hub.storage.migrate import upgrade
from hub.storage.models import Source, WorkItem
from hub.storage.types import UTCDateTime
from tests.test_storage import T, downgrade


async def test_upgrading_gives_every_stored_item_no_milestones(engine, sessions) -> None:
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="lin", kind="linear", base_url="https://x", created_at=T))
    await downgrade(engine, "0009")
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO work_items (id, source_id, external_id, key, url, title, body, "
                    "level, status_name, status_category, labels, created_at, updated_at, "
                    "deleted, raw, content_hash, synced_at) VALUES ('lin:1', 1, '1', 'P-1', "
                    "'https://x', 't', '', 'EPIC', 'Started', 'IN_PROGRESS', '[]', :t, :t, "
                    "false, '{}', 'h', :t)"
                ).bindparams(bindparam("t", T, UTCDateTime()))
            )
    finally:
        await upgrade(engine)

    async with sessions() as session:
        assert (await session.execute(select(WorkItem.milestones))).scalars().all() == [[]]


async def test_downgrading_0010_drops_only_the_milestones_column(engine, sessions) -> None:
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="lin", kind="linear", base_url="https://x", created_at=T))
    await downgrade(engine, "0009")
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("work_items")}
            )
        assert "milestones" not in names and "declared_health" in names
    finally:
        await upgrade(engine)
