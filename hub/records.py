"""The unified model as plain records: what connectors produce and the sync engine stores.

Connectors map tracker payloads to these with pure functions; nothing here touches HTTP or the
database. Identifiers inside a record are the tracker's own (``external_id``); the engine turns
them into hub ids (``source:external_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any


class _Vocabulary(StrEnum):
    """A ``StrEnum`` whose ``repr`` is built once per member: a stored item's content hash
    takes the ``repr`` of two members, and ``Enum.__repr__`` formats it anew each time. The
    text is the same, so content hashes do not change."""

    def __repr__(self) -> str:
        return _REPRS.get(id(self)) or Enum.__repr__(self)


_REPRS: dict[int, str] = {}


class Level(_Vocabulary):
    INITIATIVE = "INITIATIVE"
    EPIC = "EPIC"
    ISSUE = "ISSUE"


class StatusCategory(_Vocabulary):
    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELED = "CANCELED"


class Provenance(_Vocabulary):
    """Where a dependency comes from: the tracker's own link, a mention in text, or a person."""

    TRACKER = "TRACKER"
    MENTION = "MENTION"
    MANUAL = "MANUAL"


_REPRS.update(
    (id(member), Enum.__repr__(member))
    for vocabulary in (Level, StatusCategory, Provenance)
    for member in vocabulary
)


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
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


def hub_id(source: str, external_id: str) -> str:
    """The stable hub id of an item: ``source:external_id``."""
    return f"{source}:{external_id}"
