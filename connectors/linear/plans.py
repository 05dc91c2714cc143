"""Linear's planning data on a node: declared health, project milestones, an issue's dates
from its milestone or cycle, and the dependencies between projects.

Pure functions, as in ``connectors.linear.mapping``; what a node does not let us map raises
``MappingError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.payload import (
    MappingError,
    optional_datetime,
    optional_number,
    parse_date,
    parse_datetime,
)
from connectors.payload import require_mapping as _mapping
from connectors.payload import require_text as _text
from hub.contract.records import DateSource, DeclaredHealth, HealthUpdate, MilestoneRecord

HEALTHS = {
    "onTrack": DeclaredHealth.ON_TRACK,
    "atRisk": DeclaredHealth.AT_RISK,
    "offTrack": DeclaredHealth.OFF_TRACK,
}
"""Linear's ``ProjectUpdateHealthType`` and ``InitiativeUpdateHealthType``; neither has a
"complete" value: a finished project says so in its status, not its health."""
DEPENDENCY_TYPES = frozenset({"blocks", "dependency"})
"""``ProjectRelation.type`` values that make the project block the related one: the schema
types it a string and names "blocks"; Linear's API documents "dependency"."""
DUE_DATE, START_DATE, TARGET_DATE = "Due date", "Start date", "Target date"
"""The date fields as Linear's app names them."""


@dataclass(frozen=True, slots=True)
class Dated:
    """A date and where it came from."""

    day: date
    source: DateSource
    field: str


def declared_health(node: Mapping[str, Any]) -> HealthUpdate | None:
    """The health the team declared on a project or initiative: its ``health`` (Linear keeps
    the latest update's), told when, by whom and why by ``lastUpdate``. A health value this
    code does not know is no declaration, rather than a reason to skip the project."""
    raw_update = node.get("lastUpdate")
    update = None if raw_update is None else _mapping(raw_update, "lastUpdate")
    value = node.get("health")
    if value is None and update is not None:
        value = update.get("health")
    status = HEALTHS.get(value) if isinstance(value, str) else None
    if status is None:
        return None
    if update is None:
        return HealthUpdate(status, at=optional_datetime(node.get("healthUpdatedAt"), "health"))
    user = update.get("user")
    return HealthUpdate(
        status,
        at=optional_datetime(update.get("createdAt"), "lastUpdate.createdAt"),
        by=(user.get("name") or None) if isinstance(user, Mapping) else None,
        note=str(update.get("body") or ""),
    )


def milestones(connection: Any) -> tuple[MilestoneRecord, ...]:
    """A project's ``projectMilestones``, in the order Linear lists them."""
    found = []
    for node in nodes(connection):
        name = _text(node.get("name"), "projectMilestones.nodes[].name")
        status = node.get("status")
        found.append(
            MilestoneRecord(
                external_id=_text(node.get("id"), "projectMilestones.nodes[].id"),
                name=name,
                target_date=parse_date(node.get("targetDate"), f"milestone {name!r} targetDate"),
                status=status if isinstance(status, str) and status else None,
                progress=optional_number(node.get("progress"), f"milestone {name!r} progress"),
                sort_order=optional_number(node.get("sortOrder"), f"milestone {name!r} sortOrder"),
            )
        )
    return tuple(found)


def issue_dates(node: Mapping[str, Any]) -> dict[str, Any]:
    """An issue's dates as ``ItemRecord`` fields. Target: its own ``dueDate``, else its
    milestone's target date, else the end of its cycle; start: the start of its cycle, unless
    that comes after the target (a due date before the cycle says nothing of a start)."""
    due = parse_date(node.get("dueDate"), "dueDate")
    cycle_start, cycle_end = cycle_dates(node.get("cycle"), _team_zone(node.get("team")))
    target = (
        (Dated(due, DateSource.FIELD, DUE_DATE) if due else None)
        or milestone_date(node.get("projectMilestone"))
        or cycle_end
    )
    start = cycle_start
    if start is not None and target is not None and start.day > target.day:
        start = None
    return {**_fields("start", start), **_fields("target", target)}


def project_dates(node: Mapping[str, Any]) -> dict[str, Any]:
    """A project's own ``startDate`` and ``targetDate`` as ``ItemRecord`` fields."""
    start = parse_date(node.get("startDate"), "startDate")
    target = parse_date(node.get("targetDate"), "targetDate")
    return {
        **_fields("start", Dated(start, DateSource.FIELD, START_DATE) if start else None),
        **_fields("target", Dated(target, DateSource.FIELD, TARGET_DATE) if target else None),
    }


def _fields(end: str, dated: Dated | None) -> dict[str, Any]:
    if dated is None:
        return {f"{end}_date": None, f"{end}_date_source": None, f"{end}_date_field": None}
    return {
        f"{end}_date": dated.day,
        f"{end}_date_source": dated.source,
        f"{end}_date_field": dated.field,
    }


def milestone_date(value: Any) -> Dated | None:
    if value is None:
        return None
    milestone = _mapping(value, "projectMilestone")
    name = _text(milestone.get("name"), "projectMilestone.name")
    day = parse_date(milestone.get("targetDate"), "projectMilestone.targetDate")
    return Dated(day, DateSource.MILESTONE, name) if day else None


def cycle_dates(value: Any, zone: ZoneInfo | None) -> tuple[Dated | None, Dated | None]:
    """A cycle's first and last day in the team's time zone (UTC when unknown): Linear's
    cycles run from ``startsAt`` up to, not including, ``endsAt``, the team's midnights."""
    if value is None:
        return None, None
    cycle = _mapping(value, "cycle")
    number = optional_number(cycle.get("number"), "cycle.number")
    name = cycle.get("name") or (f"Cycle {number:g}" if number is not None else "Cycle")
    starts = parse_datetime(cycle.get("startsAt"), "cycle.startsAt")
    ends = parse_datetime(cycle.get("endsAt"), "cycle.endsAt") - timedelta(microseconds=1)
    first, last = _day(starts, zone), _day(ends, zone)
    return Dated(first, DateSource.CYCLE, str(name)), Dated(
        max(first, last), DateSource.CYCLE, str(name)
    )


def dependencies(node: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The projects a project blocks (its ``relations``) and is blocked by (its
    ``inverseRelations``). An end anchored at a milestone still links the two projects."""
    blocks = _related(node.get("relations"), "relatedProject")
    blocked_by = _related(node.get("inverseRelations"), "project")
    return blocks, blocked_by


def nodes(connection: Any) -> list[Mapping[str, Any]]:
    """The ``nodes`` of a nested connection (none when it is null)."""
    if connection is None:
        return []
    found = _mapping(connection, "connection").get("nodes")
    if not isinstance(found, list):
        raise MappingError("a nested connection has no 'nodes' list")
    return [n for n in found if isinstance(n, Mapping)]


def _related(connection: Any, side: str) -> tuple[str, ...]:
    ids: dict[str, None] = {}
    for relation in nodes(connection):
        if relation.get("type") in DEPENDENCY_TYPES:
            ids[_text(_mapping(relation.get(side), side).get("id"), f"{side}.id")] = None
    return tuple(ids)


def _team_zone(team: Any) -> ZoneInfo | None:
    name = team.get("timezone") if isinstance(team, Mapping) else None
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _day(moment: datetime, zone: ZoneInfo | None) -> date:
    return (moment.astimezone(zone) if zone else moment).date()
