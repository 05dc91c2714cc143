"""Where each date came from and the health a team declared are stored with the item."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hub.contract.config import InitiativeConfig
from hub.contract.records import DateSource, DeclaredHealth, HealthUpdate
from hub.storage.models import WorkItem
from hub.sync.native import store_hub_config
from hub.sync.rules import HubRules
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, T0, EngineFor, FakeConnector, item

SAID = HealthUpdate(DeclaredHealth.AT_RISK, at=T0, by="ada", note="Vendor API is late.")


async def test_date_sources_field_names_and_declared_health_are_stored(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    record = item(
        1,
        start_date=date(2026, 4, 1),
        start_date_source=DateSource.ITERATION,
        start_date_field="Iteration",
        target_date=date(2026, 6, 30),
        target_date_source=DateSource.PROJECT_FIELD,
        target_date_field="Target date",
        declared_health=SAID,
    )
    report = await engine_for(FakeConnector(SOURCE, [record])).sync(SOURCE)

    assert report.ok, report.error
    [row] = await stored.all(WorkItem)
    assert (row.start_date_source, row.start_date_field) == (DateSource.ITERATION, "Iteration")
    assert (row.target_date_source, row.target_date_field) == (
        DateSource.PROJECT_FIELD,
        "Target date",
    )
    assert (
        row.declared_health,
        row.declared_health_at,
        row.declared_health_by,
        row.declared_health_note,
    ) == (DeclaredHealth.AT_RISK, T0, "ada", "Vendor API is late.")


async def test_a_date_without_a_source_is_a_field_and_no_date_has_no_source(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    """Connectors that predate date sources keep working: their dates are fields."""
    records = [
        item(1, target_date=date(2026, 6, 30)),
        item(2, target_date_source=DateSource.SPRINT),
    ]
    await engine_for(FakeConnector(SOURCE, records)).sync(SOURCE)

    rows = {row.key: row for row in await stored.all(WorkItem)}
    assert (rows["PAY-1"].target_date_source, rows["PAY-1"].target_date_field) == (
        DateSource.FIELD,
        None,
    )
    assert rows["PAY-1"].start_date_source is None
    assert rows["PAY-2"].target_date_source is None
    assert rows["PAY-2"].declared_health is None


async def test_a_changed_source_or_health_is_written_on_the_next_sync(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    first = item(1, target_date=date(2026, 6, 30), declared_health=SAID)
    await engine_for(FakeConnector(SOURCE, [first])).sync(SOURCE)
    moved = replace(
        first,
        target_date_source=DateSource.SPRINT,
        target_date_field="Sprint 12",
        declared_health=None,
    )
    report = await engine_for(FakeConnector(SOURCE, [moved])).sync(SOURCE, full=True)

    assert report.counts.updated == 1
    [row] = await stored.all(WorkItem)
    assert (row.target_date_source, row.target_date_field) == (DateSource.SPRINT, "Sprint 12")
    assert row.declared_health is None and row.declared_health_note is None


async def test_a_derived_source_from_a_connector_skips_the_item_with_a_reason(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    records = [item(1, target_date=date(2026, 6, 30), target_date_source=DateSource.CHILDREN)]
    report = await engine_for(FakeConnector(SOURCE, records)).sync(SOURCE)

    assert [s.reason for s in report.skipped] == [
        "target_date_source is CHILDREN, which the hub derives and never stores"
    ]
    assert await stored.count(WorkItem) == 0


async def test_overlong_names_are_cut_and_nul_characters_removed(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    record = item(
        1,
        start_date=date(2026, 4, 1),
        start_date_field="S" * 300,
        declared_health=HealthUpdate(DeclaredHealth.ON_TRACK, by="a\x00da", note="o\x00k"),
    )
    await engine_for(FakeConnector(SOURCE, [record])).sync(SOURCE)

    [row] = await stored.all(WorkItem)
    assert row.start_date_field == "S" * 200
    assert (row.declared_health_by, row.declared_health_note) == ("ada", "ok")


async def test_dates_of_a_config_initiative_are_manual(sessions, stored: StoredRows) -> None:
    initiative = InitiativeConfig(key="pay", title="Payments", target_date=date(2026, 9, 30))
    async with sessions() as session, session.begin():
        await store_hub_config(session, HubRules(initiatives=(initiative,)), T0)

    [row] = await stored.all(WorkItem)
    assert (row.start_date_source, row.target_date_source) == (None, DateSource.MANUAL)
