"""Items deleted upstream are tombstoned within one reconciliation, per tracker, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hub.storage.models import WorkItem
from hub.sync import SyncEngine
from tests.test_faults_end_to_end import tracker

START = datetime(2026, 11, 1, tzinfo=UTC)


def engine_at(sessions, moment: datetime) -> SyncEngine:
    return SyncEngine(sessions, clock=lambda: moment)


async def deleted_keys(sessions) -> set[str]:
    async with sessions() as session:
        rows = await session.execute(select(WorkItem.key).where(WorkItem.deleted.is_(True)))
        return {key for (key,) in rows}


async def test_jira_deletions_are_found_by_an_id_census(sessions) -> None:
    with tracker("jira", None) as (world, source):
        await engine_at(sessions, START).sync(source)
        gone = next(iter(world.jira))
        world.jira.delete(gone.key)
        quiet = await engine_at(sessions, START + timedelta(hours=1)).sync(source)
        assert quiet.deleted == 0 and await deleted_keys(sessions) == set()
        report = await engine_at(sessions, START + timedelta(days=2)).sync(source)
    assert report.ok and not report.full and report.deleted >= 1
    assert gone.key in await deleted_keys(sessions)


async def test_github_deletions_are_found_by_a_full_listing(sessions) -> None:
    with tracker("github", None) as (world, source):
        await engine_at(sessions, START).sync(source)
        gone = next(row for row in world.github if not row.is_pull)
        key = world.github.key(gone)
        world.github.delete(key)
        report = await engine_at(sessions, START + timedelta(days=2)).sync(source)
    assert report.ok and report.full and report.deleted == 1
    assert await deleted_keys(sessions) == {key}


async def test_linear_trashed_items_are_deleted_by_an_incremental_sync(sessions) -> None:
    with tracker("linear", None) as (world, source):
        await engine_at(sessions, START).sync(source)
        gone = next(i for i in world.linear.issues.values() if not i.trashed)
        world.linear.trash(gone.id)
        report = await engine_at(sessions, START + timedelta(hours=1)).sync(source)
    assert report.ok and not report.full and report.counts.updated >= 1
    assert gone.identifier in await deleted_keys(sessions)
