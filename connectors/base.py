"""The interface every tracker connector implements.

A connector has three parts: a thin HTTP client built on ``connectors.http.client``, pure mapping
functions from payloads to ``hub.contract.records``, and a ``Connector`` subclass joining them.
It never touches the database: it yields batches, and the sync engine stores each batch
together with the cursor that follows it.

Words: a *page* is one answer of a tracker's listing; a *batch* is what a connector yields, the
items of one or more pages and the cursor after them.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import httpx

from connectors.http.client import TrackerClient, source_secrets
from connectors.http.redaction import Redactor
from connectors.http.retry import RetryPolicy
from connectors.http.stats import RequestStats
from hub.contract.config import SourceConfig
from hub.contract.records import ItemRecord


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item the connector could not map, and why."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class Batch:
    """Items of a stream, read from one or more pages. ``cursor`` is where the next sync starts
    once this batch is stored."""

    items: Sequence[ItemRecord]
    cursor: str | None
    skipped: Sequence[Skipped] = ()


@dataclass(frozen=True, slots=True)
class Fetched:
    """Items read again by id: those the tracker still has, mapped, and the refs it no
    longer has (deleted, or moved out of the source's scope), to tombstone."""

    items: Sequence[ItemRecord]
    gone: Sequence[str] = ()
    skipped: Sequence[Skipped] = ()


class Connector(ABC):
    kind: ClassVar[str]
    has_census: ClassVar[bool] = False
    """Whether ``census`` lists live ids more cheaply than a full sync lists whole items."""

    def __init__(self, source: SourceConfig) -> None:
        self.source = source

    @abstractmethod
    def streams(self) -> Sequence[str]:
        """Names of the independent streams this source is read as (one cursor each)."""

    @abstractmethod
    def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        """Batches of ``stream`` changed since ``cursor`` (everything when it is None)."""

    def census(self) -> AsyncIterator[Sequence[str]]:
        """Pages of the external ids of every live item of the source, for reconciliation."""
        raise NotImplementedError(f"{self.kind} has no census; a full sync reconciles instead")

    async def fetch_items(self, refs: Sequence[str]) -> Fetched:
        """The current state of the items ``refs`` names (external ids or keys, as a webhook
        event gives them), read in as few requests as the tracker allows."""
        raise NotImplementedError(f"{self.kind} cannot read items by id")

    async def prepare(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Set-up calls made once per sync before the first batch (field ids, time zone)."""

    @property
    @abstractmethod
    def stats(self) -> RequestStats:
        """Requests and retries made so far."""

    @property
    def redactor(self) -> Redactor:
        """Strips the source's credentials from a text: the engine passes every error through
        it before it stores or logs it, whatever raised it."""
        return Redactor.of_credentials(source_secrets(self.source))

    @abstractmethod
    async def aclose(self) -> None:
        """Release the HTTP client."""

    async def __aenter__(self) -> Connector:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


ClientT = TypeVar("ClientT", bound=TrackerClient)


class TrackerConnector(Connector, Generic[ClientT]):
    """A connector that reads its tracker through one client (``new_client``), whose HTTP
    stats it reports and whose connection it closes."""

    def __init__(
        self,
        source: SourceConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(source)
        self.client = self.new_client(source, transport=transport, policy=policy, sleep=sleep)

    @abstractmethod
    def new_client(self, source: SourceConfig, **http: Any) -> ClientT:
        """This tracker's client; ``http`` goes to ``TrackerClient``."""

    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    @property
    def redactor(self) -> Redactor:
        return self.client.redactor

    async def aclose(self) -> None:
        await self.client.aclose()
