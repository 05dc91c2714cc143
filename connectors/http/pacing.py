"""Waiting out limits: every pause of a client, and the spacing that keeps a low budget alive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from connectors.http.limits import budgets
from connectors.http.retry import RetryPolicy
from connectors.http.stats import RequestStats


def _is_low(remaining: float, limit: float | None, policy: RetryPolicy) -> bool:
    share = policy.pace_fraction * limit if limit else 0.0
    return remaining <= max(share, policy.pace_remaining)


def pace_delay(headers: Mapping[str, str], policy: RetryPolicy, now: float) -> float:
    """Seconds to leave before the next request so that a low budget lasts until its reset.

    Zero when no budget is reported, none is low, or the reset has passed.
    """
    delays = [
        (b.reset - now) / max(b.remaining, 1.0)
        for b in budgets(headers)
        if b.remaining is not None
        and b.reset is not None
        and b.reset > now
        and _is_low(b.remaining, b.limit, policy)
    ]
    return min(max(delays, default=0.0), policy.wait_max)


class Pacer:
    """The waits of one client: backoff between attempts and the pause a low budget asks for
    before the next request. Every wait shows in ``stats`` while it lasts."""

    def __init__(
        self,
        policy: RetryPolicy,
        stats: RequestStats,
        *,
        sleep: Callable[[float], Awaitable[None]],
        clock: Callable[[], float],
    ) -> None:
        self.policy = policy
        self.stats = stats
        self._sleep = sleep
        self._clock = clock
        self._paced_until: float | None = None

    def space_after(self, headers: Mapping[str, str], now: float) -> None:
        """Note the pause the budgets of a used answer ask for before the next request."""
        delay = pace_delay(headers, self.policy, now)
        self._paced_until = now + delay if delay > 0 else None

    async def wait_turn(self) -> None:
        """Sit out the pause noted last, once."""
        if self._paced_until is None:
            return
        delay, self._paced_until = self._paced_until - self._clock(), None
        if delay > 0:
            await self.pause(delay)

    async def pause(self, seconds: float) -> None:
        """Every wait goes through here so that ``stats`` can show it while it lasts."""
        self.stats.waiting_until = self._clock() + seconds
        try:
            await self._sleep(seconds)
            self.stats.waited += seconds
        finally:
            self.stats.waiting_until = None
