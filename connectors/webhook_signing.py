"""What the trackers' webhooks modules share: reading a required header, checking an
HMAC-SHA256 signature on the raw body in constant time, and reading the verified body.

Every refusal is a ``WebhookRefused`` whose reason names the header or the rule, never the
body or the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from connectors.webhooks import WebhookRefused


def required_header(headers: Mapping[str, str], name: str, *, status: int = 401) -> str:
    """The value of ``name`` (lower-case, as the hub hands headers over), or a refusal."""
    value = headers.get(name, "").strip()
    if not value:
        raise WebhookRefused(status, f"missing {name} header")
    return value


def check_signature(given: str, body: bytes, secret: bytes, header: str) -> None:
    """Refuse unless ``given`` is the hex HMAC-SHA256 of ``body`` under ``secret``.

    The comparison is constant-time (``hmac.compare_digest``) on the lower-cased hex, so how
    long a refusal takes says nothing about how much of a forged signature was right.
    """
    if not secret:
        raise WebhookRefused(401, "the source has no webhook secret to check signatures with")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode("ascii", "replace")):
        raise WebhookRefused(401, f"{header} does not match the body")


def prefixed_signature(headers: Mapping[str, str], header: str, body: bytes, secret: bytes) -> None:
    """Check a ``sha256=<hex>`` signature header (GitHub's and Jira's form)."""
    value = required_header(headers, header)
    scheme, _, digest = value.partition("=")
    if scheme.strip().lower() != "sha256" or not digest:
        raise WebhookRefused(401, f"{header} is not of the form sha256=<hex>")
    check_signature(digest, body, secret, header)


def json_object(body: bytes) -> dict[str, Any]:
    """The verified body as a JSON object; anything else is a malformed delivery (400)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRefused(400, "the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise WebhookRefused(400, "the body is not a JSON object")
    return value


def malformed(what: str) -> WebhookRefused:
    """A verified delivery the hub cannot read: 400, saying what was missing."""
    return WebhookRefused(400, f"malformed delivery: {what}")
