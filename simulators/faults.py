"""What can go wrong between a connector and a tracker, as knobs a simulator turns on.

Every knob is off by default, so a simulator built without ``Faults`` behaves exactly as before.
HTTP-level faults are served by ``fault_middleware.FaultMiddleware``; paging faults by
``fault_paging.PagingFaults`` hooks inside each simulator's listing code. Faults served are
counted in ``app.state.faults`` (a ``Counter``) under ``FAULT_KINDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS = (
    "rate_limit",
    "slow",
    "drop",
    "error",
    "malformed",
    "truncate",
    "repeat_page_token",
    "mutate_while_paging",
)


@dataclass(frozen=True, slots=True)
class Faults:
    """Fault knobs; rates are probabilities per request, drawn from a generator seeded by ``seed``.

    ``rate_limit_after`` lets that many requests through, then answers the next
    ``rate_limit_for`` as the tracker answers a rate-limited client (advertising ``retry_after``
    seconds), then recovers. ``repeat_page_token`` hands back the page token the client sent
    instead of a fresh one; ``mutate_while_paging`` touches that many random items after each
    page of the main issue listing, moving them to the end of an updated-ordered scan.
    """

    rate_limit_after: int | None = None
    rate_limit_for: int = 1
    retry_after: float = 1.0
    error_rate: float = 0.0
    slow_seconds: float = 0.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    malformed_rate: float = 0.0
    repeat_page_token: bool = False
    mutate_while_paging: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "truncate_rate", "malformed_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.rate_limit_after is not None and self.rate_limit_after < 0:
            raise ValueError("rate_limit_after must not be negative")
        if self.rate_limit_for < 0 or self.mutate_while_paging < 0:
            raise ValueError("rate_limit_for and mutate_while_paging must not be negative")
        if self.retry_after < 0 or self.slow_seconds < 0:
            raise ValueError("retry_after and slow_seconds must not be negative")

    def rate_limited(self, request_number: int) -> bool:
        """Whether the ``request_number``-th request (from 1) falls in the limited window."""
        after = self.rate_limit_after
        return after is not None and after < request_number <= after + self.rate_limit_for
