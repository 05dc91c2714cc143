"""Mutations for what people decide and no tracker says: initiatives created through the API,
epics assigned to initiatives, and manual dependencies. No re-sync undoes any of them.

The work is done by ``hub.sync.manual``; here its refusals become typed members of each result
union (as in ``schema.mutations``), so that a client branches on ``__typename``. Each GraphQL
problem type has the name and the fields of the error class it reports
(``hub.contract.errors``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Annotated, TypeAlias, cast

import strawberry

from hub.contract.errors import ManualChangeRejected
from hub.contract.records import Level, StatusCategory
from hub.storage import models
from hub.storage.database import transaction
from hub.sync import manual
from schema.context import Info
from schema.types import Item


@strawberry.interface(description="A reason the hub did not make the change asked for.")
class ManualChangeProblem:
    message: str


@strawberry.type(description="No live item has that tracker key or hub id.")
class ItemNotFound(ManualChangeProblem):
    reference: str = strawberry.field(description="The key or id as given.")


@strawberry.type(description="No live initiative has that key or hub id.")
class InitiativeNotFound(ManualChangeProblem):
    reference: str


@strawberry.type(description="The tracker key names items in several sources; use a hub id.")
class AmbiguousItemKey(ManualChangeProblem):
    reference: str
    ids: list[strawberry.ID]


@strawberry.type(description="Only epics can be assigned to an initiative.")
class NotAnEpic(ManualChangeProblem):
    level: Level


@strawberry.type(description="The item has no manual initiative assignment.")
class AssignmentNotFound(ManualChangeProblem):
    pass


@strawberry.type(description="An initiative key must be a lowercase slug such as `payments-v2`.")
class InvalidInitiativeKey(ManualChangeProblem):
    key: str


@strawberry.type(description="A field of the new initiative is wrong; the message names it.")
class InvalidInitiative(ManualChangeProblem):
    pass


@strawberry.type(description="The key belongs to an initiative already (in the config or not).")
class InitiativeKeyTaken(ManualChangeProblem):
    key: str


@strawberry.type(description="An item cannot block itself.")
class SelfDependency(ManualChangeProblem):
    pass


@strawberry.type(description="That manual dependency exists already.")
class DuplicateDependency(ManualChangeProblem):
    pass


@strawberry.type(description="There is no such manual dependency.")
class DependencyNotFound(ManualChangeProblem):
    pass


@strawberry.input(description="A hub-native initiative; only the key and the title are required.")
class CreateInitiativeInput:
    key: str = strawberry.field(description="Lowercase slug, e.g. `payments-v2`; never changes.")
    title: str
    owner: str | None = None
    description: str | None = None
    start_date: date | None = None
    target_date: date | None = None
    status: StatusCategory = StatusCategory.IN_PROGRESS


@strawberry.type(description="An epic placed under an initiative by a person.")
class InitiativeAssignment:
    item: Item
    initiative: Item
    assigned_at: datetime


@strawberry.type(description="`blocker` blocks `blocked`, because a person said so.")
class ManualDependency:
    note: str | None
    created_at: datetime
    blocker_id: strawberry.Private[str]
    blocked_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: models.Dependency) -> ManualDependency:
        return cls(
            note=row.note,
            created_at=row.created_at,
            blocker_id=row.blocker_id,
            blocked_id=row.blocked_id,
        )

    @strawberry.field(description="Null once the item is deleted.")
    async def blocker(self, info: Info) -> Item | None:
        return await _item(info, self.blocker_id)

    @strawberry.field(description="Null once the item is deleted.")
    async def blocked(self, info: Info) -> Item | None:
        return await _item(info, self.blocked_id)


async def _item(info: Info, item_id: str) -> Item | None:
    row = await info.context.loaders.item_by_id.load(item_id)
    return None if row is None else Item.from_row(row)


CreateInitiativeResult: TypeAlias = Annotated[
    Item | InitiativeKeyTaken | InvalidInitiativeKey | InvalidInitiative,
    strawberry.union("CreateInitiativeResult", description="The initiative, or why not."),
]
AssignToInitiativeResult: TypeAlias = Annotated[
    InitiativeAssignment | ItemNotFound | InitiativeNotFound | AmbiguousItemKey | NotAnEpic,
    strawberry.union("AssignToInitiativeResult", description="The assignment, or why not."),
]
UnassignFromInitiativeResult: TypeAlias = Annotated[
    Item | ItemNotFound | AmbiguousItemKey | AssignmentNotFound,
    strawberry.union(
        "UnassignFromInitiativeResult", description="The item as it is now, or why not."
    ),
]
AddDependencyResult: TypeAlias = Annotated[
    ManualDependency | ItemNotFound | AmbiguousItemKey | SelfDependency | DuplicateDependency,
    strawberry.union("AddDependencyResult", description="The new dependency, or why not."),
]
RemoveDependencyResult: TypeAlias = Annotated[
    ManualDependency | ItemNotFound | AmbiguousItemKey | DependencyNotFound,
    strawberry.union("RemoveDependencyResult", description="The removed dependency, or why not."),
]


PROBLEM_TYPES: dict[str, type[ManualChangeProblem]] = {
    problem_type.__name__: problem_type
    for problem_type in (
        ItemNotFound,
        InitiativeNotFound,
        AmbiguousItemKey,
        NotAnEpic,
        AssignmentNotFound,
        InvalidInitiativeKey,
        InvalidInitiative,
        InitiativeKeyTaken,
        SelfDependency,
        DuplicateDependency,
        DependencyNotFound,
    )
}
"""Each refusal's GraphQL type, by the name it shares with its error class."""


def problem(rejected: ManualChangeRejected) -> ManualChangeProblem:
    """The GraphQL type of a refusal, its fields read from the error's attributes of the
    same names; every mutation's union lists those its operation raises."""
    problem_type = PROBLEM_TYPES[type(rejected).__name__]
    fields = {
        field.name: getattr(rejected, field.name)
        for field in dataclasses.fields(problem_type)
        if field.name != "message"
    }
    return problem_type(message=str(rejected), **fields)


def _now() -> datetime:
    return datetime.now(UTC)


def _declared_initiatives(info: Info) -> set[str]:
    """Initiative keys in this server's config, reserved even before a sync stores them."""
    return {initiative.key for initiative in info.context.config.initiatives}


@strawberry.type
class ManualMutation:
    @strawberry.mutation(
        description="Create a hub-native initiative. Unlike those in the config, no config "
        "sync deletes it; an initiative later declared in the config with its key takes it over."
    )
    async def create_initiative(
        self, info: Info, input: CreateInitiativeInput
    ) -> CreateInitiativeResult:
        new = manual.NewInitiative(
            key=input.key,
            title=input.title,
            owner=input.owner,
            description=input.description,
            start_date=input.start_date,
            target_date=input.target_date,
            status=input.status,
        )
        try:
            async with transaction(info.context.sessions) as session:
                row = await manual.create_initiative(
                    session, new, _now(), declared=_declared_initiatives(info)
                )
        except ManualChangeRejected as rejected:
            return cast(CreateInitiativeResult, problem(rejected))
        return Item.from_row(row)

    @strawberry.mutation(
        description="Place an epic under an initiative, whatever its tracker or the hub rules "
        "say; it stays there through every sync. `item` is a tracker key or hub id, "
        "`initiative` a key or hub id."
    )
    async def assign_to_initiative(
        self, info: Info, item: str, initiative: str
    ) -> AssignToInitiativeResult:
        try:
            async with transaction(info.context.sessions) as session:
                done = await manual.assign_to_initiative(session, item, initiative, _now())
        except ManualChangeRejected as rejected:
            return cast(AssignToInitiativeResult, problem(rejected))
        return InitiativeAssignment(
            item=Item.from_row(done.item),
            initiative=Item.from_row(done.initiative),
            assigned_at=done.assigned_at,
        )

    @strawberry.mutation(
        description="Remove an epic's manual assignment. It has no parent until its source "
        "next sends it, which restores the tracker's or the rules' parent; a full sync of "
        "the source does that at once."
    )
    async def unassign_from_initiative(self, info: Info, item: str) -> UnassignFromInitiativeResult:
        try:
            async with transaction(info.context.sessions) as session:
                row = await manual.unassign_from_initiative(session, item)
        except ManualChangeRejected as rejected:
            return cast(UnassignFromInitiativeResult, problem(rejected))
        return Item.from_row(row)

    @strawberry.mutation(
        description="Record that `blocker` blocks `blocked` (tracker keys or hub ids); syncs "
        "never remove it."
    )
    async def add_dependency(
        self, info: Info, blocker: str, blocked: str, note: str | None = None
    ) -> AddDependencyResult:
        try:
            async with transaction(info.context.sessions) as session:
                row = await manual.add_dependency(session, blocker, blocked, note, _now())
        except ManualChangeRejected as rejected:
            return cast(AddDependencyResult, problem(rejected))
        return ManualDependency.from_row(row)

    @strawberry.mutation(
        description="Remove a manual dependency; those from trackers and mentions change only "
        "in the tracker."
    )
    async def remove_dependency(
        self, info: Info, blocker: str, blocked: str
    ) -> RemoveDependencyResult:
        try:
            async with transaction(info.context.sessions) as session:
                row = await manual.remove_dependency(session, blocker, blocked)
        except ManualChangeRejected as rejected:
            return cast(RemoveDependencyResult, problem(rejected))
        return ManualDependency.from_row(row)
