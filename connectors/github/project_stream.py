"""A project's own stream: the issues whose plan changed in the project since the last sync.

A repository's stream sees an issue again only when the issue changes; editing its card's
dates or status, or posting a status update, leaves the issue untouched. This stream re-emits,
from the plan index (no request of its own):

- the issues whose card changed (``updatedAt`` newer than the cursor's);
- every epic of the project when its latest status update is newer than the cursor's;
- the issues that left the project, asked for by id (one request per 100), mapped without
  its values;
- everything on its first sync.

Issues another stream of this sync already emitted with the same index are left out.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from connectors.base import Batch, Skipped
from connectors.github.cursor import Cursor, iso_seconds
from connectors.github.plan_index import PlanIndex, ProjectPlan
from connectors.github.projects import content_id, planned_issue
from connectors.payload import MappingError
from hub.contract.errors import HubError
from hub.contract.records import ItemRecord, Level

ITEMS_PER_BATCH = 1000
MAX_NODE_IDS = 100

Mapped = ItemRecord | Skipped
MapContent = Callable[[Mapping[str, Any], bytes], Mapped]
FetchIssues = Callable[[Sequence[str]], Awaitable[list[dict[str, Any]]]]


@dataclass(slots=True)
class ProjectCursor:
    """The newest card change seen (with the cards read at that second), when the newest
    status update was posted, and the node ids of the issues the project held."""

    items: Cursor = field(default_factory=Cursor)
    status_at: datetime | None = None
    members: set[str] = field(default_factory=set)


def project_cursor(plan: ProjectPlan) -> ProjectCursor:
    """Where the stream stands once everything read now is stored."""
    cursor = ProjectCursor(status_at=plan.health_at)
    for updated, item_id in plan.items:
        cursor.items.advance(_second(updated), item_id)
    cursor.members = {card.node_id for card in plan.cards.values() if card.node_id}
    return cursor


def encode_project_cursor(cursor: ProjectCursor) -> str:
    return json.dumps(
        {
            "since": iso_seconds(cursor.items.since) if cursor.items.since else None,
            "seen": sorted(cursor.items.seen),
            "status": iso_seconds(cursor.status_at) if cursor.status_at else None,
            "members": sorted(cursor.members),
        },
        separators=(",", ":"),
    )


def decode_project_cursor(cursor: str | None) -> ProjectCursor | None:
    """A stored cursor, None before the first sync; one we cannot read asks for a full sync."""
    if cursor is None:
        return None
    try:
        value = json.loads(cursor)
        since, status = _moment(value["since"]), _moment(value["status"])
        seen, members = value["seen"], value["members"]
        if not all(isinstance(s, str) for s in (*seen, *members)):
            raise ValueError(cursor)
    except (ValueError, TypeError, KeyError):
        raise HubError(
            f"stored GitHub project cursor {cursor[:80]!r} is not readable; run a full sync"
        ) from None
    return ProjectCursor(Cursor(since, set(seen)), status, set(members))


async def project_batches(
    plan: ProjectPlan,
    index: PlanIndex,
    repos: Iterable[str],
    incoming: str | None,
    map_content: MapContent,
    fetch: FetchIssues,
) -> AsyncIterator[Batch]:
    """The batches of one project's stream, the cursor on the last."""
    start = decode_project_cursor(incoming)
    after = project_cursor(plan)
    health_is_new = start is None or (
        plan.health_at is not None
        and (start.status_at is None or _second(plan.health_at) > start.status_at)
    )
    mapped: list[Mapped] = []
    for external_id, card in plan.cards.items():
        if external_id in index.emitted:
            continue
        changed = start is None or _is_newer(start.items, card.updated, card.item_id)
        if not changed and not health_is_new:
            continue
        record = map_content(card.content(), card.issue)
        if changed or (isinstance(record, ItemRecord) and record.level is Level.EPIC):
            mapped.append(record)
    left = sorted(start.members - after.members) if start else []
    for begin in range(0, len(left), MAX_NODE_IDS):
        for node in await fetch(left[begin : begin + MAX_NODE_IDS]):
            content = planned_issue({"type": "ISSUE", "content": node}, repos)
            if content is not None and _not_emitted(index, content):
                mapped.append(map_content(content, orjson.dumps(content)))
    encoded = encode_project_cursor(after)
    cursor = incoming if incoming == encoded else encoded
    for begin in range(0, max(len(mapped), 1), ITEMS_PER_BATCH):
        chunk = mapped[begin : begin + ITEMS_PER_BATCH]
        last = begin + ITEMS_PER_BATCH >= len(mapped)
        yield Batch(
            items=[m for m in chunk if isinstance(m, ItemRecord)],
            cursor=cursor if last else None,
            skipped=[m for m in chunk if isinstance(m, Skipped)],
        )


def _is_newer(cursor: Cursor, updated: datetime, item_id: str) -> bool:
    moment = _second(updated)
    if cursor.since is None or moment > cursor.since:
        return True
    return moment == cursor.since and item_id not in cursor.seen


def _not_emitted(index: PlanIndex, content: Mapping[str, Any]) -> bool:
    try:
        return content_id(content) not in index.emitted
    except MappingError:
        return True


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return _second(moment)
