"""``POST /webhooks/{source}``: a tracker's webhook, verified, recorded, answered, and only
then applied (``hub.sync.webhooks``).

Webhooks authenticate by their signature, not by an API token. A delivery passes, in order:

- the source: a name not configured, or a source whose config names no
  ``webhook_secret_env``, is 404 (the hub serves no webhook there) before the body is read;
- the size limit (``[api] max_webhook_bytes``), enforced while the body is read: 413 as soon
  as it is passed, with nothing buffered beyond it;
- the secret: a variable named but not set is 503, so the tracker retries once it is set;
- the tracker's ``verify`` on the raw bytes (a bad or missing signature, a stale timestamp:
  the status of its ``WebhookRefused``, 400 or 401), then its ``parse`` (400 if the signed
  body makes no sense);
- the record: the delivery's row is committed before the answer, so a hub that dies after
  answering still has it. A delivery id the source has seen is answered 200 and changes
  nothing; a new one 202 (200 if it asks for nothing, as a ping); then the applier is woken.

Nothing before the answer calls a tracker. Refusals never echo the body, a header or the
secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors import webhook_handlers
from connectors.webhooks import Parser, Verifier, WebhookEvent, WebhookRefused
from hub.contract.config import HubConfig, SourceConfig
from hub.contract.errors import ConfigError, HubError
from hub.server.refusals import error_response
from hub.sync.metrics import HUB_METRICS, HubMetrics
from hub.sync.rules import HubRules
from hub.sync.webhooks import record_delivery

log = logging.getLogger(__name__)

Handlers = Callable[[str], tuple[Verifier, Parser]]
MAX_DELIVERY_ID = 200
"""Column size of ``webhook_deliveries.delivery_id``: a longer id is refused, never cut, as
two cut ids could look like one delivery."""
MAX_EVENT = 100
UNKNOWN = "unknown"
"""The source label of deliveries to a name that is not a configured source."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class WebhookReceiver:
    """Receives the webhooks of ``config``'s sources; ``wake`` is called after each new
    delivery is recorded (the applier's ``wake``)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: HubConfig,
        *,
        max_bytes: int,
        wake: Callable[[], None] = lambda: None,
        handlers: Handlers = webhook_handlers,
        clock: Callable[[], datetime] = utcnow,
        metrics: HubMetrics = HUB_METRICS,
    ) -> None:
        self.sessions = sessions
        self.sources = {source.name: source for source in config.sources}
        self.rules = HubRules(config.components, config.initiatives)
        self.max_bytes = max_bytes
        self.wake = wake
        self.handlers = handlers
        self.clock = clock
        self.metrics = metrics
        self.source_ids: dict[str, int] = {}
        """The row id of each source a delivery was recorded for: one statement per delivery."""

    async def receive(self, request: Request) -> Response:
        """The answer to one delivery, counted by its source and outcome."""
        name = request.path_params["source"]
        outcome, response = await self._receive(name, request)
        # A name not configured is one label, whatever was asked: the path is the client's.
        self.metrics.webhook_received(name if name in self.sources else UNKNOWN, outcome)
        return response

    async def _receive(self, name: str, request: Request) -> tuple[str, Response]:
        source = self.sources.get(name)
        if source is None or source.webhook_secret_env is None:
            return "not_found", error_response(
                404, f"no webhooks are received for source '{name}'", "NOT_FOUND"
            )
        body = await read_limited(request, self.max_bytes)
        if body is None:
            return "too_large", error_response(
                413,
                f"the delivery is larger than {self.max_bytes} bytes ([api] max_webhook_bytes)",
                "REQUEST_TOO_LARGE",
                {"Connection": "close"},
            )
        try:
            event = self.verified_event(source, request, body)
        except WebhookRefused as refused:
            log.info("webhook for %s refused (%d): %s", name, refused.status, refused.reason)
            return "refused", error_response(refused.status, refused.reason, "WEBHOOK_REFUSED")
        except ConfigError as exc:
            log.error("webhook for %s cannot be checked: %s", name, exc)
            return "unavailable", error_response(
                503, f"webhooks of source '{name}' are not set up on the hub", "UNAVAILABLE"
            )
        known = self.source_ids.get(name)
        source_id = await record_delivery(
            self.sessions, source, self.rules, event, self.clock(), known
        )
        if source_id is None:
            return "duplicate", JSONResponse({"delivery": event.delivery_id, "status": "duplicate"})
        self.source_ids[name] = source_id
        if event.ignored:
            return "ignored", JSONResponse({"delivery": event.delivery_id, "status": "ignored"})
        self.wake()
        return "accepted", JSONResponse({"delivery": event.delivery_id, "status": "accepted"}, 202)

    def verified_event(self, source: SourceConfig, request: Request, body: bytes) -> WebhookEvent:
        """The delivery as the hub acts on it, once its signature holds; raises
        WebhookRefused, or ConfigError when the hub cannot check it."""
        secret = source.webhook_secret().get_secret_value().encode()
        verify, parse = self.handlers(source.kind)
        headers = {key: value for key, value in reversed(request.headers.items())}  # the first
        verify(headers, body, secret, self.clock())
        try:
            event = parse(headers, body)
        except WebhookRefused:
            raise
        except (HubError, ValueError) as exc:  # a MappingError is a ValueError
            raise WebhookRefused(400, f"the delivery cannot be read: {exc}") from None
        return storable(event)


def storable(event: WebhookEvent) -> WebhookEvent:
    """The event, if its delivery id and names fit the table; refused (400) otherwise."""
    if not event.delivery_id or len(event.delivery_id) > MAX_DELIVERY_ID:
        raise WebhookRefused(400, f"the delivery id is empty or over {MAX_DELIVERY_ID} characters")
    texts = (event.delivery_id, event.event, *event.refs, *event.deleted)
    if any("\x00" in text for text in texts):
        raise WebhookRefused(400, "the delivery names an item with a NUL character")
    if len(event.event) > MAX_EVENT:
        raise WebhookRefused(400, f"the event name is over {MAX_EVENT} characters")
    return event


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is longer than ``limit`` bytes (a ``Content-Length``
    over it is refused before a byte is read)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
