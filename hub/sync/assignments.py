"""Initiative assignments made by people outrank what trackers and rules say.

A sync rewrites a changed item's parent from its tracker and the hub rules; right after, in
the same transaction, the assignments of the items it stored put assigned epics back under
their initiative, so an assignment survives every re-sync and no reader ever sees it undone.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.records import Level
from hub.storage.id_lists import among
from hub.storage.models import InitiativeAssignment, WorkItem


async def apply_assignments(session: AsyncSession, item_ids: Collection[str]) -> None:
    """Set the parent of every assigned epic among ``item_ids`` to its initiative, in one
    statement; items without an assignment, and items no longer epics, keep their parent."""
    if not item_ids:
        return
    assigned_initiative = (
        select(InitiativeAssignment.initiative_id)
        .where(InitiativeAssignment.item_id == WorkItem.id)
        .scalar_subquery()
    )
    connection = await session.connection()
    await connection.execute(
        update(WorkItem)
        .where(
            among(connection.dialect.name, WorkItem.id, item_ids),
            WorkItem.level == Level.EPIC,
            WorkItem.id.in_(select(InitiativeAssignment.item_id)),
        )
        .values(parent_id=assigned_initiative)
        .execution_options(synchronize_session=False)
    )
