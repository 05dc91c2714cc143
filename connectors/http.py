"""One HTTP policy for every connector: timeouts, retries, rate limits and error classes.

Connectors describe requests; this module decides what a response means:

- 2xx/3xx: returned.
- 429, 5xx, timeouts, dropped connections, and rate limits reported in other ways (403 or 429
  with a spent budget, GitHub's secondary limits, or what ``is_rate_limited`` recognises in a
  body): retried with jittered exponential backoff, waiting at least what ``Retry-After`` or
  the reset headers ask (GitHub's secondary limits: at least 60 s when they name no time);
  ``TrackerUnavailable`` once the attempts run out, or at once when the tracker asks for a
  longer wait than ``RetryPolicy.wait_max``.
- 401/403: ``TrackerAuthError``; other 4xx: ``TrackerRequestError``. Never retried.

Every response's budget headers are read too: when little of a budget is left, the next
requests are spaced so that the rest lasts until its reset, instead of running into the limit.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any, TypeVar

import httpx
import msgspec
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from connectors.body import decode, parse_json
from hub.contract.config import SourceConfig
from hub.contract.errors import (
    TrackerAuthError,
    TrackerRequestError,
    TrackerUnavailable,
)

T = TypeVar("T")

USER_AGENT = "tracker-hub/0.1"

SECONDARY_WAIT = 60.0
"""GitHub: after a secondary rate limit without ``retry-after``, wait at least a minute."""
SECONDARY_MARKERS = ("secondary rate limit", "abuse detection")

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

SENSITIVE_HEADER_PARTS = ("auth", "token", "secret", "key", "cookie", "session", "password")
SENSITIVE_QUERY_PARTS = ("token", "secret", "key", "password", "signature", "auth")
REDACTED = "[redacted]"

FIX_HINTS = {
    401: "check the source's credentials: the token may be wrong, expired or revoked",
    403: "check the source's credentials and what they may read (scopes, project access)",
    404: "check the project or repository name in the source's config, "
    "and that the credentials may see it",
}
DEFAULT_FIX_HINT = "the tracker refused the request"


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


@dataclass(frozen=True, slots=True)
class Budget:
    """One rate-limit budget as a response reports it; ``reset`` in epoch seconds."""

    remaining: float | None
    limit: float | None
    reset: float | None


class _Retryable(Exception):
    def __init__(
        self, reason: str, asked: float | None, *, status: int | None = None, escalate: bool = False
    ) -> None:
        super().__init__(reason)
        self.asked = asked
        self.status = status
        self.escalate = escalate


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


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: each sync makes clients, and building a
    context loads the whole CA bundle again (tens of milliseconds of CPU each time)."""
    return httpx.create_ssl_context()


class TrackerHttp:
    """An ``httpx.AsyncClient`` wrapped in the hub's policy, counting what it does.

    ``sleep`` and ``clock`` (epoch seconds) are injectable so that tests never wait.
    """

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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.policy = policy or RetryPolicy()
        self.stats = RequestStats()
        self._is_rate_limited = is_rate_limited
        self._sleep = sleep
        self._clock = clock
        self._backoff = wait_random_exponential(multiplier=0.5, max=self.policy.backoff_max)
        self._paced_until: float | None = None
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            transport=transport,
            timeout=self.policy.timeout,
            verify=tls_context(),
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self._retrying(lambda: self._once(method, url, **kwargs))

    async def request_json(
        self, method: str, url: str, **kwargs: Any
    ) -> tuple[httpx.Response, Any]:
        """The response and its body parsed as JSON. A 2xx body that does not parse — cut
        short or garbled on the way — is retried like a dropped connection."""
        return await self._retrying(lambda: self._once_json(method, url, **kwargs))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._pause,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await call()
        except _Retryable as exc:
            raise TrackerUnavailable(
                f"{self.source}: {exc} (gave up after {self.policy.attempts} attempts)",
                status=exc.status,
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request_decoded(
        self, method: str, url: str, decoder: msgspec.json.Decoder[T], **kwargs: Any
    ) -> tuple[httpx.Response, T]:
        """The response and its body read by ``decoder`` (``connectors.body.decode``): for
        pages whose items stay raw JSON text. A body that is not JSON is retried as in
        ``request_json``; one of another shape raises ``msgspec.ValidationError``."""
        return await self._retrying(lambda: self._once_decoded(method, url, decoder, **kwargs))

    async def _once_decoded(
        self, method: str, url: str, decoder: msgspec.json.Decoder[T], **kwargs: Any
    ) -> tuple[httpx.Response, T]:
        response = await self._once(method, url, **kwargs)
        try:
            return response, decode(response.content, decoder, lambda: response.text)
        except msgspec.ValidationError:
            raise
        except ValueError:
            raise self._not_json(method, url, response) from None

    async def _once_json(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, Any]:
        response = await self._once(method, url, **kwargs)
        try:
            return response, _parse_json(response)
        except ValueError:
            raise self._not_json(method, url, response) from None

    @staticmethod
    def _not_json(method: str, url: str, response: httpx.Response) -> _Retryable:
        """A 2xx body cut short or garbled on the way: retried like a dropped connection."""
        return _Retryable(
            f"{method} {_path(url)} answered {response.status_code} with a body that is not JSON",
            None,
            status=response.status_code,
        )

    async def _once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        await self._throttle()
        self.stats.requests += 1
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise _Retryable(f"{method} {_path(url)} timed out", None) from None
        except httpx.TransportError as exc:
            raise _Retryable(f"{method} {_path(url)} failed: {type(exc).__name__}", None) from None
        return self._judge(method, response)

    def _judge(self, method: str, response: httpx.Response) -> httpx.Response:
        """Return a usable response, or raise what it means; note the pace it asks for."""
        now = self._clock()
        retryable = self._retryable(method, response, now)
        if retryable is not None:
            self._fail_if_too_long(retryable, response, now)
            raise retryable
        delay = pace_delay(response.headers, self.policy, now)
        self._paced_until = now + delay if delay > 0 else None
        _raise_for_client_error(self.source, method, response)
        return response

    def _retryable(self, method: str, response: httpx.Response, now: float) -> _Retryable | None:
        status = response.status_code
        where = f"{method} {response.request.url.path}"
        if _spent_budget(response) or (self._is_rate_limited and self._is_rate_limited(response)):
            asked = wait_from_headers(response.headers, now)
            return _Retryable(f"{where} was rate limited ({status})", asked, status=status)
        if _secondary_limit(response):
            asked = wait_from_headers(response.headers, now)
            return _Retryable(
                f"{where} hit a secondary rate limit ({status})",
                SECONDARY_WAIT if asked is None else asked,
                status=status,
                escalate=asked is None,
            )
        if status == 429 or status >= 500:
            asked = wait_from_headers(response.headers, now)
            return _Retryable(f"{where} answered {status}", asked, status=status)
        return None

    def _fail_if_too_long(
        self, retryable: _Retryable, response: httpx.Response, now: float
    ) -> None:
        """A wait beyond ``wait_max`` will not be sat out: fail now and say when to come back."""
        asked = retryable.asked
        if asked is None or asked <= self.policy.wait_max:
            return
        raise TrackerUnavailable(
            f"{self.source}: {retryable}; the tracker asks to wait {asked:.0f}s, more than the "
            f"{self.policy.wait_max:.0f}s allowed: try again after {_utc_text(now + asked)}",
            status=response.status_code,
        )

    async def _throttle(self) -> None:
        if self._paced_until is None:
            return
        delay, self._paced_until = self._paced_until - self._clock(), None
        if delay > 0:
            await self._pause(delay)

    async def _pause(self, seconds: float) -> None:
        """Every wait goes through here so that ``stats`` can show it while it lasts."""
        self.stats.waiting_until = self._clock() + seconds
        try:
            await self._sleep(seconds)
            self.stats.waited += seconds
        finally:
            self.stats.waiting_until = None

    def _wait(self, state: RetryCallState) -> float:
        backoff = float(self._backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        if not isinstance(exc, _Retryable):
            return backoff
        return max(backoff, exc.asked or 0.0, self._escalation(exc, state.attempt_number))

    def _escalation(self, exc: _Retryable, attempt: int) -> float:
        """GitHub asks for exponentially longer waits while secondary limits persist."""
        if not exc.escalate:
            return 0.0
        return min(SECONDARY_WAIT * 2.0 ** (attempt - 1), max(self.policy.wait_max, SECONDARY_WAIT))

    def _count_retry(self, _state: RetryCallState) -> None:
        self.stats.retries += 1


def _parse_json(response: httpx.Response) -> Any:
    return parse_json(response.content, lambda: response.text)


def _spent_budget(response: httpx.Response) -> bool:
    """A 429, or a 403 from a tracker that reports a spent budget (GitHub's primary limit)."""
    if response.status_code == 429:
        return not _secondary_limit(response)
    return response.status_code == 403 and any(
        b.remaining is not None and b.remaining <= 0 for b in budgets(response.headers)
    )


def _secondary_limit(response: httpx.Response) -> bool:
    if response.status_code not in (403, 429):
        return False
    text = response.text.lower()
    return any(marker in text for marker in SECONDARY_MARKERS)


def _raise_for_client_error(source: str, method: str, response: httpx.Response) -> None:
    """Turn a 4xx into an error that says what to fix, with no credential in it."""
    status = response.status_code
    if status < 400:
        return
    hint = FIX_HINTS.get(status, DEFAULT_FIX_HINT)
    message = (
        f"{source}: the tracker answered {status} to {method} {response.request.url.path}: "
        f"{hint}; it said: {_excerpt(response) or '(nothing)'}"
    )
    error = TrackerAuthError if status in (401, 403) else TrackerRequestError
    raise error(_redact(message, _secrets(response.request)), status=status)


def _path(url: str) -> str:
    """The URL without its query: queries may carry JQL or tokens we do not want in messages."""
    return httpx.URL(url).path


def _utc_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = " ".join(response.text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _secrets(request: httpx.Request) -> list[str]:
    """Credential strings a request carried, in every form a tracker might echo back."""
    found: set[str] = set()
    for name, value in request.headers.items():
        if any(part in name.lower() for part in SENSITIVE_HEADER_PARTS):
            found.update(_credential_forms(value))
    for name, value in request.url.params.multi_items():
        if any(part in name.lower() for part in SENSITIVE_QUERY_PARTS):
            found.add(value)
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def _credential_forms(value: str) -> set[str]:
    """The header value, its credential without the scheme, and a Basic pair decoded."""
    scheme, _, credential = value.strip().partition(" ")
    forms = {value, value.strip(), credential.strip() or scheme}
    if scheme.lower() == "basic" and credential:
        try:
            pair = base64.b64decode(credential.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return forms
        forms.update({pair, pair.partition(":")[2]})
    return forms


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class TrackerClient:
    """What every connector's client shares: its source, and one ``TrackerHttp`` that sends
    the source's credentials (``headers``) and knows the tracker's own way of saying "rate
    limited" (``rate_limited``) besides the HTTP statuses and headers it reads for all."""

    def __init__(
        self,
        source: SourceConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.source = source
        self.http = TrackerHttp(
            source=source.name,
            base_url=source.base,
            headers=self.headers(source),
            transport=transport,
            policy=policy,
            is_rate_limited=self.rate_limited,
            sleep=sleep,
        )

    def headers(self, source: SourceConfig) -> dict[str, str]:
        raise NotImplementedError

    def rate_limited(self, response: httpx.Response) -> bool:
        return False

    @property
    def stats(self) -> RequestStats:
        return self.http.stats

    async def aclose(self) -> None:
        await self.http.aclose()
