"""One HTTP policy for every connector: timeouts, retries, rate limits and error classes.

Connectors describe requests; this module decides what a response means:

- 2xx/3xx: returned.
- 429, 5xx, timeouts, dropped connections, and rate limits reported in other ways (GitHub's
  403 with ``x-ratelimit-remaining: 0``, or what ``is_rate_limited`` recognises in a body):
  retried with jittered exponential backoff, waiting at least what ``Retry-After`` or the
  reset headers ask; ``TrackerUnavailable`` once the attempts or the wait budget run out.
- 401/403: ``TrackerAuthError``; other 4xx: ``TrackerRequestError``. Never retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from hub.errors import (
    TrackerAuthError,
    TrackerRequestError,
    TrackerUnavailable,
)

USER_AGENT = "tracker-hub/0.1"


@dataclass(slots=True)
class RequestStats:
    requests: int = 0
    retries: int = 0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    backoff_max: float = 30.0
    """Cap of one exponential backoff step, in seconds."""
    wait_max: float = 900.0
    """Longest single wait the hub accepts from a tracker's rate-limit headers."""
    timeout: float = 30.0


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None) -> None:
        super().__init__(reason)
        self.wait = wait


def wait_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a tracker asks us to wait: ``Retry-After``, else a rate-limit reset header.

    Reset headers come as epoch seconds (GitHub), epoch milliseconds (Linear) or an ISO
    timestamp (Jira); all are read here.
    """
    now = time.time() if now is None else now
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                pass
    for name in (
        "x-ratelimit-reset",
        "x-ratelimit-requests-reset",
        "x-ratelimit-complexity-reset",
    ):
        value = headers.get(name)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                return max(0.0, datetime.fromisoformat(value).timestamp() - now)
            except ValueError:
                continue
        epoch = number / 1000 if number > 1e11 else number
        return max(0.0, epoch - now)
    return None


class TrackerHttp:
    """An ``httpx.AsyncClient`` wrapped in the hub's policy, counting what it does."""

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        is_rate_limited: Callable[[httpx.Response], bool] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.source = source
        self.policy = policy or RetryPolicy()
        self.stats = RequestStats()
        self._is_rate_limited = is_rate_limited
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            transport=transport,
            timeout=self.policy.timeout,
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(method, url, **kwargs)
        except _Retryable as exc:
            raise TrackerUnavailable(
                f"{self.source}: {exc} (gave up after {self.policy.attempts} attempts)"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.stats.requests += 1
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise _Retryable(f"{method} {_path(url)} timed out", None) from None
        except httpx.TransportError as exc:
            raise _Retryable(f"{method} {_path(url)} failed: {type(exc).__name__}", None) from None
        status = response.status_code
        rate_limited = status == 429 or (
            status == 403 and response.headers.get("x-ratelimit-remaining") == "0"
        )
        if not rate_limited and self._is_rate_limited is not None:
            rate_limited = self._is_rate_limited(response)
        if rate_limited:
            wait = wait_from_headers(response.headers)
            if wait is not None and wait > self.policy.wait_max:
                raise TrackerUnavailable(
                    f"{self.source}: rate limited for {wait:.0f}s more; try again later",
                    status=status,
                )
            raise _Retryable(f"{method} {_path(url)} was rate limited ({status})", wait)
        if status >= 500:
            raise _Retryable(f"{method} {_path(url)} answered {status}", None)
        if status in (401, 403):
            raise TrackerAuthError(
                f"{self.source}: the tracker answered {status} to {method} {_path(url)}: "
                "check the source's credentials and what they may read",
                status=status,
            )
        if status >= 400:
            raise TrackerRequestError(
                f"{self.source}: the tracker answered {status} to {method} {_path(url)}: "
                f"{_excerpt(response)}",
                status=status,
            )
        return response

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_random_exponential(multiplier=0.5, max=self.policy.backoff_max)(state)
        exc = state.outcome.exception() if state.outcome else None
        asked = exc.wait if isinstance(exc, _Retryable) else None
        return max(backoff, asked) if asked is not None else backoff

    def _count_retry(self, _state: RetryCallState) -> None:
        self.stats.retries += 1


def _path(url: str) -> str:
    """The URL without its query: queries may carry JQL or tokens we do not want in messages."""
    return httpx.URL(url).path


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = " ".join(response.text.split())
    return text[:limit] + ("…" if len(text) > limit else "")
