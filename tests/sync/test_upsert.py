"""The driver-level bulk writes store exactly what the ORM stores, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import Level, StatusCategory, raw_json
from hub.storage.id_lists import among, plan_per_batch
from hub.storage.models import Component, Source, WorkItem
from hub.storage.upsert import upsert

PLUS_TWO = timezone(timedelta(hours=2))
T = datetime(2026, 3, 1, 12, 30, 15, tzinfo=PLUS_TWO)


def item_values(item_id: str, **changes: object) -> dict[str, object]:
    values = {
        "id": item_id,
        "source_id": 1,
        "external_id": item_id,
        "key": f"PAY-{item_id}",
        "url": "https://x/PAY",
        "title": 'ünïcödé 🙂 "quoted" back\\slash \\u0000 tab\tnew\nline',
        "body": "\u2028 and \U0001f600 and ' and {} and []",
        "level": Level.EPIC,
        "status_name": "In Progress",
        "status_category": StatusCategory.IN_PROGRESS,
        "parent_id": None,
        "start_date": date(2026, 2, 1),
        "target_date": None,
        "completed_at": T,
        "assignee_id": None,
        "labels": ["a", "b"],
        "estimate": 0.1 + 0.2,
        "created_at": T,
        "updated_at": T.replace(microsecond=0),
        "deleted": False,
        "raw": {"nested": {"x": [1, None, True]}},
        "content_hash": "h",
        "synced_at": datetime(2026, 3, 1, tzinfo=UTC),
        "seen_run": 3,
    }
    return {**values, **changes}


async def add_source(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://x", created_at=T))


async def test_an_upserted_row_is_stored_exactly_as_the_orm_stores_it(sessions) -> None:
    await add_source(sessions)
    async with sessions() as session, session.begin():
        session.add(WorkItem(**item_values("orm")))
        raw = {"nested": {"x": [1, None, True]}}
        await upsert(
            session,
            WorkItem,
            [item_values("bulk", raw=raw_json(raw))],
            key=["id"],
        )
    async with sessions() as session:
        stored = (await session.execute(text("SELECT * FROM work_items ORDER BY id"))).all()
    as_stored = [dict(row._mapping) for row in stored]
    for row in as_stored:
        row.pop("id"), row.pop("external_id"), row.pop("key")
    # Column by column, in the database's own representation (SQLite compares text dates).
    assert as_stored[0] == as_stored[1]
    async with sessions() as session:
        read = (await session.execute(select(WorkItem).order_by(WorkItem.id))).scalars().all()
    assert read[0].completed_at == T and read[0].completed_at.tzinfo == UTC
    assert (read[0].raw, read[0].labels, read[0].level) == (
        {"nested": {"x": [1, None, True]}},
        ["a", "b"],
        Level.EPIC,
    )


async def test_a_conflict_overwrites_all_columns_the_named_ones_or_none(sessions) -> None:
    async def write(rows: list[dict[str, object]], update: list[str] | None) -> None:
        async with sessions() as session, session.begin():
            await upsert(session, Component, rows, key=["name"], update=update)

    await write([{"name": "api", "owner": "a", "description": "first"}], None)
    await write([{"name": "api", "owner": "b", "description": "second"}], [])
    await write([{"name": "api", "owner": "c", "description": "third"}], ["owner"])
    await write([{"name": "web", "owner": "d", "description": "new"}], [])
    async with sessions() as session:
        rows = (await session.execute(select(Component).order_by(Component.name))).scalars()
        assert [(c.name, c.owner, c.description) for c in rows] == [
            ("api", "c", "first"),
            ("web", "d", "new"),
        ]
    await write([{"name": "api", "owner": "e", "description": "fourth"}], None)
    async with sessions() as session:
        api = await session.scalar(select(Component).where(Component.name == "api"))
        assert api is not None and (api.owner, api.description) == ("e", "fourth")


async def test_among_matches_exactly_the_listed_ids_in_any_number(sessions) -> None:
    await add_source(sessions)
    async with sessions() as session, session.begin():
        await upsert(session, WorkItem, [item_values(str(n)) for n in range(3000)], key=["id"])
    for wanted in (
        [],
        ["7"],
        ["7", "2999", "missing", 'it\'s "quoted"'],
        [str(n) for n in range(2500)],
    ):
        async with sessions() as session, session.begin():
            connection = await session.connection()
            await plan_per_batch(connection)
            dialect = connection.dialect.name
            found = await session.scalars(
                select(WorkItem.id).where(among(dialect, WorkItem.id, wanted))
            )
            assert sorted(found) == sorted(w for w in wanted if w.isdigit())
