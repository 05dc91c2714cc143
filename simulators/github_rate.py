"""GitHub's rate budgets: the hourly window behind REST headers and the GraphQL ``rateLimit``.

Both the REST routes and the GraphQL service charge a ``RateWindow``; ``RateInfo`` is what one
GraphQL request reports about it. They live here so neither side has to import the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

WINDOW_S = 3600


@dataclass(slots=True)
class RateWindow:
    """One resource's hourly budget; the window starts at its first request, like GitHub's."""

    limit: int
    used: int = 0
    reset: int = 0

    def roll(self) -> None:
        now = int(time.time())
        if now >= self.reset:
            self.used, self.reset = 0, now + WINDOW_S

    def headers(self, resource: str) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(max(0, self.limit - self.used)),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-resource": resource,
        }


@dataclass(frozen=True, slots=True)
class RateInfo:
    """The ``rateLimit`` field of one GraphQL request: its cost and the window after charging."""

    cost: int
    node_count: int
    window: RateWindow

    def as_json(self) -> dict[str, Any]:
        return {
            "cost": self.cost,
            "limit": self.window.limit,
            "nodeCount": self.node_count,
            "remaining": max(0, self.window.limit - self.window.used),
            "resetAt": datetime.fromtimestamp(self.window.reset, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "used": self.window.used,
        }
