"""Where a GitHub stream stands: the newest change seen and the ids read at that second.

GitHub's ``since`` and ``updatedAt`` have whole-second precision and ``since`` is inclusive, so
a cursor keeps the ids already read at exactly its second: the next sync lists them again and
drops them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hub.contract.errors import HubError


@dataclass(slots=True)
class Cursor:
    """Where a repository's stream stands: the newest ``updated_at`` seen (whole seconds) and
    the ids already read at exactly that second, which ``since`` will list again."""

    since: datetime | None = None
    seen: set[str] = field(default_factory=set)

    def advance(self, updated: datetime, item_id: str) -> None:
        """Take in one listed entry; the cursor never moves backwards."""
        if self.since is None or updated > self.since:
            self.since, self.seen = updated, {item_id}
        elif updated == self.since:
            self.seen.add(item_id)

    def already_read(self, updated: datetime, item_id: str) -> bool:
        return updated == self.since and item_id in self.seen

    def copy(self) -> Cursor:
        return Cursor(self.since, set(self.seen))


def encode_cursor(cursor: Cursor) -> str | None:
    if cursor.since is None:
        return None
    return json.dumps(
        {"since": iso_seconds(cursor.since), "seen": sorted(cursor.seen)}, separators=(",", ":")
    )


def decode_cursor(cursor: str | None) -> Cursor:
    """A stored cursor; one we cannot read asks for a full sync."""
    if cursor is None:
        return Cursor()
    try:
        value = json.loads(cursor)
        since = datetime.fromisoformat(value["since"])
        seen = value["seen"]
        if since.tzinfo is None or not all(isinstance(s, str) for s in seen):
            raise ValueError(cursor)
    except (ValueError, TypeError, KeyError):
        raise HubError(
            f"stored GitHub cursor {cursor!r} is not readable; run a full sync"
        ) from None
    return Cursor(since.astimezone(UTC).replace(microsecond=0), set(seen))


def iso_seconds(moment: datetime) -> str:
    """``moment`` in UTC to the second, as GitHub writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
