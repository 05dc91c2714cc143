"""The unified model as plain records: what connectors produce and the sync engine stores.

Connectors map tracker payloads to these with pure functions; nothing here touches HTTP or the
database. Identifiers inside a record are the tracker's own (``external_id``); the engine turns
them into hub ids (``source:external_id``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import orjson

EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)
"""The days the hub plans for: a date outside them, from a tracker, the config or a client,
is a typo or garbage (Jira accepts year 20266), never a plan."""


class Level(StrEnum):
    INITIATIVE = "INITIATIVE"
    EPIC = "EPIC"
    ISSUE = "ISSUE"


class StatusCategory(StrEnum):
    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELED = "CANCELED"


class Provenance(StrEnum):
    """Where a dependency comes from: the tracker's own link, a mention in text, or a person."""

    TRACKER = "TRACKER"
    MENTION = "MENTION"
    MANUAL = "MANUAL"


class RunStatus(StrEnum):
    """How a sync run stands; the values are what ``sync_runs.status`` and the API show."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """The process died or was stopped while the run was under way."""
    BUSY = "busy"
    """Not run: another sync of the source held its lock. Never stored."""


class DateSource(StrEnum):
    """Where an item's start or target date came from."""

    FIELD = "FIELD"
    """A date field of the item itself (Jira ``duedate`` or ``Target start``, Linear
    ``dueDate``)."""
    PROJECT_FIELD = "PROJECT_FIELD"
    """A date field of a planning project the item is in (GitHub Projects)."""
    ITERATION = "ITERATION"
    SPRINT = "SPRINT"
    RELEASE = "RELEASE"
    MILESTONE = "MILESTONE"
    CYCLE = "CYCLE"
    CHILDREN = "CHILDREN"
    """Derived when read: the earliest start or latest target of the item's children. Never
    stored; a connector setting it is a mapping error."""
    MANUAL = "MANUAL"


class DeclaredHealth(StrEnum):
    """What a team said about an item's health in a status update (GitHub Projects, Linear)."""

    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    COMPLETE = "COMPLETE"
    INACTIVE = "INACTIVE"


@dataclass(frozen=True, slots=True)
class HealthUpdate:
    """A team's latest word on an item's health: the status, when and by whom, and why."""

    status: DeclaredHealth
    at: datetime | None = None
    by: str | None = None
    """The author's name or login, as the tracker shows it."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class MilestoneRecord:
    """A dated checkpoint of an epic (a Linear project milestone): a list on the epic, not an
    item of its own, as it has no children, assignee or status category to count."""

    external_id: str
    name: str
    target_date: date | None = None
    status: str | None = None
    """The tracker's own word for where it stands (Linear: done, next, overdue, unstarted)."""
    progress: float | None = None
    """The share of its work done, 0 to 1."""
    sort_order: float | None = None
    """Its place among the epic's milestones, as the tracker orders them."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    external_id: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One work item as a tracker describes it, already in the hub's vocabulary."""

    external_id: str
    key: str
    url: str
    title: str
    level: Level
    status_name: str
    status_category: StatusCategory
    created_at: datetime
    updated_at: datetime
    body: str = ""
    parent_external_id: str | None = None
    start_date: date | None = None
    target_date: date | None = None
    completed_at: datetime | None = None
    assignee: PersonRecord | None = None
    labels: tuple[str, ...] = ()
    estimate: float | None = None
    components: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    """External ids of items this one blocks."""
    blocked_by: tuple[str, ...] = ()
    """External ids of items that block this one."""
    deleted: bool = False
    start_date_source: DateSource | None = None
    """Where ``start_date`` came from; the store records FIELD for a date given without one."""
    start_date_field: str | None = None
    """The name of the field, sprint, iteration... the start date was read from."""
    target_date_source: DateSource | None = None
    target_date_field: str | None = None
    declared_health: HealthUpdate | None = None
    milestones: tuple[MilestoneRecord, ...] = ()
    """The epic's dated checkpoints."""
    raw: bytes = field(default=b"{}", compare=False)
    """The tracker's payload as UTF-8 JSON, stored as the item's ``raw``: the text the tracker
    sent (``connectors.body.element``) or the parsed payload written by ``raw_json``."""


def hub_id(source: str, external_id: str) -> str:
    """The stable hub id of an item: ``source:external_id``."""
    return f"{source}:{external_id}"


def raw_json(payload: Any) -> bytes:
    """A tracker's payload as UTF-8 JSON, serialized once, where it is mapped: the store hashes
    and writes these bytes, and the parsed page is freed at once instead of staying alive (and
    walked by every garbage collection) until its batch is stored. PostgreSQL refuses NUL
    characters in JSON: they are removed."""
    document = _dump(payload)
    return _dump(_without_nul(payload)) if b"\\u0000" in document else document


def _dump(value: Any) -> bytes:
    # Without OPT_NON_STR_KEYS, which doubles orjson's time: parsed JSON has text keys only,
    # and a payload with other keys still gets the json module.
    try:
        return orjson.dumps(value, default=str)
    except TypeError:
        return json.dumps(value, default=str, ensure_ascii=False).encode()


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value
