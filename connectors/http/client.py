"""The client every connector builds on: one ``httpx.AsyncClient`` under the hub's HTTP policy."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any, TypeVar

import httpx
import msgspec
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from connectors.body import decode, parse_json
from connectors.http.pacing import Pacer
from connectors.http.redaction import without_query
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


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: each sync makes clients, and building a
    context loads the whole CA bundle again."""
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
            response = await self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise Retryable(f"{method} {without_query(url)} timed out", None) from None
        except httpx.TransportError as exc:
            raise Retryable(
                f"{method} {without_query(url)} failed: {type(exc).__name__}", None
            ) from None
        return self._judge(method, response)

    def _judge(self, method: str, response: httpx.Response) -> httpx.Response:
        """Return a usable response, or raise what it means; note the pace it asks for."""
        now = self._clock()
        retry = worth_retrying(method, response, now, self._is_rate_limited)
        if retry is not None:
            fail_if_too_long(self.source, retry, self.policy, response.status_code, now)
            raise retry
        self._pacer.space_after(response.headers, now)
        raise_for_client_error(self.source, method, response)
        return response

    def _count_retry(self, _state: RetryCallState) -> None:
        self.stats.retries += 1


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
