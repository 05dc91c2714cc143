"""The client every connector builds on: one ``httpx.AsyncClient`` under the hub's HTTP policy."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import cache
from typing import Any, ClassVar, TypeVar

import httpx
import msgspec
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from connectors.body import decode, parse_json
from connectors.http.pacing import Pacer
from connectors.http.redaction import Redactor, without_query
from connectors.http.refusals import raise_for_client_error
from connectors.http.retry import (
    Retryable,
    RetryPolicy,
    RetryWait,
    fail_if_too_long,
    worth_retrying,
)
from connectors.http.stats import RequestStats
from hub.contract.config import SourceConfig
from hub.contract.errors import TrackerUnavailable

T = TypeVar("T")

USER_AGENT = "tracker-hub/0.1"
DEFAULT_DEADLINE = 60.0
"""Seconds one request may take from sending to its body's last byte (``SourceConfig``'s
``request_deadline``)."""


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: each sync makes clients, and building a
    context loads the whole CA bundle again."""
    return httpx.create_ssl_context()


class TrackerHttp:
    """An ``httpx.AsyncClient`` wrapped in the hub's policy, counting what it does.

    ``redactor`` knows the credentials it sends (its sensitive ``headers`` and ``secrets``):
    every text built from an answer goes through it. Each request must be done within
    ``deadline`` seconds: httpx's timeouts bound each read, so a tracker that drips its answer
    a byte at a time would never trip them. ``tracker`` names the tracker in messages.
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
        secrets: Iterable[str] = (),
        deadline: float = DEFAULT_DEADLINE,
        tracker: str = "the tracker",
    ) -> None:
        self.source = source
        self.policy = policy or RetryPolicy()
        self.redactor = Redactor.of_credentials(secrets, headers)
        self.deadline = deadline
        self.tracker = tracker
        self.stats = RequestStats()
        self._is_rate_limited = is_rate_limited
        self._clock = clock
        self._wait = RetryWait(self.policy)
        self._pacer = Pacer(self.policy, self.stats, sleep=sleep, clock=clock)
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            transport=transport,
            timeout=self.policy.timeout,
            verify=tls_context(),
        )

    async def request_json(
        self, method: str, url: str, **kwargs: Any
    ) -> tuple[httpx.Response, Any]:
        """The response and its body parsed as JSON. A 2xx body that does not parse — cut
        short or garbled on the way — is retried like a dropped connection."""
        return await self._retrying(lambda: self._once_json(method, url, **kwargs))

    async def request_decoded(
        self, method: str, url: str, decoder: msgspec.json.Decoder[T], **kwargs: Any
    ) -> tuple[httpx.Response, T]:
        """The response and its body read by ``decoder`` (``connectors.body.decode``): for
        pages whose items stay raw JSON text. A body that is not JSON is retried as in
        ``request_json``; one of another shape raises ``msgspec.ValidationError``."""
        return await self._retrying(lambda: self._once_decoded(method, url, decoder, **kwargs))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(Retryable),
            sleep=self._pacer.pause,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await call()
        except Retryable as exc:
            raise TrackerUnavailable(
                f"{self.source}: {exc} (gave up after {self.policy.attempts} attempts)",
                status=exc.status,
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

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
            return response, parse_json(response.content, lambda: response.text)
        except ValueError:
            raise self._not_json(method, url, response) from None

    @staticmethod
    def _not_json(method: str, url: str, response: httpx.Response) -> Retryable:
        """A 2xx body cut short or garbled on the way: retried like a dropped connection."""
        return Retryable(
            f"{method} {without_query(url)} answered {response.status_code} with a body that "
            "is not JSON",
            None,
            status=response.status_code,
        )

    async def _once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        await self._pacer.wait_turn()
        self.stats.requests += 1
        try:
            async with asyncio.timeout(self.deadline):
                response = await self._client.request(method, url, **kwargs)
        except TimeoutError:
            raise self._overdue(method, url) from None
        except httpx.TimeoutException:
            raise Retryable(f"{method} {without_query(url)} timed out", None) from None
        except httpx.TransportError as exc:
            raise Retryable(
                f"{method} {without_query(url)} failed: {type(exc).__name__}", None
            ) from None
        return self._judge(method, response)

    def _overdue(self, method: str, url: str) -> TrackerUnavailable:
        """Not retried: a tracker that drips one answer drips the next, and each attempt
        would hold a sync slot for another deadline."""
        host = self._client.base_url.netloc.decode("ascii")
        return TrackerUnavailable(
            f"{self.source}: {self.tracker} at {host} did not answer within "
            f"{self.deadline:g} s ({method} {without_query(url)}); if it is only slow, "
            "raise the source's request_deadline"
        )

    def _judge(self, method: str, response: httpx.Response) -> httpx.Response:
        """Return a usable response, or raise what it means; note the pace it asks for."""
        now = self._clock()
        retry = worth_retrying(method, response, now, self._is_rate_limited)
        if retry is not None:
            fail_if_too_long(self.source, retry, self.policy, response.status_code, now)
            raise retry
        self._pacer.space_after(response.headers, now)
        raise_for_client_error(self.source, method, response, self.redactor)
        return response

    def _count_retry(self, _state: RetryCallState) -> None:
        self.stats.retries += 1


class TrackerClient:
    """What every connector's client shares: its source, and one ``TrackerHttp`` that sends
    the source's credentials (``headers``) and knows the tracker's own way of saying "rate
    limited" (``rate_limited``) besides the HTTP statuses and headers it reads for all."""

    tracker: ClassVar[str] = "the tracker"
    """The tracker's name in messages."""

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
            secrets=source_secrets(source),
            deadline=source.request_deadline.total_seconds(),
            tracker=self.tracker,
        )

    def headers(self, source: SourceConfig) -> dict[str, str]:
        raise NotImplementedError

    def rate_limited(self, response: httpx.Response) -> bool:
        return False

    @property
    def stats(self) -> RequestStats:
        return self.http.stats

    @property
    def redactor(self) -> Redactor:
        return self.http.redactor

    async def aclose(self) -> None:
        await self.http.aclose()


def source_secrets(source: SourceConfig) -> list[str]:
    """The secrets a source was given (token, email), whatever headers carry them."""
    values = [source.token.get_secret_value()]
    if source.email is not None:
        values.append(source.email.get_secret_value())
    return [value for value in values if value]
