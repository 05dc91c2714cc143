"""Mutations: start a sync of one source now.

What a client can act on (an unknown source, a sync already under way, a server that runs no
syncs) comes back as a typed member of the result union rather than an error, so that the
client can branch on ``__typename``. A sync that runs and fails is a ``SyncRun`` too: its
status and error say what happened.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from sqlalchemy import select

from hub.contract.records import RunStatus
from hub.storage import models
from schema.context import Info
from schema.runs import SyncRun


@strawberry.interface(description="A reason the hub did not start the sync asked for.")
class SyncSourceProblem:
    message: str


@strawberry.type(description="No source of that name is configured on this server.")
class UnknownSource(SyncSourceProblem):
    pass


@strawberry.type(description="A sync of that source is under way; try again once it ends.")
class SyncBusy(SyncSourceProblem):
    pass


@strawberry.type(description="This server runs no syncs (it serves the API only).")
class SyncUnavailable(SyncSourceProblem):
    pass


SyncSourceResult: TypeAlias = Annotated[
    SyncRun | UnknownSource | SyncBusy | SyncUnavailable,
    strawberry.union("SyncSourceResult", description="The run, or why there was none."),
]


async def newest_run(info: Info, source: str) -> models.SyncRun | None:
    statement = (
        select(models.SyncRun)
        .join(models.Source, models.Source.id == models.SyncRun.source_id)
        .where(models.Source.name == source)
        .order_by(models.SyncRun.id.desc())
        .limit(1)
    )
    async with info.context.sessions() as session:
        return await session.scalar(statement)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Sync a source now and answer when the sync ends; `full` reads everything "
        "again and reconciles deletions."
    )
    async def sync_source(self, info: Info, name: str, full: bool = False) -> SyncSourceResult:
        syncs = info.context.syncs
        if syncs is None:
            return SyncUnavailable(
                message="this server does not run syncs; use `hub sync` or a server started "
                "with `hub serve`"
            )
        if info.context.source(name) is None:
            known = ", ".join(s.name for s in info.context.config.sources) or "none"
            return UnknownSource(message=f"no source named '{name}' (configured: {known})")
        report = await syncs.run_now(name, full=full)
        if report.status is RunStatus.BUSY:
            return SyncBusy(message=report.error or f"source '{name}' is being synced")
        run = await newest_run(info, name)
        if run is None:
            raise LookupError(f"the sync of {name} ended with status {report.status} but no run")
        return SyncRun.from_row(run, name)
