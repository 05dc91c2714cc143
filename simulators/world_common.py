"""What the Jira, Linear and GitHub worlds share, so none of them imports another.

The reference instant all generated times fall before, the component names every tracker's
catalogue is built from (the demo lines them up across trackers), and the millisecond clock of
the Jira and Linear worlds, which the demo shares between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

REFERENCE_NOW_MS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000

COMPONENT_NAMES: tuple[str, ...] = (
    "payments-api",
    "identity",
    "search",
    "notifications",
    "billing",
    "data-platform",
    "api-gateway",
    "ledger",
    "fraud-detection",
    "observability",
    "ci-cd",
    "feature-flags",
)


@dataclass(frozen=True, slots=True)
class Change:
    """What one mutation of a world did, told to its listeners (``simulators.webhooks``
    turns it into the tracker's webhook event): ``kind`` and ``action`` in the tracker's
    words, the row it changed, and what the row alone does not say."""

    kind: str
    action: str
    subject: Any
    details: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Change], None]


class Announcer:
    """A world's listeners: each is told every change, synchronously, as it happens."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []

    def announce(self, kind: str, action: str, subject: Any, **details: Any) -> None:
        for listener in self.listeners:
            listener(Change(kind, action, subject, details))


class WorldClock:
    """A world's "now"; every mutation takes a fresh, strictly later millisecond from it."""

    def __init__(self, now_ms: int = REFERENCE_NOW_MS) -> None:
        self.now_ms = now_ms

    def advance(
        self,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
        ms: int = 0,
    ) -> int:
        delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        self.now_ms += int(delta.total_seconds() * 1000) + ms
        return self.now_ms

    def stamp(self) -> int:
        self.now_ms += 1
        return self.now_ms


def day(ms: int) -> str:
    """The UTC calendar date of an epoch-millisecond time, as ``yyyy-mm-dd``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")
