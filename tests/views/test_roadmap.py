"""The roadmap view on a hand-built world whose rollups and health are known.

``build_world`` is shared with ``tests/schema/test_roadmap.py``. Today is 2026-04-01.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import Level, Provenance, StatusCategory
from hub.reports.terminal import roadmap_summary
from hub.storage.models import (
    Component,
    Dependency,
    InitiativeAssignment,
    ItemComponent,
    Source,
    WorkItem,
)
from hub.views.health import Health
from hub.views.roadmap import Grouping, Lane, Roadmap, RoadmapFilter, roadmap

TODAY = date(2026, 4, 1)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
T, P, D, C = (
    StatusCategory.TODO,
    StatusCategory.IN_PROGRESS,
    StatusCategory.DONE,
    StatusCategory.CANCELED,
)
SOURCE_IDS = {"jira": 1, "github": 2, "hub": 3}


def work_item(
    item_id: str,
    level: Level,
    category: StatusCategory = T,
    parent: str | None = None,
    **extra: Any,
) -> WorkItem:
    source, external_id = item_id.split(":", 1)
    key = extra.pop("key", external_id)
    return WorkItem(
        id=item_id,
        source_id=SOURCE_IDS[source],
        external_id=external_id,
        key=key,
        url=f"https://{source}.example/{key}",
        title=extra.pop("title", f"Title of {key}"),
        level=level,
        status_name=category.value.title(),
        status_category=category,
        parent_id=parent,
        created_at=extra.pop("created_at", NOW),
        updated_at=NOW,
        raw={},
        content_hash="-",
        synced_at=NOW,
        labels=[],
        **extra,
    )


def issues(epic: str, *specs: tuple[StatusCategory, float | None]) -> list[WorkItem]:
    return [
        work_item(f"{epic}-i{n}", Level.ISSUE, category, epic, estimate=estimate)
        for n, (category, estimate) in enumerate(specs)
    ]


def blocks(blocker: str, blocked: str, provenance: Provenance = Provenance.TRACKER) -> Dependency:
    return Dependency(blocker_id=blocker, blocked_id=blocked, provenance=provenance, created_at=NOW)


async def add_sources(session: AsyncSession) -> None:
    session.add_all(
        Source(id=source_id, name=name, kind=name, base_url=f"https://{name}", created_at=NOW)
        for name, source_id in SOURCE_IDS.items()
    )
    await session.flush()


async def build_world(sessions: async_sessionmaker[AsyncSession]) -> None:
    """One epic per health (and a hidden canceled and a deleted one), under a hub-native
    initiative, a Jira initiative with no epics, or no initiative.

    pay-v2 (hub, 2026-01-01 → 06-30): EP-DONE, acme/pay#1 (late), EP-ON, EP-BLOCKED (placed
    there by a person), EP-CANCELED. No initiative: EP-NEAR (github), EP-PACE, EP-NODATE.
    """
    pay = "hub:pay-v2"
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all([Component(id=1, name="payments"), Component(id=2, name="identity")])
        items = [
            work_item(
                pay,
                Level.INITIATIVE,
                P,
                key="pay-v2",
                title="Payments v2",
                start_date=date(2026, 1, 1),
                target_date=date(2026, 6, 30),
            ),
            work_item("jira:INI-9", Level.INITIATIVE, T),
            work_item(
                "jira:EP-ON",
                Level.EPIC,
                P,
                pay,
                start_date=date(2026, 1, 1),
                target_date=date(2026, 7, 1),
            ),
            *issues("jira:EP-ON", (D, 2.0), (D, 3.0), (T, 5.0), (T, None), (C, 8.0)),
            work_item(
                "github:1", Level.EPIC, P, pay, key="acme/pay#1", target_date=date(2026, 3, 15)
            ),
            *issues("github:1", (T, None)),
            work_item("jira:EP-DONE", Level.EPIC, D, pay, target_date=date(2026, 2, 1)),
            *issues("jira:EP-DONE", (D, 1.0), (D, 1.0)),
            work_item(
                "jira:EP-BLOCKED",
                Level.EPIC,
                T,
                start_date=date(2026, 3, 1),
                target_date=date(2026, 9, 30),
            ),
            work_item("github:9", Level.ISSUE, P, key="acme/pay#9", target_date=date(2026, 10, 15)),
            work_item("jira:EP-CANCELED", Level.EPIC, C, pay, target_date=date(2026, 5, 1)),
            *issues("jira:EP-CANCELED", (D, 4.0)),
            work_item("jira:EP-GONE", Level.EPIC, P, pay, deleted=True),
            work_item(
                "jira:EP-PACE",
                Level.EPIC,
                P,
                start_date=date(2026, 1, 1),
                target_date=date(2026, 5, 1),
            ),
            *issues("jira:EP-PACE", (T, None), (P, None), (T, None), (T, None)),
            work_item(
                "github:2",
                Level.EPIC,
                P,
                key="acme/pay#2",
                title="Near the finish",
                start_date=date(2026, 3, 20),
                target_date=date(2026, 4, 10),
            ),
            *issues("github:2", (D, None)),
            work_item(
                "github:3",
                Level.EPIC,
                T,
                key="acme/pay#3",
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
            ),
            work_item("jira:B-2", Level.ISSUE, T),
            work_item("jira:B-3", Level.ISSUE, D, target_date=date(2026, 12, 1)),
            work_item("jira:B-4", Level.ISSUE, T, target_date=date(2026, 12, 1), deleted=True),
            work_item("jira:B-5", Level.ISSUE, T, target_date=date(2026, 5, 1)),
        ]
        session.add_all(items)
        await session.flush()
        session.add_all(
            [
                InitiativeAssignment(item_id="jira:EP-BLOCKED", initiative_id=pay, created_at=NOW),
                ItemComponent(item_id="jira:EP-ON", component_id=1),
                ItemComponent(item_id="github:1", component_id=1),
                ItemComponent(item_id="github:1", component_id=2),
                ItemComponent(item_id="jira:EP-PACE", component_id=2),
                blocks("github:9", "jira:EP-BLOCKED"),
                blocks("github:9", "jira:EP-BLOCKED", Provenance.MENTION),
                blocks("jira:B-2", "github:2"),
                blocks("jira:B-3", "github:2"),
                blocks("jira:B-4", "github:2"),
                blocks("jira:B-5", "jira:EP-ON"),
            ]
        )


async def load(sessions: async_sessionmaker[AsyncSession], **options: Any) -> Roadmap:
    async with sessions() as session:
        return await roadmap(session, today=TODAY, **options)


def keys(lane: Lane) -> list[str]:
    return [epic.key for epic in lane.epics]


def outline(result: Roadmap) -> list[tuple[str | None, list[str]]]:
    return [(lane.key, keys(lane)) for lane in result.lanes]


async def test_every_health_by_its_rule(sessions) -> None:
    await build_world(sessions)
    result = await load(sessions)
    epics = {epic.key: epic for lane in result.lanes for epic in lane.epics}
    assert {key: epic.health for key, epic in epics.items()} == {
        "EP-ON": Health.ON_TRACK,  # half the time gone, half the issues done
        "acme/pay#1": Health.OFF_TRACK,  # target 2026-03-15 passed
        "EP-DONE": Health.DONE,  # done, although past its target
        "EP-BLOCKED": Health.AT_RISK,  # its blocker is due after its target
        "EP-PACE": Health.AT_RISK,  # 3/4 of the time gone, nothing done
        "acme/pay#2": Health.AT_RISK,  # target in 9 days, an undated blocker
        "acme/pay#3": Health.NO_DATES,
    }
    slipping = {key: [b.key for b in epic.slipping_blockers] for key, epic in epics.items()}
    assert slipping["EP-BLOCKED"] == ["acme/pay#9"]
    assert slipping["acme/pay#2"] == ["B-2"]
    assert slipping["EP-ON"] == []
    assert result.summary == {
        Health.ON_TRACK: 1,
        Health.AT_RISK: 3,
        Health.OFF_TRACK: 1,
        Health.DONE: 1,
        Health.NO_DATES: 1,
    }


async def test_by_initiative_rolls_progress_and_health_up(sessions) -> None:
    await build_world(sessions)
    result = await load(sessions)
    assert outline(result) == [
        ("pay-v2", ["EP-DONE", "acme/pay#1", "EP-ON", "EP-BLOCKED"]),
        ("INI-9", []),
        (None, ["acme/pay#2", "EP-PACE", "acme/pay#3"]),
    ]
    pay, empty, ungrouped = result.lanes
    assert pay.initiative is not None and pay.initiative.progress is pay.progress
    ep_on = pay.epics[2].progress
    assert (ep_on.total, ep_on.done, ep_on.estimate_total, ep_on.estimate_done) == (4, 2, 10, 5)
    rolled = pay.progress
    assert (rolled.total, rolled.done, rolled.estimate_total, rolled.estimate_done) == (
        7,
        4,
        12,
        7,
    )
    # on pace on its own (4/7 done, half its time gone), but acme/pay#1 is off track
    assert pay.health is Health.AT_RISK and pay.initiative.health is Health.AT_RISK
    assert empty.health is Health.NO_DATES and empty.progress.ratio is None
    assert ungrouped.title == "No initiative" and ungrouped.health is Health.AT_RISK
    assert {lane.kind for lane in result.lanes} == {Grouping.INITIATIVE}
    assert set(result.items) >= {"hub:pay-v2", "jira:INI-9", "github:9", "jira:B-2"}
    assert "jira:B-5" not in result.items  # blocks, but does not slip


async def test_by_component_source_and_quarter(sessions) -> None:
    await build_world(sessions)
    by_component = await load(sessions, group_by=Grouping.COMPONENT)
    assert outline(by_component) == [
        ("identity", ["acme/pay#1", "EP-PACE"]),
        ("payments", ["acme/pay#1", "EP-ON"]),
        (None, ["EP-DONE", "acme/pay#2", "EP-BLOCKED", "acme/pay#3"]),
    ]
    assert [lane.health for lane in by_component.lanes] == [Health.OFF_TRACK] * 2 + [Health.AT_RISK]
    assert by_component.summary[Health.OFF_TRACK] == 1  # acme/pay#1 counted once
    assert all(lane.initiative is None for lane in by_component.lanes)

    by_source = await load(sessions, group_by=Grouping.SOURCE)
    assert outline(by_source) == [
        ("github", ["acme/pay#1", "acme/pay#2", "acme/pay#3"]),
        ("jira", ["EP-DONE", "EP-PACE", "EP-ON", "EP-BLOCKED"]),
    ]
    jira = by_source.lanes[1].progress
    assert (jira.total, jira.done) == (10, 4)

    by_quarter = await load(sessions, group_by=Grouping.QUARTER)
    assert outline(by_quarter) == [
        ("2026-Q1", ["EP-DONE", "acme/pay#1"]),
        ("2026-Q2", ["acme/pay#2", "EP-PACE"]),
        ("2026-Q3", ["EP-ON", "EP-BLOCKED"]),
        (None, ["acme/pay#3"]),
    ]
    assert [lane.title for lane in by_quarter.lanes] == ["Q1 2026", "Q2 2026", "Q3 2026", "No date"]


async def test_date_range_keeps_epics_whose_window_overlaps(sessions) -> None:
    await build_world(sessions)
    q2 = await load(
        sessions, group_by=Grouping.SOURCE, start=date(2026, 4, 1), end=date(2026, 6, 30)
    )
    assert outline(q2) == [
        ("github", ["acme/pay#2", "acme/pay#3"]),  # undated: open-ended
        ("jira", ["EP-PACE", "EP-ON", "EP-BLOCKED"]),
    ]
    early = await load(sessions, group_by=Grouping.SOURCE, end=date(2026, 2, 15))
    assert outline(early) == [
        ("github", ["acme/pay#1"]),  # acme/pay#3 was created on 2026-03-01
        ("jira", ["EP-DONE", "EP-PACE", "EP-ON"]),
    ]
    by_initiative = await load(sessions, end=date(2026, 2, 15))
    assert [lane.key for lane in by_initiative.lanes] == ["pay-v2", None]  # no empty INI-9
    rolled = by_initiative.lanes[0].progress
    assert (rolled.total, rolled.done) == (7, 4)  # EP-BLOCKED starts 03-01, has no issues


async def test_filters(sessions) -> None:
    await build_world(sessions)

    async def shown(**fields: Any) -> list[tuple[str | None, list[str]]]:
        return outline(await load(sessions, filter=RoadmapFilter(**fields)))

    assert await shown(sources=["github"]) == [
        ("pay-v2", ["acme/pay#1"]),
        (None, ["acme/pay#2", "acme/pay#3"]),
    ]
    assert await shown(components=["identity"]) == [
        ("pay-v2", ["acme/pay#1"]),
        (None, ["EP-PACE"]),
    ]
    assert await shown(initiatives=["pay-v2"]) == [
        ("pay-v2", ["EP-DONE", "acme/pay#1", "EP-ON", "EP-BLOCKED"])
    ]
    assert await shown(text="NEAR") == [(None, ["acme/pay#2"])]
    assert await shown(status_categories=[StatusCategory.TODO]) == [
        ("pay-v2", ["EP-BLOCKED"]),
        (None, ["acme/pay#3"]),
    ]
    canceled = await load(sessions, filter=RoadmapFilter(status_categories=[C]))
    assert outline(canceled) == [("pay-v2", ["EP-CANCELED"])]
    lane = canceled.lanes[0]
    assert lane.epics[0].health is Health.DONE
    assert lane.progress.total == 0  # a canceled epic counts for nothing


async def test_the_terminal_summary_shows_lanes_and_health(sessions) -> None:
    await build_world(sessions)
    text = roadmap_summary(await load(sessions))
    assert "2 initiatives, 7 epics" in text
    assert "2/4 done" in text and "off track" in text and "(no initiative)" in text


async def test_an_empty_roadmap(sessions) -> None:
    result = await load(sessions)
    assert result.lanes == [] and sum(result.summary.values()) == 0
    assert "empty" in roadmap_summary(result)
