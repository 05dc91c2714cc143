"""Whether a webhook's pass changed what mentions resolve from, so that on SQLite a pass that
did not (a status or an assignee changed, most webhooks) owes no rebuild of them.

Storing a changed item always marks the rebuild owed (``hub.sync.links``); on a large hub the
rebuild takes about a second, and on SQLite it holds the only writer's lock all along, so
every delivery recorded meanwhile waits. What mentions resolve from is, for the items a pass
stored, their references and their keys and whether they are live: when none of these moved,
and no item was tombstoned, and no rebuild was owed before, the pass takes its mark back.
Only on SQLite, where the pass's transaction holds the writer's lock from its first write to
its commit, so no other change can have marked the rebuild owed in between; on PostgreSQL a
rebuild does not hold up other writers, and the mark stays.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.storage.id_lists import among
from hub.storage.models import ItemMention, PendingRebuild, WorkItem
from hub.sync.links import MENTIONS

MentionInputs = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


class MentionWatch:
    """Reads the inputs before a pass stores and after, in the pass's transaction."""

    def __init__(self, session: AsyncSession, item_ids: Collection[str]) -> None:
        self.session = session
        self.item_ids = item_ids
        self.exact = session.get_bind().dialect.name == "sqlite"
        self.owed_before = True
        self.before: MentionInputs | None = None

    async def start(self) -> None:
        """Call after the transaction's first write, which takes SQLite's lock."""
        if not self.exact:
            return
        owed = await self.session.scalar(select(exists().where(PendingRebuild.name == MENTIONS)))
        self.owed_before = bool(owed)
        self.before = await self._inputs()

    async def finish(self, *, tombstoned: int) -> None:
        """Take back the mark this pass set, if it changed nothing mentions resolve from."""
        if self.owed_before or tombstoned or self.before != await self._inputs():
            return
        await self.session.execute(delete(PendingRebuild).where(PendingRebuild.name == MENTIONS))

    async def _inputs(self) -> MentionInputs:
        connection = await self.session.connection()
        dialect = connection.dialect.name
        mentions = await connection.execute(
            select(ItemMention.item_id, ItemMention.key, ItemMention.relation).where(
                among(dialect, ItemMention.item_id, self.item_ids)
            )
        )
        items = await connection.execute(
            select(WorkItem.id, WorkItem.key, WorkItem.deleted).where(
                among(dialect, WorkItem.id, self.item_ids)
            )
        )
        return sorted(tuple(row) for row in mentions), sorted(tuple(row) for row in items)
