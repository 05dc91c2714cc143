"""Hub-native records declared in the config: the component catalog and initiatives.

They are written at the start of every sync, so the config is the truth for them: an
initiative removed from the file is flagged deleted, as a tracker item deleted upstream.
Initiatives go through the same ``store_page`` as tracker items, as items of the ``hub``
source.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import HUB_SOURCE, InitiativeConfig
from hub.records import ItemRecord, Level, hub_id
from hub.storage.models import Component, Source, WorkItem
from hub.sync.rules import HubRules
from hub.sync.store import Target, store_page
from hub.sync.upsert import upsert

_DECLARED = datetime(1970, 1, 1, tzinfo=UTC)
"""Config items have no history; a fixed time keeps their content hash stable across syncs."""


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
    await upsert(
        session,
        Source,
        [{"name": HUB_SOURCE, "kind": HUB_SOURCE, "base_url": "", "created_at": now}],
        key=["name"],
        update=[],
    )
    source_id = await session.scalar(select(Source.id).where(Source.name == HUB_SOURCE))
    assert source_id is not None
    target = Target(source_id, HUB_SOURCE, HUB_SOURCE, HubRules(), fingerprint="")
    records = [initiative_record(initiative) for initiative in rules.initiatives]
    await store_page(session, target, records, now)
    declared = [hub_id(HUB_SOURCE, record.external_id) for record in records]
    await session.execute(
        update(WorkItem)
        .where(WorkItem.source_id == source_id, WorkItem.id.not_in(declared))
        .values(deleted=True, content_hash="")
    )


def initiative_record(initiative: InitiativeConfig) -> ItemRecord:
    return ItemRecord(
        external_id=initiative.key,
        key=initiative.key,
        url="",
        title=initiative.title,
        body=initiative.description or "",
        level=Level.INITIATIVE,
        status_name=initiative.status.value.replace("_", " ").title(),
        status_category=initiative.status,
        start_date=initiative.start_date,
        target_date=initiative.target_date,
        created_at=_DECLARED,
        updated_at=_DECLARED,
        raw=initiative.model_dump(mode="json"),
    )
