"""Dates as the hub shows them: an item's own, and for an epic or initiative without them,
dates derived from its children when read (never stored, so never over a declared date).

An epic or initiative missing its start (target) date takes the earliest start (latest
target) among its live, not canceled children, each child counting with its own date or,
when it is an epic or initiative without one, with the date derived from its own children,
at any depth. A derived date is marked ``CHILDREN``; a declared date always wins, even when
a child starts earlier or ends later. Issues never derive: their children are not planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import (
    SQLColumnExpression,
    String,
    false,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.records import DateSource, Level, StatusCategory
from hub.storage.id_lists import among
from hub.storage.models import WorkItem

_PARENT = cast(SQLColumnExpression[str], WorkItem.parent_id)
"""Every row these statements read has a parent: they select children by it."""
MAX_DEPTH = 16
"""Levels walked down at most; parents form no cycle in a sane tracker, but a bad one must
not loop."""


@dataclass(frozen=True, slots=True)
class DateOrigin:
    """Where a date came from, and the name of the field, sprint or iteration when known."""

    source: DateSource
    field: str | None = None


DERIVED = DateOrigin(DateSource.CHILDREN)


@dataclass(frozen=True, slots=True)
class Span:
    """The earliest start and latest target among some items; either may be missing."""

    start: date | None = None
    target: date | None = None

    def widened(self, start: date | None, target: date | None) -> Span:
        return Span(_earliest(self.start, start), _latest(self.target, target))


@dataclass(frozen=True, slots=True)
class ShownDates:
    """An item's dates as shown: each with its origin, null together."""

    start: date | None
    start_origin: DateOrigin | None
    target: date | None
    target_origin: DateOrigin | None


def own_dates(row: WorkItem) -> ShownDates:
    return ShownDates(
        row.start_date,
        _origin(row.start_date, row.start_date_source, row.start_date_field),
        row.target_date,
        _origin(row.target_date, row.target_date_source, row.target_date_field),
    )


def shown_dates(row: WorkItem, children: Span | None) -> ShownDates:
    """The row's own dates, each missing one filled from ``children`` and marked so."""
    return derive(own_dates(row), row.level, children)


def derive(own: ShownDates, level: Level, children: Span | None) -> ShownDates:
    if children is None or not needs_children(own, level):
        return own
    start, start_origin = own.start, own.start_origin
    if start is None and children.start is not None:
        start, start_origin = children.start, DERIVED
    target, target_origin = own.target, own.target_origin
    if target is None and children.target is not None:
        target, target_origin = children.target, DERIVED
    return ShownDates(start, start_origin, target, target_origin)


def needs_children(own: ShownDates, level: Level) -> bool:
    """Whether some date of an item would come from its children."""
    return level is not Level.ISSUE and (own.start is None or own.target is None)


def row_needs_children(row: WorkItem) -> bool:
    return needs_children(own_dates(row), row.level)


async def child_spans(session: AsyncSession, parent_ids: Collection[str]) -> dict[str, Span]:
    """The span of the children of each of ``parent_ids`` (by the rules above; an item with
    no dated child has an empty span). One statement per level of the hierarchy walked."""
    dialect = (await session.connection()).dialect.name
    own: dict[str, Span] = {}
    """Per parent: the span of its children's own dates."""
    deriving: dict[str, list[tuple[str, bool, bool]]] = defaultdict(list)
    """Per parent: its children that derive, and whether they lack a start, a target."""
    frontier, queried = set(parent_ids), set(parent_ids)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        live = (
            among(dialect, _PARENT, frontier),
            WorkItem.deleted == false(),
            WorkItem.status_category != StatusCategory.CANCELED,
        )
        # One statement a level: per parent the span of its children's own dates (no child
        # id), then each child that derives, with its own dates.
        spans = (
            select(
                _PARENT,
                null().cast(String),
                func.min(WorkItem.start_date),
                func.max(WorkItem.target_date),
            )
            .where(*live)
            .group_by(_PARENT)
        )
        undated = select(_PARENT, WorkItem.id, WorkItem.start_date, WorkItem.target_date).where(
            *live,
            WorkItem.level != Level.ISSUE,
            or_(WorkItem.start_date.is_(None), WorkItem.target_date.is_(None)),
        )
        children = set()
        for parent, child, start, target in await session.execute(union_all(spans, undated)):
            if child is None:
                own[parent] = Span(start, target)
            else:
                deriving[parent].append((child, start is None, target is None))
                children.add(child)
        frontier = children - queried
        queried |= frontier
    return {parent: _span(parent, own, deriving, set()) for parent in parent_ids}


def _span(
    item: str,
    own: dict[str, Span],
    deriving: dict[str, list[tuple[str, bool, bool]]],
    visiting: set[str],
) -> Span:
    """The span of ``item``'s children, those that derive counting with their own children's
    (a parent cycle is cut where it closes)."""
    visiting.add(item)
    span = own.get(item, Span())
    for child, lacks_start, lacks_target in deriving.get(item, ()):
        if child in visiting:
            continue
        below = _span(child, own, deriving, visiting)
        span = span.widened(
            below.start if lacks_start else None, below.target if lacks_target else None
        )
    visiting.discard(item)
    return span


def _origin(day: date | None, source: DateSource | None, field: str | None) -> DateOrigin | None:
    # Rows written before dates had sources were migrated to FIELD; a date with none is one.
    return None if day is None else DateOrigin(source or DateSource.FIELD, field)


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)
