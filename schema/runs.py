"""GraphQL types of sync bookkeeping: the runs of a sync and the health of a source."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from hub.contract.records import RunStatus
from hub.storage import models


@strawberry.enum(description="How a source's syncs are going, from its newest run.")
class SourceHealth(Enum):
    OK = "ok"
    FAILING = "failing"
    NEVER_SYNCED = "never_synced"
    SYNCING = "syncing"


@strawberry.type(description="One sync of one source: what it did and what stopped it.")
class SyncRun:
    id: strawberry.ID
    source: str = strawberry.field(description="The source's name.")
    status: str = strawberry.field(
        description="`running`, `succeeded`, `failed`, or `interrupted` (stopped or killed midway)."
    )
    full: bool = strawberry.field(description="Read everything again, ignoring cursors.")
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    skipped: int = strawberry.field(description="Items the tracker served that the hub refused.")
    requests: int = strawberry.field(description="Requests sent to the tracker, retries included.")
    retries: int
    error: str | None = strawberry.field(
        description="What stopped the sync, or the items it skipped and why."
    )

    @classmethod
    def from_row(cls, row: models.SyncRun, source: str) -> SyncRun:
        return cls(
            id=strawberry.ID(str(row.id)),
            source=source,
            status=RunStatus(row.status),
            full=row.full,
            started_at=row.started_at,
            finished_at=row.finished_at,
            fetched=row.fetched,
            created=row.created,
            updated=row.updated,
            unchanged=row.unchanged,
            deleted=row.deleted,
            skipped=row.skipped,
            requests=row.requests,
            retries=row.retries,
            error=row.error,
        )


def health_of(newest_run: models.SyncRun | None, *, syncing_here: bool = False) -> SourceHealth:
    """``syncing_here`` covers the moment before a run row exists in this process."""
    if syncing_here or (newest_run is not None and newest_run.status == RunStatus.RUNNING):
        return SourceHealth.SYNCING
    if newest_run is None:
        return SourceHealth.NEVER_SYNCED
    return SourceHealth.OK if newest_run.status == RunStatus.SUCCEEDED else SourceHealth.FAILING
