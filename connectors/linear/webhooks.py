"""Linear webhooks: ``Linear-Signature`` (hex HMAC-SHA256 of the raw body) verified, then the
body's ``webhookTimestamp`` checked against the clock, then the delivery read into the items to
read again.

Refs are the connector's external ids, the entities' plain ids (issues, projects and
initiatives alike; only their keys are prefixed). ``Issue``, ``Project`` and ``Initiative``
name themselves (``remove`` → deleted); ``IssueRelation`` both of its issues;
``ProjectUpdate`` its project. Other types are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.webhook_signing import check_signature, json_object, malformed, required_header
from connectors.webhooks import WebhookEvent, WebhookRefused

SIGNATURE = "linear-signature"
DELIVERY = "linear-delivery"
MAX_AGE_MS = 60_000
"""Linear's advice: refuse a delivery whose ``webhookTimestamp`` is over a minute off."""
ITEMS = frozenset({"Issue", "Project", "Initiative"})


def verify(headers: Mapping[str, str], body: bytes, secret: bytes, now: datetime) -> None:
    """Refuse a delivery whose signature is missing or wrong (401), whose
    ``webhookTimestamp`` is not a number (400) or is more than 60 s from ``now`` (401: a
    replay is refused like a forgery, as Linear advises)."""
    check_signature(required_header(headers, SIGNATURE), body, secret, SIGNATURE)
    stamp = json_object(body).get("webhookTimestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        raise malformed("webhookTimestamp is not a number of milliseconds")
    if abs(now.timestamp() * 1000 - stamp) > MAX_AGE_MS:
        raise WebhookRefused(401, "webhookTimestamp is more than 60 s from now")


def parse(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
    """A verified delivery as the items to read again; 400 when it cannot be read."""
    delivery = required_header(headers, DELIVERY, status=400)
    payload = json_object(body)
    kind, action = payload.get("type"), payload.get("action")
    if not isinstance(kind, str) or not isinstance(action, str):
        raise malformed("no type or action")
    event = f"{kind}.{action}"
    data = payload.get("data")
    if not isinstance(data, Mapping):
        raise malformed("no data object")
    if kind in ITEMS:
        ref = _id(data, "id")
        if action == "remove":
            return WebhookEvent(delivery, event, deleted=(ref,))
        return WebhookEvent(delivery, event, refs=(ref,))
    if kind == "IssueRelation":
        ends = (_id(data, "issueId", "issue"), _id(data, "relatedIssueId", "relatedIssue"))
        return WebhookEvent(delivery, event, refs=tuple(dict.fromkeys(ends)))
    if kind == "ProjectUpdate":
        return WebhookEvent(delivery, event, refs=(_id(data, "projectId", "project"),))
    return WebhookEvent(delivery, event)


def _id(data: Mapping[str, Any], field: str, entity: str | None = None) -> str:
    """``data[field]``, or ``data[entity].id`` where the payload nests the entity instead."""
    value = data.get(field)
    if value is None and entity is not None:
        nested = data.get(entity)
        value = nested.get("id") if isinstance(nested, Mapping) else None
    if not isinstance(value, str) or not value:
        raise malformed(f"data.{field} is missing")
    return value
