from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from connectors.base import Skipped
from hub.contract.records import Provenance, RunStatus, StatusCategory
from hub.storage.models import Component, Dependency, ItemComponent, SyncCursor, SyncRun, WorkItem
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item


async def test_a_sync_stores_items_components_and_dependencies(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [
        item(1, components=("payments-api",), blocks=("2",)),
        item(2, blocked_by=("1",), components=("payments-api", "identity")),
        item(3, parent_external_id="1"),
    ]
    report = await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)

    assert report.ok, report.error
    assert (report.counts.fetched, report.counts.created, report.batches) == (3, 3, 2)
    by_key = {i.key: i for i in await stored.all(WorkItem)}
    assert by_key["PAY-3"].parent_id == "jira:1"
    deps = await stored.all(Dependency)
    assert [(d.blocker_id, d.blocked_id, d.provenance) for d in deps] == [
        ("jira:1", "jira:2", Provenance.TRACKER)
    ]
    assert {c.name for c in await stored.all(Component)} == {"payments-api", "identity"}
    assert await stored.count(ItemComponent) == 3


async def test_a_second_sync_with_nothing_changed_writes_nothing(
    engine_for: EngineFor, stored: StoredRows, count_statements
) -> None:
    items = [item(n) for n in range(1, 6)]
    await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)
    before = {i.id: i.synced_at for i in await stored.all(WorkItem)}

    connector = FakeConnector(SOURCE, items)
    with count_statements() as counter:
        report = await engine_for(connector).sync(SOURCE)

    assert connector.cursors_seen == ["5"]
    assert (report.counts.created, report.counts.updated, report.counts.unchanged) == (0, 0, 1)
    assert {i.id: i.synced_at for i in await stored.all(WorkItem)} == before
    assert not any(
        s.lstrip().upper().startswith("INSERT INTO WORK_ITEMS") for s in counter.statements
    )


async def test_changes_update_rows_and_replace_tracker_links(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    first = [item(1, blocks=("2",), components=("search",)), item(2)]
    await engine_for(FakeConnector(SOURCE, first)).sync(SOURCE)
    changed = item(
        1, title="Renamed", status_category=StatusCategory.DONE, updated_at=item(9).updated_at
    )
    report = await engine_for(FakeConnector(SOURCE, [changed, item(2)])).sync(SOURCE)

    assert (report.counts.updated, report.counts.created) == (1, 0)
    by_key = {i.key: i for i in await stored.all(WorkItem)}
    assert by_key["PAY-1"].title == "Renamed"
    assert await stored.count(Dependency) == 0
    assert await stored.count(ItemComponent) == 0
    assert await stored.count(WorkItem) == 2


async def test_manual_dependencies_survive_a_resync(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    await engine_for(FakeConnector(SOURCE, [item(1), item(2)])).sync(SOURCE)
    async with sessions() as session, session.begin():
        session.add(
            Dependency(
                blocker_id="jira:2",
                blocked_id="jira:1",
                provenance=Provenance.MANUAL,
                created_at=item(1).created_at,
            )
        )
    renamed = [item(1, title="x"), item(2, title="y")]
    await engine_for(FakeConnector(SOURCE, renamed)).sync(SOURCE, full=True)
    assert [(d.blocker_id, d.provenance) for d in await stored.all(Dependency)] == [
        ("jira:2", Provenance.MANUAL)
    ]


async def test_a_failing_sync_keeps_stored_data_and_records_the_error(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [item(n) for n in range(1, 5)]
    await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)
    before = [(i.id, i.title, i.content_hash) for i in await stored.all(WorkItem)]

    broken = FakeConnector(
        SOURCE, [replace(i, title="changed") for i in items], fail_after_batches=0
    )
    report = await engine_for(broken).sync(SOURCE, full=True)

    assert report.status == "failed" and "401" in (report.error or "")
    assert broken.closed
    assert [(i.id, i.title, i.content_hash) for i in await stored.all(WorkItem)] == before
    runs = await stored.all(SyncRun)
    assert [r.status for r in sorted(runs, key=lambda r: r.id)] == ["succeeded", "failed"]
    assert "secret-token" not in (runs[-1].error or "")


async def test_a_sync_stopped_midway_resumes_after_the_last_batch_it_read(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [item(n) for n in range(1, 8)]
    first = FakeConnector(SOURCE, items, fail_after_batches=2)
    report = await engine_for(first).sync(SOURCE)
    assert report.status == "failed"
    assert await stored.count(WorkItem) == 4
    assert await stored.scalar(select(SyncCursor.value)) == "4"

    second = FakeConnector(SOURCE, items)
    report = await engine_for(second).sync(SOURCE)
    assert report.ok
    assert second.cursors_seen == ["4"]
    assert await stored.count(WorkItem) == 7
    assert (report.counts.created, report.counts.unchanged) == (3, 1)


async def test_skipped_items_are_reported_on_the_run(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    connector = FakeConnector(
        SOURCE, [item(1)], skipped=[Skipped("PAY-9", "unknown status category 'x'")]
    )
    report = await engine_for(connector).sync(SOURCE)
    assert report.ok
    (run,) = await stored.all(SyncRun)
    assert run.skipped == 1 and "PAY-9" in (run.error or "")


async def test_duplicate_items_in_one_batch_are_stored_once(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    connector = FakeConnector(SOURCE, [item(1), item(1, title="newer")], batch_size=5)
    report = await engine_for(connector).sync(SOURCE)
    assert report.ok
    assert [i.title for i in await stored.all(WorkItem)] == ["newer"]


async def test_an_item_blocking_itself_is_stored_without_that_dependency(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    """The item, its other links, the cursor and the run are kept; only the loop goes."""
    looped = item(1, blocks=("1", "2"), blocked_by=("1",))
    report = await engine_for(FakeConnector(SOURCE, [looped, item(2)])).sync(SOURCE)

    assert report.ok, report.error
    assert sorted((i.id, i.title) for i in await stored.all(WorkItem)) == [
        ("jira:1", "Item 1"),
        ("jira:2", "Item 2"),
    ]
    deps = await stored.rows(select(Dependency.blocker_id, Dependency.blocked_id))
    assert [tuple(d) for d in deps] == [("jira:1", "jira:2")]
    assert await stored.scalar(select(SyncCursor.value)) == "2"
    (run,) = await stored.all(SyncRun)
    assert (run.status, run.created, run.skipped, run.error) == (RunStatus.SUCCEEDED, 2, 0, None)
