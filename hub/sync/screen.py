"""Records from a tracker checked before they are stored: what cannot be stored is skipped
with a reason, what can be made storable is cleaned. Never a crash, never a lost batch.

PostgreSQL refuses NUL characters in text and JSON, so they are removed (from the raw payload
when the connector serializes it, ``hub.contract.records.raw_json``); identifiers longer than their
columns are refused; a description beyond ``MAX_BODY`` characters is cut. A milestone with
no id or name is dropped; one whose date or progress is out of bounds keeps the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from connectors.base import Skipped
from hub.contract.records import (
    EARLIEST_DAY,
    LATEST_DAY,
    DateSource,
    ItemRecord,
    MilestoneRecord,
)

MAX_BODY = 1_000_000
LIMITS = {"external_id": 128, "key": 200, "url": 1024, "status_name": 128}
"""Column sizes of ``work_items`` for the tracker's identifiers and names."""
NAME_LENGTH = 200
"""Column size of the names a date was read from and of a status update's author: longer
ones are cut, as they only tell people where to look."""


def screen(items: Sequence[ItemRecord]) -> tuple[list[ItemRecord], list[Skipped]]:
    kept: list[ItemRecord] = []
    skipped: list[Skipped] = []
    for item in items:
        try:
            kept.append(_clean(item))
        except ValueError as exc:
            skipped.append(Skipped(key=item.key[:200] or item.external_id[:128], reason=str(exc)))
    return kept, skipped


def _clean(item: ItemRecord) -> ItemRecord:
    for name, limit in LIMITS.items():
        value: str = getattr(item, name)
        if not value:
            raise ValueError(f"{name} is empty")
        if len(value) > limit:
            raise ValueError(f"{name} has {len(value)} characters; the hub stores at most {limit}")
    for name in ("start_date_source", "target_date_source"):
        if getattr(item, name) is DateSource.CHILDREN:
            raise ValueError(f"{name} is CHILDREN, which the hub derives and never stores")
    changes: dict[str, Any] = {}
    for name in ("start_date_field", "target_date_field"):
        value = getattr(item, name)
        if value is not None and ("\x00" in value or len(value) > NAME_LENGTH):
            changes[name] = value.replace("\x00", "")[:NAME_LENGTH]
    update = item.declared_health
    if update is not None:
        by = None if update.by is None else update.by.replace("\x00", "")[:NAME_LENGTH]
        note = update.note.replace("\x00", "")[:MAX_BODY]
        if (by, note) != (update.by, update.note):
            changes["declared_health"] = replace(update, by=by, note=note)
    for name in ("title", "body", "status_name", "key", "url"):
        value = getattr(item, name)
        if "\x00" in value:
            changes[name] = value.replace("\x00", "")
    if "\x00" in "".join(item.labels):
        changes["labels"] = tuple(label.replace("\x00", "") for label in item.labels)
    if item.milestones:
        milestones = _milestones(item.milestones)
        if milestones != item.milestones:
            changes["milestones"] = milestones
    if len(changes.get("body", item.body)) > MAX_BODY:
        changes["body"] = changes.get("body", item.body)[:MAX_BODY]
    return replace(item, **changes) if changes else item


def _milestones(milestones: Sequence[MilestoneRecord]) -> tuple[MilestoneRecord, ...]:
    """The milestones that can be shown, each made storable: text without NUL, names cut to
    ``NAME_LENGTH``, a progress outside 0–1 and a date outside the calendar's bounds dropped."""
    kept: list[MilestoneRecord] = []
    for milestone in milestones:
        external_id = milestone.external_id.replace("\x00", "")[: LIMITS["external_id"]]
        name = milestone.name.replace("\x00", "")[:NAME_LENGTH]
        if not external_id or not name:
            continue
        status = milestone.status
        progress, sort_order, day = milestone.progress, milestone.sort_order, milestone.target_date
        kept.append(
            replace(
                milestone,
                external_id=external_id,
                name=name,
                status=None if status is None else status.replace("\x00", "")[:NAME_LENGTH],
                progress=progress if progress is not None and 0 <= progress <= 1 else None,
                sort_order=sort_order
                if sort_order is not None and math.isfinite(sort_order)
                else None,
                target_date=day if day is not None and EARLIEST_DAY <= day <= LATEST_DAY else None,
            )
        )
    return tuple(kept)
