"""Root queries: one item by tracker key or by hub id (``node``), filtered keyset-paginated
item lists, sources and their sync runs (``schema.sync``).

Errors a client can fix are raised as ``GraphQLError`` so that the app's error masking keeps
their message; anything else is a bug and reaches the client masked.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Boolean, ColumnElement, Select, false, func, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from hub.contract.records import Level
from hub.storage.models import Component, ItemComponent, Person, Source, WorkItem
from schema.context import Info
from schema.loaders import visible_items
from schema.runs import SyncRun
from schema.sync import sources, sync_runs
from schema.types import Item, ItemConnection, ItemEdge, ItemFilter, PageInfo
from schema.types import Source as SourceType

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
_CURSOR_PREFIX = "item:"


def encode_cursor(item: WorkItem) -> str:
    """An opaque position after ``item`` in (key, id) order."""
    payload = _CURSOR_PREFIX + json.dumps([item.key, item.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (key, id) a cursor points after; a clear error for anything this API did not issue."""
    try:
        payload = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
        if not payload.startswith(_CURSOR_PREFIX):
            raise ValueError(payload)
        position = json.loads(payload.removeprefix(_CURSOR_PREFIX))
        if not (isinstance(position, list) and all(isinstance(part, str) for part in position)):
            raise ValueError(payload)
        key, item_id = position
    except (UnicodeError, binascii.Error, ValueError, TypeError):
        raise GraphQLError(
            f"`after` is not a cursor issued by this API: {cursor[:40]!r}; "
            "pass an `endCursor` or `cursor` from a previous page."
        ) from None
    return key, item_id


def _checked_page_size(first: int) -> int:
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}; "
            "page through larger lists with `after`."
        )
    return first


def filter_conditions(item_filter: ItemFilter | None) -> list[ColumnElement[bool]]:
    """SQL conditions for an ``ItemFilter``; deleted items are excluded by ``visible_items``.

    Every condition is a column test or a subquery, so a filtered page is still one statement.
    """
    if item_filter is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if item_filter.level is not None:
        conditions.append(WorkItem.level == item_filter.level)
    if item_filter.status_category is not None:
        conditions.append(WorkItem.status_category == item_filter.status_category)
    if item_filter.status_categories is not None:
        conditions.append(WorkItem.status_category.in_(item_filter.status_categories))
    if item_filter.source is not None:
        source_ids = select(Source.id).where(Source.name == item_filter.source)
        conditions.append(WorkItem.source_id.in_(source_ids))
    if item_filter.component is not None:
        item_ids = (
            select(ItemComponent.item_id)
            .join(Component, Component.id == ItemComponent.component_id)
            .where(Component.name == item_filter.component)
        )
        conditions.append(WorkItem.id.in_(item_ids))
    if item_filter.text:
        conditions.append(
            WorkItem.title.icontains(item_filter.text, autoescape=True)
            | WorkItem.key.icontains(item_filter.text, autoescape=True)
        )
    if item_filter.initiative is not None:
        conditions.append(_under_initiative(item_filter.initiative))
    if item_filter.assignee is not None:
        conditions.append(_assigned_to(item_filter.assignee))
    if item_filter.label is not None:
        conditions.append(HasLabel(WorkItem.labels, item_filter.label))
    if item_filter.target_from is not None:
        conditions.append(WorkItem.target_date >= item_filter.target_from)
    if item_filter.target_to is not None:
        conditions.append(WorkItem.target_date <= item_filter.target_to)
    return conditions


def _under_initiative(reference: str) -> ColumnElement[bool]:
    """Items whose parent or grandparent is the initiative: its epics (by tracker parent, rule
    or assignment, all stored as the parent) and their issues."""
    initiative, epic = aliased(WorkItem), aliased(WorkItem)
    initiative_ids = select(initiative.id).where(
        initiative.level == Level.INITIATIVE,
        initiative.deleted == false(),
        or_(initiative.id == reference, func.lower(initiative.key) == reference.lower()),
    )
    child_ids = select(epic.id).where(epic.parent_id.in_(initiative_ids), epic.deleted == false())
    return WorkItem.parent_id.in_(initiative_ids) | WorkItem.parent_id.in_(child_ids)


def _assigned_to(person: str) -> ColumnElement[bool]:
    """A person by the name or email people know them by, or the tracker's id for them."""
    people = select(Person.id).where(
        or_(
            Person.external_id == person,
            func.lower(Person.email) == person.lower(),
            func.lower(Person.name) == person.lower(),
        )
    )
    return WorkItem.assignee_id.in_(people)


class HasLabel(FunctionElement[bool]):
    """``HasLabel(column, label)``: the JSON list of strings in ``column`` holds ``label``.
    JSON lists are searched differently by each database, so it compiles per dialect."""

    type = Boolean()
    name = "has_label"
    inherit_cache = True


@compiles(HasLabel, "sqlite")
def _has_label_sqlite(element: HasLabel, compiler: SQLCompiler, **kw: Any) -> str:
    column, label = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {label})"


@compiles(HasLabel, "postgresql")
def _has_label_postgresql(element: HasLabel, compiler: SQLCompiler, **kw: Any) -> str:
    column, label = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} @> jsonb_build_array(CAST({label} AS TEXT)))"


def _count(conditions: list[ColumnElement[bool]]) -> Select[int]:
    matching = visible_items().where(*conditions).with_only_columns(WorkItem.id).subquery()
    return select(func.count()).select_from(matching)


async def _page(info: Info, statement: Select[Any]) -> list[WorkItem]:
    async with info.context.sessions() as session:
        return list((await session.scalars(statement)).all())


@strawberry.type
class Query:
    sources: list[SourceType] = strawberry.field(
        resolver=sources,
        description="Tracker connections by name: those the database knows and those "
        "configured on this server.",
    )
    sync_runs: list[SyncRun] = strawberry.field(
        resolver=sync_runs, description="Sync runs, newest first."
    )

    @strawberry.field(
        description="The item with this tracker key, in any case; null if unknown or deleted."
    )
    async def item(self, info: Info, key: str) -> Item | None:
        rows = await info.context.loaders.items_by_key.load(key)
        if len(rows) > 1:
            raise GraphQLError(
                f"key {key!r} names items in several sources ({', '.join(r.id for r in rows)}); "
                "narrow it with `items(filter: {text, source})`."
            )
        return Item.from_row(rows[0]) if rows else None

    @strawberry.field(description="The item with this hub id; null if unknown or deleted.")
    async def node(self, info: Info, id: strawberry.ID) -> Item | None:
        row = await info.context.loaders.item_by_id.load(str(id))
        return None if row is None else Item.from_row(row)

    @strawberry.field(description=f"Items ordered by key; at most {MAX_PAGE_SIZE} per page.")
    async def items(
        self,
        info: Info,
        filter: ItemFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> ItemConnection:
        page_size = _checked_page_size(first)
        conditions = filter_conditions(filter)
        statement = visible_items().where(*conditions)
        if after is not None:
            statement = statement.where(tuple_(WorkItem.key, WorkItem.id) > decode_cursor(after))
        statement = statement.order_by(WorkItem.key, WorkItem.id).limit(page_size + 1)
        rows = await _page(info, statement)
        edges = [
            ItemEdge(cursor=encode_cursor(row), node=Item.from_row(row)) for row in rows[:page_size]
        ]
        return ItemConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > page_size,
                end_cursor=edges[-1].cursor if edges else None,
                start_cursor=edges[0].cursor if edges else None,
            ),
            count_statement=_count(conditions),
        )
