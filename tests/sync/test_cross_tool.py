"""Hub rules and mentions across two sources, through the engine and the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import pytest
from sqlalchemy import select

from hub.contract.config import ComponentConfig, InitiativeConfig, SourceConfig
from hub.contract.records import ItemRecord, Level, Provenance
from hub.storage.models import Component, Dependency, ItemComponent, ItemLink, WorkItem
from hub.sync import SyncReport
from hub.sync.links import MentionCounts
from hub.sync.rules import HubRules
from tests.stored import StoredRows
from tests.sync.fakes import EngineFor, FakeConnector, ItemChanges, item

JIRA = SourceConfig(
    name="jira", kind="jira", base_url="https://j", projects=("PAY",), token_env="T", email_env="E"
)
LINEAR = SourceConfig(
    name="linear", kind="linear", base_url="https://l", teams=("ENG",), token_env="T"
)
RULES = HubRules(
    [
        ComponentConfig(
            name="Payments",
            owner="team-payments",
            jira_components=("payments-api",),
            linear_teams=("ENG",),
        )
    ],
    [InitiativeConfig(key="payments-v2", title="Payments v2")],
)


def linear_item(n: int, **changes: Unpack[ItemChanges]) -> ItemRecord:
    return item(n, **(ItemChanges(external_id=f"lin-{n}", key=f"ENG-{n}") | changes))


async def sync(
    engine_for: EngineFor,
    source: SourceConfig,
    items: Sequence[ItemRecord],
    rules: HubRules = RULES,
    *,
    full: bool = False,
) -> SyncReport:
    report = await engine_for(FakeConnector(source, items), rules=rules).sync(source, full=full)
    assert report.ok, report.error
    return report


def mentions(report: SyncReport) -> MentionCounts:
    assert report.mentions is not None, "the sync resolved no mentions"
    return report.mentions


async def test_mentions_across_tools_become_dependencies_and_links(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    await sync(engine_for, JIRA, [item(1, title="Card vault"), item(2)])
    report = await sync(
        engine_for,
        LINEAR,
        [
            linear_item(1, body="Blocked by PAY-1; see also PAY-2 and ENG-2"),
            linear_item(2, body="blocks PAY-404 which does not exist"),
        ],
    )
    assert (mentions(report).dependencies, mentions(report).links) == (1, 1)
    deps = await stored.rows(
        select(Dependency.blocker_id, Dependency.blocked_id, Dependency.provenance)
    )
    assert deps == [("jira:1", "linear:lin-1", Provenance.MENTION)]
    assert await stored.rows(select(ItemLink.from_id, ItemLink.to_id)) == [
        ("linear:lin-1", "jira:2")
    ]

    await sync(
        engine_for,
        LINEAR,
        [linear_item(1, body="No longer blocked", updated_at=item(9).updated_at)],
    )
    assert await stored.rows(select(Dependency.blocker_id)) == []
    assert await stored.rows(select(ItemLink.from_id)) == []


async def test_a_sync_that_changes_nothing_keeps_the_mentions_without_rebuilding_them(
    engine_for: EngineFor,
    stored: StoredRows,
) -> None:
    await sync(engine_for, JIRA, [item(1)])
    linear = [linear_item(1, body="Blocked by PAY-1")]
    assert (await sync(engine_for, LINEAR, linear)).mentions is not None
    again = await sync(engine_for, LINEAR, linear)
    assert again.counts.unchanged == 1 and again.mentions is None
    assert await stored.rows(select(Dependency.blocker_id, Dependency.blocked_id)) == [
        ("jira:1", "linear:lin-1")
    ]


async def test_a_rebuild_cut_short_is_done_by_the_next_sync_even_with_nothing_new(
    engine_for: EngineFor, stored: StoredRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The items and the owed rebuild commit together: a sync killed before resolving leaves
    the rebuild to the next one, which stores nothing."""
    await sync(engine_for, JIRA, [item(1)])

    async def killed(*_args: object) -> None:
        raise KeyboardInterrupt

    linear = [linear_item(1, body="Blocked by PAY-1")]
    with monkeypatch.context() as patch:
        patch.setattr("hub.sync.engine.resolve_mentions", killed)
        with pytest.raises(KeyboardInterrupt):
            await sync(engine_for, LINEAR, linear)
    assert await stored.rows(select(Dependency.blocker_id)) == []
    again = await sync(engine_for, LINEAR, linear)
    assert again.counts.unchanged == 1 and again.mentions is not None
    assert await stored.rows(select(Dependency.blocker_id)) == [("jira:1",)]


async def test_a_tombstone_alone_owes_a_rebuild(engine_for: EngineFor, stored: StoredRows) -> None:
    await sync(engine_for, JIRA, [item(1), item(2)])
    await sync(engine_for, LINEAR, [linear_item(1, body="Blocked by PAY-2")])
    assert await stored.rows(select(Dependency.blocker_id)) == [("jira:2",)]
    report = await sync(engine_for, JIRA, [item(1)], full=True)
    assert (report.counts.unchanged, report.deleted) == (1, 1) and report.mentions is not None
    assert await stored.rows(select(Dependency.blocker_id)) == []


async def test_a_blocking_mention_from_either_side_is_one_dependency(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    await sync(engine_for, JIRA, [item(1, body="This blocks ENG-1."), item(2, body="See ENG-2")])
    report = await sync(
        engine_for,
        LINEAR,
        [linear_item(1, body="Blocked by PAY-1"), linear_item(2, body="It blocks PAY-2")],
    )
    assert (mentions(report).dependencies, mentions(report).links) == (2, 1)
    deps = await stored.rows(
        select(Dependency.blocker_id, Dependency.blocked_id, Dependency.source_id).order_by(
            Dependency.blocker_id
        ),
    )
    assert [(blocker, blocked) for blocker, blocked, _ in deps] == [
        ("jira:1", "linear:lin-1"),
        ("linear:lin-2", "jira:2"),
    ]
    assert all(source_id is not None for *_, source_id in deps)
    assert await stored.rows(select(ItemLink.from_id, ItemLink.to_id)) == [
        ("jira:2", "linear:lin-2")
    ]


async def test_catalog_merges_components_and_initiatives_adopt_epics_by_label(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    await sync(
        engine_for,
        JIRA,
        [
            item(
                1,
                level=Level.EPIC,
                components=("payments-api",),
                labels=("initiative:payments-v2",),
                parent_external_id="9",
            )
        ],
    )
    await sync(engine_for, LINEAR, [linear_item(1, level=Level.EPIC, components=("eng",))])

    components = await stored.rows(select(Component.name, Component.owner))
    assert components == [("Payments", "team-payments")]
    links = await stored.rows(select(ItemComponent.item_id).order_by(ItemComponent.item_id))
    assert links == [("jira:1",), ("linear:lin-1",)]
    parents = dict(await stored.rows(select(WorkItem.id, WorkItem.parent_id)))
    assert parents["jira:1"] == "hub:payments-v2"
    assert parents["hub:payments-v2"] is None


async def test_changed_rules_force_a_full_sync_that_rewrites_every_item(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    await sync(engine_for, JIRA, [item(1, level=Level.EPIC, labels=("initiative:later",))])
    later = HubRules(initiatives=[InitiativeConfig(key="later", title="Later")])
    report = await sync(
        engine_for, JIRA, [item(1, level=Level.EPIC, labels=("initiative:later",))], later
    )
    assert report.full and report.counts.updated == 1
    parents = dict(await stored.rows(select(WorkItem.id, WorkItem.parent_id)))
    assert parents["jira:1"] == "hub:later"
    deleted = dict(await stored.rows(select(WorkItem.id, WorkItem.deleted)))
    assert deleted["hub:payments-v2"] is True and deleted["hub:later"] is False
