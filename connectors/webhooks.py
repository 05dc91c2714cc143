"""What every tracker's webhooks module offers the hub: verify a delivery on its raw bytes,
then read what it asks the hub to re-read.

Each tracker has ``connectors/<tracker>/webhooks.py`` with two pure functions:

- ``verify(headers, body, secret, now)`` checks the signature on the raw body with a
  constant-time compare (and Linear's timestamp) before anything is parsed, raising
  ``WebhookRefused``;
- ``parse(headers, body)`` reads a verified delivery into a ``WebhookEvent``: the tracker's
  delivery id and event, and the items to read again. The event body is never stored: events
  arrive out of order and stale, so the tracker's current state, re-read by
  ``Connector.fetch_items``, always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hub.contract.errors import HubError


class WebhookRefused(HubError):
    """A delivery the hub does not accept: ``status`` is the HTTP answer (400, 401, 413),
    ``reason`` says why without echoing the delivery or the secret."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified delivery, as the hub acts on it."""

    delivery_id: str
    event: str
    """The tracker's event and action: ``issues.edited``, ``jira:issue_updated``,
    ``Issue.update``."""
    refs: tuple[str, ...] = ()
    """External ids (or keys, where the tracker's event names only those) to read again."""
    deleted: tuple[str, ...] = ()
    """External ids the tracker says are deleted: read again, and tombstoned when gone."""

    @property
    def ignored(self) -> bool:
        """Nothing to do (a ping, an event the hub does not map): answered and recorded."""
        return not self.refs and not self.deleted


class Verifier(Protocol):
    def __call__(
        self, headers: Mapping[str, str], body: bytes, secret: bytes, now: datetime
    ) -> None: ...


class Parser(Protocol):
    def __call__(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent: ...
