"""Test doubles for webhooks: a tracker's ``verify`` and ``parse`` (an HMAC in one header, the
event as JSON), installed as the Jira kind's webhooks module, and a connector whose tracker is
a dict of the items' current state, read by ``fetch_items``.

The real trackers' modules are tested on their own; these let the receiver and the applier be
tested on the hub's side alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import types
from collections.abc import Mapping, Sequence
from datetime import datetime

import httpx
import pytest

from connectors.base import Fetched, Skipped
from connectors.payload import MappingError
from connectors.webhooks import WebhookEvent, WebhookRefused
from hub.contract.config import SourceConfig
from hub.contract.errors import TrackerError
from hub.contract.records import ItemRecord
from tests.sync.fakes import SOURCE, FakeConnector

SECRET = "It's a Secret to Everybody"
SECRET_ENV = "TEST_JIRA_WEBHOOK_SECRET"
SIGNATURE = "x-test-signature"
WEBHOOKS_MODULE = "connectors.jira.webhooks"
HOOKED = SOURCE.model_copy(update={"webhook_secret_env": SECRET_ENV})
"""The engine tests' Jira source, receiving webhooks."""


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Handlers:
    """``verify`` and ``parse`` of a pretend tracker, remembering what they were given."""

    def __init__(self) -> None:
        self.verified: list[tuple[dict[str, str], bytes, bytes, datetime]] = []
        self.parsed = 0

    def verify(self, headers: Mapping[str, str], body: bytes, secret: bytes, now: datetime) -> None:
        self.verified.append((dict(headers), body, secret, now))
        signature = headers.get(SIGNATURE)
        if signature is None:
            raise WebhookRefused(401, f"the {SIGNATURE} header is missing")
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            raise WebhookRefused(401, "the signature does not match")

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        self.parsed += 1
        try:
            event = json.loads(body)
        except ValueError:
            raise MappingError("the body is not JSON") from None
        return WebhookEvent(
            delivery_id=event["id"],
            event=event.get("event", "issue.updated"),
            refs=tuple(event.get("refs", ())),
            deleted=tuple(event.get("deleted", ())),
        )

    def module(self) -> types.ModuleType:
        """A webhooks module whose ``verify`` and ``parse`` are these."""
        module = types.ModuleType(WEBHOOKS_MODULE)
        module.verify = self.verify  # type: ignore[attr-defined]
        module.parse = self.parse  # type: ignore[attr-defined]
        return module

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make these the Jira kind's webhooks module, as ``webhook_handlers`` imports it."""
        monkeypatch.setitem(sys.modules, WEBHOOKS_MODULE, self.module())


def delivery(
    delivery_id: str, refs: Sequence[str] = (), deleted: Sequence[str] = (), **extra: str
) -> bytes:
    return json.dumps({"id": delivery_id, "refs": refs, "deleted": deleted, **extra}).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    return {SIGNATURE: sign(body), "content-type": "application/json"}


class TrackerConnector(FakeConnector):
    """A connector whose tracker holds ``tracker`` (external id → the item's current state):
    ``fetch_items`` answers from it, what it lacks is gone; ``failure`` makes it fail."""

    def __init__(
        self,
        source: SourceConfig,
        tracker: dict[str, ItemRecord],
        *,
        failure: Exception | None = None,
        skipped: Sequence[Skipped] = (),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(source, list(tracker.values()), transport=transport)
        self.tracker = tracker
        self.fetch_failure = failure
        self.fetch_skipped = skipped
        self.fetched: list[list[str]] = []

    async def fetch_items(self, refs: Sequence[str]) -> Fetched:
        self.fetched.append(list(refs))
        self._stats.requests += 1
        if self.fetch_failure is not None:
            raise self.fetch_failure
        found = [self.tracker[ref] for ref in refs if ref in self.tracker]
        gone = [ref for ref in refs if ref not in self.tracker]
        return Fetched(items=found, gone=gone, skipped=self.fetch_skipped)


def failing_with_token(source: SourceConfig) -> TrackerError:
    """A tracker error quoting the source's token, as a careless message might."""
    return TrackerError(f"jira answered 500 to a request with {source.token.get_secret_value()}")
