"""An epic's milestones are stored with it, re-written when one changes, and screened."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hub.contract.records import Level, MilestoneRecord
from hub.storage.models import WorkItem
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item

BETA = MilestoneRecord("m-1", "Beta", date(2026, 5, 15), "next", 0.25, 1.0)
GA = MilestoneRecord("m-2", "GA", None, "unstarted", 0.0, 2.0)


async def test_milestones_round_trip_with_their_epic(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    epic = item(1, level=Level.EPIC, milestones=(BETA, GA))
    report = await engine_for(FakeConnector(SOURCE, [epic, item(2)])).sync(SOURCE)

    assert report.ok, report.error
    rows = {row.key: row for row in await stored.all(WorkItem)}
    assert rows["PAY-1"].milestones == [
        {
            "id": "m-1",
            "name": "Beta",
            "target_date": "2026-05-15",
            "status": "next",
            "progress": 0.25,
            "sort_order": 1.0,
        },
        {
            "id": "m-2",
            "name": "GA",
            "target_date": None,
            "status": "unstarted",
            "progress": 0.0,
            "sort_order": 2.0,
        },
    ]
    assert rows["PAY-2"].milestones == []


async def test_a_changed_milestone_rewrites_the_item(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    """Same payload bytes, one milestone moved: the item is still written again."""
    epic = item(1, level=Level.EPIC, milestones=(BETA,))
    await engine_for(FakeConnector(SOURCE, [epic])).sync(SOURCE)
    again = await engine_for(FakeConnector(SOURCE, [epic])).sync(SOURCE, full=True)
    assert again.counts.unchanged == 1

    moved = replace(epic, milestones=(replace(BETA, target_date=date(2026, 6, 1)),))
    report = await engine_for(FakeConnector(SOURCE, [moved])).sync(SOURCE, full=True)

    assert report.counts.updated == 1
    [row] = await stored.all(WorkItem)
    assert row.milestones[0]["target_date"] == "2026-06-01"


async def test_milestones_are_screened_not_their_epic(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    """A nameless milestone is dropped; absurd values lose only themselves."""
    odd = MilestoneRecord("m-3", "R\x00C" + "x" * 300, date(1066, 10, 14), "d\x00one", 7.0, None)
    nameless = MilestoneRecord("m-4", "\x00")
    epic = item(1, level=Level.EPIC, milestones=(odd, nameless, BETA))
    report = await engine_for(FakeConnector(SOURCE, [epic])).sync(SOURCE)

    assert report.ok and not report.skipped
    [row] = await stored.all(WorkItem)
    assert [m["id"] for m in row.milestones] == ["m-3", "m-1"]
    assert row.milestones[0] == {
        "id": "m-3",
        "name": ("RC" + "x" * 300)[:200],
        "target_date": None,
        "status": "done",
        "progress": None,
        "sort_order": None,
    }
