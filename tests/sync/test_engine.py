from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from connectors.base import Skipped
from hub.contract.config import SourceConfig
from hub.contract.records import Provenance, StatusCategory
from hub.storage.models import Component, Dependency, ItemComponent, SyncCursor, SyncRun, WorkItem
from hub.sync import SyncEngine
from tests.sync.fakes import FakeConnector, item

SOURCE = SourceConfig(
    name="jira",
    kind="jira",
    base_url="https://jira.example",
    projects=("PAY",),
    token_env="JIRA_TOKEN",
    email_env="JIRA_EMAIL",
).model_copy(update={"token": SecretStr("secret-token"), "email": SecretStr("a@b.c")})


def engine_for(sessions, connector: FakeConnector) -> SyncEngine:
    return SyncEngine(sessions, connector_factory=lambda source, transport=None: connector)


async def table(sessions, model) -> list:
    async with sessions() as session:
        return list((await session.execute(select(model))).scalars())


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_a_sync_stores_items_components_and_dependencies(sessions) -> None:
    items = [
        item(1, components=("payments-api",), blocks=("2",)),
        item(2, blocked_by=("1",), components=("payments-api", "identity")),
        item(3, parent_external_id="1"),
    ]
    report = await engine_for(sessions, FakeConnector(SOURCE, items)).sync(SOURCE)

    assert report.ok, report.error
    assert (report.counts.fetched, report.counts.created, report.batches) == (3, 3, 2)
    stored = {i.key: i for i in await table(sessions, WorkItem)}
    assert stored["PAY-3"].parent_id == "jira:1"
    deps = await table(sessions, Dependency)
    assert [(d.blocker_id, d.blocked_id, d.provenance) for d in deps] == [
        ("jira:1", "jira:2", Provenance.TRACKER)
    ]
    assert {c.name for c in await table(sessions, Component)} == {"payments-api", "identity"}
    assert await count(sessions, ItemComponent) == 3


async def test_a_second_sync_with_nothing_changed_writes_nothing(
    sessions, count_statements
) -> None:
    items = [item(n) for n in range(1, 6)]
    await engine_for(sessions, FakeConnector(SOURCE, items)).sync(SOURCE)
    before = {i.id: i.synced_at for i in await table(sessions, WorkItem)}

    connector = FakeConnector(SOURCE, items)
    with count_statements() as counter:
        report = await engine_for(sessions, connector).sync(SOURCE)

    assert connector.cursors_seen == ["5"]
    assert (report.counts.created, report.counts.updated, report.counts.unchanged) == (0, 0, 1)
    assert {i.id: i.synced_at for i in await table(sessions, WorkItem)} == before
    assert not any(
        s.lstrip().upper().startswith("INSERT INTO WORK_ITEMS") for s in counter.statements
    )


async def test_changes_update_rows_and_replace_tracker_links(sessions) -> None:
    await engine_for(
        sessions, FakeConnector(SOURCE, [item(1, blocks=("2",), components=("search",)), item(2)])
    ).sync(SOURCE)
    changed = item(
        1, title="Renamed", status_category=StatusCategory.DONE, updated_at=item(9).updated_at
    )
    report = await engine_for(sessions, FakeConnector(SOURCE, [changed, item(2)])).sync(SOURCE)

    assert (report.counts.updated, report.counts.created) == (1, 0)
    stored = {i.key: i for i in await table(sessions, WorkItem)}
    assert stored["PAY-1"].title == "Renamed"
    assert await count(sessions, Dependency) == 0
    assert await count(sessions, ItemComponent) == 0
    assert await count(sessions, WorkItem) == 2


async def test_manual_dependencies_survive_a_resync(sessions) -> None:
    await engine_for(sessions, FakeConnector(SOURCE, [item(1), item(2)])).sync(SOURCE)
    async with sessions() as session, session.begin():
        session.add(
            Dependency(
                blocker_id="jira:2",
                blocked_id="jira:1",
                provenance=Provenance.MANUAL,
                created_at=item(1).created_at,
            )
        )
    await engine_for(
        sessions, FakeConnector(SOURCE, [item(1, title="x"), item(2, title="y")])
    ).sync(SOURCE, full=True)
    assert [(d.blocker_id, d.provenance) for d in await table(sessions, Dependency)] == [
        ("jira:2", Provenance.MANUAL)
    ]


async def test_a_failing_sync_keeps_stored_data_and_records_the_error(sessions) -> None:
    items = [item(n) for n in range(1, 5)]
    await engine_for(sessions, FakeConnector(SOURCE, items)).sync(SOURCE)
    before = [(i.id, i.title, i.content_hash) for i in await table(sessions, WorkItem)]

    broken = FakeConnector(
        SOURCE, [replace(i, title="changed") for i in items], fail_after_batches=0
    )
    report = await engine_for(sessions, broken).sync(SOURCE, full=True)

    assert report.status == "failed" and "401" in (report.error or "")
    assert broken.closed
    assert [(i.id, i.title, i.content_hash) for i in await table(sessions, WorkItem)] == before
    runs = await table(sessions, SyncRun)
    assert [r.status for r in sorted(runs, key=lambda r: r.id)] == ["succeeded", "failed"]
    assert "secret-token" not in (runs[-1].error or "")


async def test_a_sync_stopped_midway_resumes_from_the_last_stored_page(sessions) -> None:
    items = [item(n) for n in range(1, 8)]
    first = FakeConnector(SOURCE, items, fail_after_batches=2)
    report = await engine_for(sessions, first).sync(SOURCE)
    assert report.status == "failed"
    assert await count(sessions, WorkItem) == 4
    async with sessions() as session:
        assert await session.scalar(select(SyncCursor.value)) == "4"

    second = FakeConnector(SOURCE, items)
    report = await engine_for(sessions, second).sync(SOURCE)
    assert report.ok
    assert second.cursors_seen == ["4"]
    assert await count(sessions, WorkItem) == 7
    assert (report.counts.created, report.counts.unchanged) == (3, 1)


async def test_skipped_items_are_reported_on_the_run(sessions) -> None:
    connector = FakeConnector(
        SOURCE, [item(1)], skipped=[Skipped("PAY-9", "unknown status category 'x'")]
    )
    report = await engine_for(sessions, connector).sync(SOURCE)
    assert report.ok
    (run,) = await table(sessions, SyncRun)
    assert run.skipped == 1 and "PAY-9" in (run.error or "")


async def test_duplicate_items_in_one_batch_are_stored_once(sessions) -> None:
    connector = FakeConnector(SOURCE, [item(1), item(1, title="newer")], batch_size=5)
    report = await engine_for(sessions, connector).sync(SOURCE)
    assert report.ok
    assert [i.title for i in await table(sessions, WorkItem)] == ["newer"]


@pytest.mark.parametrize("bad", [item(1, blocks=("1",))])
async def test_self_dependencies_are_not_stored(sessions, bad) -> None:
    await engine_for(sessions, FakeConnector(SOURCE, [bad])).sync(SOURCE)
    assert await count(sessions, Dependency) == 0
