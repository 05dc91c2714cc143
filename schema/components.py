"""Root fields of the Components view: the catalog with open work and items at risk, and
the component-to-component dependency matrix."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from hub.contract.records import StatusCategory
from hub.views.components import ComponentSummary, catalog, dependency_matrix
from schema.context import Info
from schema.types import Component, Item

MAX_AT_RISK = 100


@strawberry.type(description="Live items of a component, counted by status category.")
class WorkByStatus:
    todo: int
    in_progress: int
    done: int
    canceled: int


@strawberry.type(description="A component of the catalog with the state of its work.")
class ComponentView:
    name: str
    owner: str | None
    description: str | None
    open_work: WorkByStatus
    component_id: strawberry.Private[int]

    @classmethod
    def from_summary(cls, summary: ComponentSummary) -> ComponentView:
        work = summary.work
        return cls(
            name=summary.name,
            owner=summary.owner,
            description=summary.description,
            open_work=WorkByStatus(
                todo=work.get(StatusCategory.TODO, 0),
                in_progress=work.get(StatusCategory.IN_PROGRESS, 0),
                done=work.get(StatusCategory.DONE, 0),
                canceled=work.get(StatusCategory.CANCELED, 0),
            ),
            component_id=summary.id,
        )

    @strawberry.field(
        description="Open items past their target date, or waiting on an open blocker due "
        f"after them; soonest target first, at most {MAX_AT_RISK}."
    )
    async def items_at_risk(self, info: Info, first: int = 20) -> list[Item]:
        if not 0 <= first <= MAX_AT_RISK:
            raise GraphQLError(f"`first` must be between 0 and {MAX_AT_RISK}, got {first}.")
        ids = await info.context.loaders.items_at_risk_by_component.load((self.component_id, first))
        rows = await info.context.loaders.item_by_id.load_many(ids)
        return [Item.from_row(row) for row in rows if row is not None]


@strawberry.type(
    description="`count` item dependencies have their blocker in `from` and the "
    "blocked item in `to`: how much `to` waits on `from`."
)
class ComponentDependency:
    from_: Component = strawberry.field(name="from")
    to: Component
    count: int


@strawberry.type
class ComponentQuery:
    @strawberry.field(description="The component catalog by name.")
    async def components(self, info: Info) -> list[ComponentView]:
        async with info.context.sessions() as session:
            summaries = await catalog(session)
        return [ComponentView.from_summary(summary) for summary in summaries]

    @strawberry.field(
        description="Pairs of different components with item dependencies between them, "
        "largest count first."
    )
    async def component_dependencies(self, info: Info) -> list[ComponentDependency]:
        async with info.context.sessions() as session:
            matrix = await dependency_matrix(session)
        return [
            ComponentDependency(
                from_=Component.from_row(cell.blocker),
                to=Component.from_row(cell.blocked),
                count=cell.count,
            )
            for cell in matrix
        ]
