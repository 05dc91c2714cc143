"""Hub-native records declared in the config: the component catalog and initiatives.

They are written at the start of every sync, so the config is the truth for them: an
initiative removed from the file is flagged deleted, as a tracker item deleted upstream.
Initiatives created through the API (``raw["origin"] == "api"``) are not the config's: no
config sync deletes them. A config initiative with the same key takes one over. All of them
go through the same ``store_items`` as tracker items, as items of the ``hub`` source.

A config initiative's ``parent`` names another of the config (stored as its hub id at once)
or a tracker's initiative by key or hub id: that one may not be synced yet, so the link is
resolved by ``resolve_initiative_parents`` after the config is stored and after every sync,
and waits, empty, until the initiative shows up.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.contract.config import HUB_SOURCE, InitiativeConfig
from hub.contract.records import DateSource, ItemRecord, Level, hub_id, raw_json
from hub.storage.models import Component, Source, WorkItem
from hub.storage.upsert import upsert
from hub.sync.links import mentions_changed
from hub.sync.rules import HubRules
from hub.sync.store import Target, store_items

_DECLARED = datetime(1970, 1, 1, tzinfo=UTC)
"""Config items have no history; a fixed time keeps their content hash stable across syncs."""
API_ORIGIN = "api"
"""``raw["origin"]`` of initiatives created through the API rather than declared in the config."""


async def store_hub_config(session: AsyncSession, rules: HubRules, now: datetime) -> None:
    await upsert(
        session,
        Component,
        [
            {"name": c.name, "owner": c.owner, "description": c.description}
            for c in rules.components
        ],
        key=["name"],
        update=["owner", "description"],
    )
    target = await hub_target(session, now)
    declared_keys = {initiative.key for initiative in rules.initiatives}
    records = [initiative_record(i, declared_keys) for i in rules.initiatives]
    await store_items(session, target, records, now)
    declared = [hub_id(HUB_SOURCE, record.external_id) for record in records]
    removed = await session.execute(
        update(WorkItem)
        .where(
            WorkItem.source_id == target.source_id,
            WorkItem.deleted.is_(False),
            WorkItem.id.not_in(declared),
            ~created_through_api(),
        )
        .values(deleted=True, content_hash="")
    )
    if cast(CursorResult[Any], removed).rowcount:
        await mentions_changed(session)
    await resolve_initiative_parents(session)


async def resolve_initiative_parents(session: AsyncSession) -> None:
    """Link every hub initiative still waiting for a parent named outside the config to the
    live initiative of that hub id, else of that key in any case (the first by id when two
    trackers share a key), in one statement; a name nothing matches yet stays waiting."""
    parent = aliased(WorkItem)
    named = WorkItem.raw["parent"].as_string()
    live = (parent.level == Level.INITIATIVE, parent.deleted == false(), parent.id != WorkItem.id)
    by_id = select(parent.id).where(*live, parent.id == named).scalar_subquery()
    by_key = (
        select(func.min(parent.id))
        .where(*live, func.lower(parent.key) == func.lower(named))
        .scalar_subquery()
    )
    found = func.coalesce(by_id, by_key)
    hub_source = select(Source.id).where(Source.name == HUB_SOURCE).scalar_subquery()
    await session.execute(
        update(WorkItem)
        .where(
            WorkItem.source_id == hub_source,
            WorkItem.level == Level.INITIATIVE,
            WorkItem.deleted == false(),
            WorkItem.parent_id.is_(None),
            named.is_not(None),
        )
        .values(parent_id=found, synced_parent_id=found)
        .execution_options(synchronize_session=False)
    )


async def hub_target(session: AsyncSession, now: datetime) -> Target:
    """Where hub-native items are stored: the ``hub`` source, created on first use."""
    await upsert(
        session,
        Source,
        [{"name": HUB_SOURCE, "kind": HUB_SOURCE, "base_url": "", "created_at": now}],
        key=["name"],
        update=[],
    )
    source_id = await session.scalar(select(Source.id).where(Source.name == HUB_SOURCE))
    assert source_id is not None
    return Target(source_id, HUB_SOURCE, HUB_SOURCE, HubRules(), fingerprint="")


def created_through_api() -> ColumnElement[bool]:
    """Hub items a person created through the API; the config does not own them."""
    return func.coalesce(WorkItem.raw["origin"].as_string(), "") == API_ORIGIN


def initiative_record(
    initiative: InitiativeConfig, declared_keys: Collection[str] = ()
) -> ItemRecord:
    """The initiative as a hub item; a parent among ``declared_keys`` (the config's) is linked
    here, any other by ``resolve_initiative_parents``."""
    parent = initiative.parent if initiative.parent in declared_keys else None
    return ItemRecord(
        external_id=initiative.key,
        key=initiative.key,
        url="",
        title=initiative.title,
        body=initiative.description or "",
        level=Level.INITIATIVE,
        parent_external_id=parent,
        status_name=initiative.status.value.replace("_", " ").title(),
        status_category=initiative.status,
        start_date=initiative.start_date,
        target_date=initiative.target_date,
        start_date_source=DateSource.MANUAL,  # the store keeps a source only beside a date
        target_date_source=DateSource.MANUAL,
        created_at=_DECLARED,
        updated_at=_DECLARED,
        raw=raw_json(initiative.model_dump(mode="json")),
    )


def api_initiative_record(initiative: InitiativeConfig, now: datetime) -> ItemRecord:
    """An initiative created through the API: marked with its origin, dated when created."""
    return replace(
        initiative_record(initiative),
        created_at=now,
        updated_at=now,
        raw=raw_json({**initiative.model_dump(mode="json"), "origin": API_ORIGIN}),
    )
