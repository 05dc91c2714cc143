"""An issue's start and target dates, read from the places a source's ``dates`` names, in order.

Each date is taken from the first place that has one, on its own: an issue with only a Target
end in Plans and an active sprint starts with its sprint and ends on its Target end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from connectors.jira.fields import CustomFields
from connectors.payload import MAPPINGS, MappingError, parse_date, parse_datetime
from connectors.payload import require_mapping as _mapping
from hub.contract.records import DateSource

DEFAULT_ORDER = ("plans", "fields", "sprint")
"""``SourceConfig.dates``' default: what a team set by hand before what its board implies."""
DUE_DATE = "Due date"
_OPEN_SPRINTS = frozenset({"active", "future"})


@dataclass(frozen=True, slots=True)
class Dated:
    """A date and where it came from: the field, sprint or version name it was read from."""

    day: date
    source: DateSource
    field: str


Pair = tuple[Dated | None, Dated | None]


def issue_dates(fields: Mapping[str, Any], known: CustomFields, order: Sequence[str]) -> Pair:
    """``(start, target)`` of an issue's ``fields``, each from the first source that has it."""
    start: Dated | None = None
    target: Dated | None = None
    for name in order:
        found_start, found_target = _READERS[name](fields, known)
        start = start or found_start
        target = target or found_target
        if start and target:
            break
    return start, target


def _plans(fields: Mapping[str, Any], known: CustomFields) -> Pair:
    return (
        _field_date(fields, known.target_start, known, "Target start"),
        _field_date(fields, known.target_end, known, "Target end"),
    )


def _fields(fields: Mapping[str, Any], known: CustomFields) -> Pair:
    due = parse_date(fields.get("duedate"), "fields.duedate")
    return (
        _field_date(fields, known.start_date, known, "Start date"),
        Dated(due, DateSource.FIELD, DUE_DATE) if due else None,
    )


def _sprint(fields: Mapping[str, Any], known: CustomFields) -> Pair:
    """The open sprint's start and end, else the last closed one's (Jira lists them all)."""
    sprint = current_sprint(fields.get(known.sprint) if known.sprint else None, known.sprint)
    if sprint is None:
        return None, None
    name = str(sprint.get("name") or sprint.get("id"))
    start, end = (_sprint_day(sprint, key, name) for key in ("startDate", "endDate"))
    return (
        Dated(start, DateSource.SPRINT, name) if start else None,
        Dated(end, DateSource.SPRINT, name) if end else None,
    )


def _sprint_day(sprint: Mapping[str, Any], key: str, name: str) -> date | None:
    """The UTC day of a sprint's time: boards give instants, the hub keeps calendar days."""
    value = sprint.get(key)
    return None if value is None else parse_datetime(value, f"sprint {name}: {key}").date()


def current_sprint(value: Any, field_id: str | None) -> Mapping[str, Any] | None:
    """The issue's open sprint, else the closed one that ended last, else None."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise MappingError(f"fields.{field_id}: expected a list of sprints, got {value!r}")
    sprints = [_mapping(s, f"fields.{field_id}[]") for s in value]
    open_ones = [s for s in sprints if s.get("state") in _OPEN_SPRINTS]
    if open_ones:
        return open_ones[-1]
    ended = [s for s in sprints if s.get("endDate") is not None]
    return max(ended, key=lambda s: parse_datetime(s["endDate"], "sprint endDate"), default=None)


def _release(fields: Mapping[str, Any], known: CustomFields) -> Pair:
    """The earliest unreleased fix version's release date, else the latest released one's."""
    dated: list[tuple[bool, date, str]] = []
    for version in fields.get("fixVersions") or ():
        if not isinstance(version, MAPPINGS):
            raise MappingError(f"fields.fixVersions[]: expected an object, got {version!r}")
        day = parse_date(version.get("releaseDate"), "fields.fixVersions[].releaseDate")
        if day is not None and not version.get("archived"):
            dated.append((version.get("released") is True, day, str(version.get("name"))))
    unreleased = [(day, name) for released, day, name in dated if not released]
    released = [(day, name) for is_released, day, name in dated if is_released]
    chosen = min(unreleased) if unreleased else max(released, default=None)
    return None, Dated(chosen[0], DateSource.RELEASE, chosen[1]) if chosen else None


def _field_date(
    fields: Mapping[str, Any], field_id: str | None, known: CustomFields, usual: str
) -> Dated | None:
    if not field_id:
        return None
    day = parse_date(fields.get(field_id), f"fields.{field_id}")
    return Dated(day, DateSource.FIELD, known.name(field_id, usual)) if day else None


_READERS: dict[str, Callable[[Mapping[str, Any], CustomFields], Pair]] = {
    "plans": _plans,
    "fields": _fields,
    "sprint": _sprint,
    "release": _release,
}
"""The names ``SourceConfig.dates`` accepts."""
