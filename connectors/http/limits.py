"""Reading what an answer says of rate limits, in each tracker's own headers and words."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

SECONDARY_MARKERS = ("secondary rate limit", "abuse detection")
"""What GitHub's secondary rate limit answers say in their body."""

BUDGET_HEADERS = (
    ("x-ratelimit-remaining", "x-ratelimit-limit", "x-ratelimit-reset"),
    ("x-ratelimit-requests-remaining", "x-ratelimit-requests-limit", "x-ratelimit-requests-reset"),
    (
        "x-ratelimit-complexity-remaining",
        "x-ratelimit-complexity-limit",
        "x-ratelimit-complexity-reset",
    ),
)
"""(remaining, limit, reset) of each budget: GitHub and Jira, then Linear's two."""

EPOCH_MS_ABOVE = 1e11
"""Epoch seconds stay below this until the year 5138; epoch milliseconds are above it."""


@dataclass(frozen=True, slots=True)
class Budget:
    """One rate-limit budget as a response reports it; ``reset`` in epoch seconds."""

    remaining: float | None
    limit: float | None
    reset: float | None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _as_utc(moment: datetime) -> datetime:
    """Trackers that omit the zone mean UTC; Python would read a naive time as local."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def reset_epoch(value: str | None) -> float | None:
    """A reset header as epoch seconds: from epoch seconds (GitHub), epoch milliseconds
    (Linear) or an ISO timestamp (Jira)."""
    number = _number(value)
    if number is not None:
        return number / 1000 if number > EPOCH_MS_ABOVE else number
    if not value:
        return None
    try:
        return _as_utc(datetime.fromisoformat(value.strip())).timestamp()
    except ValueError:
        return None


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """``Retry-After`` in seconds, given as seconds or as an HTTP date."""
    value = httpx.Headers(headers).get("retry-after")
    seconds = _number(value)
    if seconds is not None:
        return max(0.0, seconds)
    if not value:
        return None
    try:
        return max(0.0, _as_utc(parsedate_to_datetime(value)).timestamp() - now)
    except (TypeError, ValueError):
        return None


def budgets(headers: Mapping[str, str]) -> list[Budget]:
    """Every budget a response reports, in any of the trackers' header families."""
    found = []
    headers = httpx.Headers(headers)
    for remaining, limit, reset in BUDGET_HEADERS:
        budget = Budget(
            remaining=_number(headers.get(remaining)),
            limit=_number(headers.get(limit)),
            reset=reset_epoch(headers.get(reset)),
        )
        if budget != Budget(None, None, None):
            found.append(budget)
    return found


def wait_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a tracker asks us to wait: ``Retry-After``, else the latest reset of a budget
    that is spent or whose remaining is not given.

    A budget with requests left is not what limited us: GitHub sends its hourly reset on every
    answer, and waiting for it after a secondary limit or a 5xx would stall a sync for nothing.
    """
    now = time.time() if now is None else now
    asked = retry_after(headers, now)
    if asked is not None:
        return asked
    resets = [
        b.reset
        for b in budgets(headers)
        if b.reset is not None and (b.remaining is None or b.remaining <= 0)
    ]
    return max(0.0, max(resets) - now) if resets else None


def spent_budget(response: httpx.Response) -> bool:
    """A 429, or a 403 from a tracker that reports a spent budget (GitHub's primary limit)."""
    if response.status_code == 429:
        return not secondary_limit(response)
    return response.status_code == 403 and any(
        b.remaining is not None and b.remaining <= 0 for b in budgets(response.headers)
    )


def secondary_limit(response: httpx.Response) -> bool:
    """GitHub's secondary rate limit: a 403 or 429 that says so in its body."""
    if response.status_code not in (403, 429):
        return False
    text = response.text.lower()
    return any(marker in text for marker in SECONDARY_MARKERS)
