"""Signed webhook deliveries from the simulators, in each tracker's shape, to configured URLs.

A ``WebhookSender`` signs and posts what a world's changes produce (``webhook_events``
turns a ``Change`` into a tracker's event), so the demo and the tests exercise the hub's real
webhook path. Sending never blocks the simulator's answers: a delivery is queued when the
world changes and posted later, by a background thread (``start``) or by
``deliver_pending`` on an async client (an in-process hub in tests).

It can be told to misbehave as the real services do or as an attacker would:

- ``duplicates``: each delivery is sent again that many times with the same delivery id
  (GitHub's redelivery, Jira's and Linear's retries);
- ``hold``: deliveries are held back until that many are waiting and then sent newest first,
  so the receiver sees them out of order;
- ``forge``: each delivery is followed by a forged one, its body changed and signed with
  another secret, which the receiver must refuse.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Tracker = Literal["github", "jira", "linear"]
FORGERY_SECRET = b"not the shared secret"


@dataclass(frozen=True, slots=True)
class Event:
    """One tracker event, before it is signed: its name (GitHub's ``X-GitHub-Event``,
    Linear's ``Linear-Event``; Jira names it in the body) and its payload."""

    name: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One HTTP delivery as sent: headers (lower-case names) and the raw, signed body."""

    headers: Mapping[str, str]
    body: bytes
    forged: bool = False

    @property
    def delivery_id(self) -> str:
        for name in ("x-github-delivery", "x-atlassian-webhook-identifier", "linear-delivery"):
            if name in self.headers:
                return self.headers[name]
        raise KeyError("no delivery id header")


@dataclass(slots=True)
class Sent:
    """A delivery posted to one URL, and what the receiver answered (None: no answer)."""

    url: str
    delivery: Delivery
    status: int | None
    error: str | None = None


@dataclass(slots=True)
class _Queued:
    event: Event
    delivery_id: str
    attempt: int
    forged: bool = False


@dataclass
class WebhookSender:
    """Signs ``tracker``'s events with ``secret`` and posts them to each of ``urls``."""

    tracker: Tracker
    urls: Sequence[str]
    secret: bytes
    duplicates: int = 0
    hold: int = 0
    forge: bool = False
    timeout: float = 5.0
    transport: httpx.BaseTransport | None = None
    """For the background thread's client (tests); the network when None."""
    clock: Callable[[], float] = time.time
    """Epoch seconds, for Linear's ``webhookTimestamp``, read when a delivery is signed."""
    sent: list[Sent] = field(default_factory=list)
    _pending: list[_Queued] = field(default_factory=list)
    _held: list[_Queued] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _wake: queue.Queue[bool] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None
    _posting: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.urls, str):
            self.urls = (self.urls,)

    def send(self, event: Event) -> None:
        """Queue ``event`` (with its duplicates and forgery); returns at once."""
        delivery_id = str(uuid.uuid4())
        copies = [_Queued(event, delivery_id, attempt) for attempt in range(1 + self.duplicates)]
        if self.forge:
            copies.append(_Queued(event, str(uuid.uuid4()), 0, forged=True))
        with self._lock:
            self._held.extend(copies)
            if len(self._held) >= max(self.hold, 1):
                self._pending.extend(reversed(self._held) if self.hold else self._held)
                self._held.clear()
        self._wake.put(True)

    def release(self) -> None:
        """Send what ``hold`` still keeps back (newest first)."""
        with self._lock:
            self._pending.extend(reversed(self._held))
            self._held.clear()
        self._wake.put(True)

    def sign(self, queued: _Queued) -> Delivery:
        """The delivery in the tracker's shape, signed now."""
        secret = FORGERY_SECRET if queued.forged else self.secret
        return SIGNERS[self.tracker](queued, secret, self.clock())

    async def deliver_pending(self, client: httpx.AsyncClient) -> list[Sent]:
        """Post every queued delivery with ``client`` (for an in-process receiver)."""
        posted: list[Sent] = []
        for queued in self._take():
            delivery = self.sign(queued)
            for url in self.urls:
                try:
                    response = await client.post(
                        url, content=delivery.body, headers=dict(delivery.headers)
                    )
                    posted.append(Sent(url, delivery, response.status_code))
                except httpx.HTTPError as exc:
                    posted.append(Sent(url, delivery, None, type(exc).__name__))
        self.sent.extend(posted)
        return posted

    def start(self) -> WebhookSender:
        """Post deliveries from a background thread as they are queued."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()
        return self

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until the background thread has posted everything queued so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending and not self._posting:
                    return
            time.sleep(0.01)
        raise TimeoutError("webhook deliveries still pending")

    def stop(self) -> None:
        if self._thread is not None:
            self._wake.put(False)
            self._thread.join(self.timeout * 2)
            self._thread = None

    def _take(self) -> list[_Queued]:
        with self._lock:
            taken, self._pending = self._pending, []
            return taken

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
            while self._wake.get():
                with self._lock:
                    self._posting = True
                for queued in self._take():
                    delivery = self.sign(queued)
                    for url in self.urls:
                        self.sent.append(_post(client, url, delivery))
                with self._lock:
                    self._posting = False


def _post(client: httpx.Client, url: str, delivery: Delivery) -> Sent:
    try:
        response = client.post(url, content=delivery.body, headers=dict(delivery.headers))
    except httpx.HTTPError as exc:
        return Sent(url, delivery, None, type(exc).__name__)
    return Sent(url, delivery, response.status_code)


def _hex(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def _body(payload: Mapping[str, Any], forged: bool) -> bytes:
    """The payload as JSON; a forgery also changes what it says."""
    changed = {**payload, "forged": True} if forged else payload
    return json.dumps(changed, separators=(",", ":")).encode()


def _github(queued: _Queued, secret: bytes, _now: float) -> Delivery:
    body = _body(queued.event.payload, queued.forged)
    headers = {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/simulator",
        "x-github-event": queued.event.name,
        "x-github-delivery": queued.delivery_id,
        "x-github-hook-id": "1",
        "x-hub-signature-256": "sha256=" + _hex(secret, body),
    }
    return Delivery(headers, body, queued.forged)


def _jira(queued: _Queued, secret: bytes, _now: float) -> Delivery:
    body = _body(queued.event.payload, queued.forged)
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Atlassian Webhook HTTP Client",
        "x-atlassian-webhook-identifier": queued.delivery_id,
        "x-atlassian-webhook-retry": str(queued.attempt),
        "x-hub-signature": "sha256=" + _hex(secret, body),
    }
    return Delivery(headers, body, queued.forged)


def _linear(queued: _Queued, secret: bytes, now: float) -> Delivery:
    payload = {**queued.event.payload, "webhookTimestamp": int(now * 1000)}
    body = _body(payload, queued.forged)
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Linear-Webhook",
        "linear-delivery": queued.delivery_id,
        "linear-event": queued.event.name,
        "linear-signature": _hex(secret, body),
    }
    return Delivery(headers, body, queued.forged)


SIGNERS: dict[Tracker, Callable[[_Queued, bytes, float], Delivery]] = {
    "github": _github,
    "jira": _jira,
    "linear": _linear,
}
