"""The retry policy: which answers are worth asking again, and how long to wait before each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from tenacity import RetryCallState, wait_random_exponential

from connectors.http.limits import secondary_limit, spent_budget, wait_from_headers
from hub.contract.errors import TrackerUnavailable

SECONDARY_WAIT = 60.0
"""GitHub: after a secondary rate limit without ``retry-after``, wait at least a minute."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    backoff_max: float = 30.0
    """Cap of one exponential backoff step, in seconds."""
    wait_max: float = 900.0
    """Longest single wait the hub accepts from a tracker, and the cap of one throttle pause."""
    timeout: float = 30.0
    pace_fraction: float = 0.05
    """Throttle once a budget's remaining share falls to this fraction of its limit..."""
    pace_remaining: int = 5
    """...or to this many units, whichever is more (also used when the limit is unknown)."""


class Retryable(Exception):
    """An attempt worth repeating; ``asked`` is the wait the tracker asked for, if any."""

    def __init__(
        self, reason: str, asked: float | None, *, status: int | None = None, escalate: bool = False
    ) -> None:
        super().__init__(reason)
        self.asked = asked
        self.status = status
        self.escalate = escalate


def worth_retrying(
    method: str,
    response: httpx.Response,
    now: float,
    is_rate_limited: Callable[[httpx.Response], bool] | None = None,
) -> Retryable | None:
    """What makes ``response`` worth another attempt, or None when it is to be used as it is:
    a rate limit (any tracker's way of saying it), a 429 or a 5xx."""
    status = response.status_code
    where = f"{method} {response.request.url.path}"
    if spent_budget(response) or (is_rate_limited and is_rate_limited(response)):
        asked = wait_from_headers(response.headers, now)
        return Retryable(f"{where} was rate limited ({status})", asked, status=status)
    if secondary_limit(response):
        asked = wait_from_headers(response.headers, now)
        return Retryable(
            f"{where} hit a secondary rate limit ({status})",
            SECONDARY_WAIT if asked is None else asked,
            status=status,
            escalate=asked is None,
        )
    if status == 429 or status >= 500:
        asked = wait_from_headers(response.headers, now)
        return Retryable(f"{where} answered {status}", asked, status=status)
    return None


def fail_if_too_long(
    source: str, reason: Retryable, policy: RetryPolicy, status: int, now: float
) -> None:
    """A wait beyond ``wait_max`` will not be sat out: fail now and say when to come back."""
    asked = reason.asked
    if asked is None or asked <= policy.wait_max:
        return
    raise TrackerUnavailable(
        f"{source}: {reason}; the tracker asks to wait {asked:.0f}s, more than the "
        f"{policy.wait_max:.0f}s allowed: try again after {_utc_text(now + asked)}",
        status=status,
    )


class RetryWait:
    """Seconds before the next attempt, for tenacity's ``wait``: a jittered exponential backoff,
    or longer when the tracker asked for longer."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self._backoff = wait_random_exponential(multiplier=0.5, max=policy.backoff_max)

    def __call__(self, state: RetryCallState) -> float:
        backoff = float(self._backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        if not isinstance(exc, Retryable):
            return backoff
        return max(backoff, exc.asked or 0.0, self._escalation(exc, state.attempt_number))

    def _escalation(self, exc: Retryable, attempt: int) -> float:
        """GitHub asks for exponentially longer waits while secondary limits persist."""
        if not exc.escalate:
            return 0.0
        return min(SECONDARY_WAIT * 2.0 ** (attempt - 1), max(self.policy.wait_max, SECONDARY_WAIT))


def _utc_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
