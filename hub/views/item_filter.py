"""Which items a list shows: the filter of the ``items`` query, as SQL conditions.

Every condition is a column test or a subquery, so a filtered page is still one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Boolean, ColumnElement, false, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from hub.contract.records import Level, StatusCategory
from hub.storage.models import Component, ItemComponent, Person, Source, WorkItem
from hub.views.filter_values import check_day, check_text


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Every field given narrows the list; None (and an empty ``text``) narrows nothing."""

    level: Level | None = None
    source: str | None = None
    """Source name."""
    status_category: StatusCategory | None = None
    component: str | None = None
    """Component name."""
    text: str | None = None
    """Case-insensitive substring of the title or the key."""
    status_categories: Sequence[StatusCategory] | None = None
    """Any of these; an empty sequence matches nothing."""
    initiative: str | None = None
    """Key (any case) or hub id of an initiative: its epics and their issues."""
    assignee: str | None = None
    """The assignee's name or email (any case), or their id in their tracker."""
    label: str | None = None
    """Carries this exact label."""
    target_from: date | None = None
    target_to: date | None = None

    def __post_init__(self) -> None:
        check_text(self.text)
        check_day(self.target_from, "targetFrom")
        check_day(self.target_to, "targetTo")


def filter_conditions(item_filter: ItemFilter) -> list[ColumnElement[bool]]:
    """SQL conditions on ``WorkItem`` for the filter; deleted items are the caller's to leave
    out."""
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
