"""Signing test deliveries the way the trackers do, and a refusal's status and reason."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest

from connectors.webhooks import WebhookRefused

SECRET = b"whsec-test-secret"


def hex_signature(body: bytes, secret: bytes = SECRET) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def flipped(body: bytes) -> bytes:
    """The body with one bit of its middle byte flipped."""
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]


def refusal(call: Callable[[], object]) -> WebhookRefused:
    with pytest.raises(WebhookRefused) as caught:
        call()
    return caught.value
