"""Request counts and waits, apart from the client so reports and displays need not import it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class RequestStats:
    """What a client did over HTTP, for sync reports and progress displays."""

    requests: int = 0
    """Requests sent, each attempt of a retried request included."""
    retries: int = 0
    waited: float = 0.0
    """Seconds spent in backoff and throttling, in total."""
    waiting_until: float | None = None
    """Epoch seconds when the current backoff or throttle ends; None while not waiting."""
