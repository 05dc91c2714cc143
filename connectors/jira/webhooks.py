"""Jira Cloud admin webhooks with a secret: ``X-Hub-Signature`` (``sha256=<hex>``, not
``-256``) verified on the raw body, then the delivery read into the issues to read again.

The delivery id is ``X-Atlassian-Webhook-Identifier``, the same on every retry. Refs are Jira
issue ids, the connector's external ids (the key changes when an issue moves project).
Events: ``jira:issue_created`` / ``jira:issue_updated`` (the issue), ``jira:issue_deleted``
(deleted), ``issuelink_created`` / ``issuelink_deleted`` (both ends); any other is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.webhook_signing import json_object, malformed, prefixed_signature, required_header
from connectors.webhooks import WebhookEvent

SIGNATURE = "x-hub-signature"
DELIVERY = "x-atlassian-webhook-identifier"
ISSUE_EVENTS = frozenset({"jira:issue_created", "jira:issue_updated"})
DELETED = "jira:issue_deleted"
LINK_EVENTS = frozenset({"issuelink_created", "issuelink_deleted"})


def verify(headers: Mapping[str, str], body: bytes, secret: bytes, now: datetime) -> None:
    """Refuse (401) a delivery whose ``X-Hub-Signature`` is missing or wrong. Jira's body
    carries a ``timestamp`` but a retry keeps it, so age is not a reason to refuse."""
    prefixed_signature(headers, SIGNATURE, body, secret)


def parse(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
    """A verified delivery as the issues to read again; 400 when it cannot be read."""
    delivery = required_header(headers, DELIVERY, status=400)
    payload = json_object(body)
    event = payload.get("webhookEvent")
    if not isinstance(event, str) or not event:
        raise malformed("no webhookEvent")
    if event in ISSUE_EVENTS:
        return WebhookEvent(delivery, event, refs=(_issue_id(payload),))
    if event == DELETED:
        return WebhookEvent(delivery, event, deleted=(_issue_id(payload),))
    if event in LINK_EVENTS:
        link = payload.get("issueLink")
        if not isinstance(link, Mapping):
            raise malformed(f"{event} without an issueLink object")
        ends = (
            _id(link.get(end), f"issueLink.{end}")
            for end in ("sourceIssueId", "destinationIssueId")
        )
        return WebhookEvent(delivery, event, refs=tuple(dict.fromkeys(ends)))
    return WebhookEvent(delivery, event)


def _issue_id(payload: Mapping[str, Any]) -> str:
    issue = payload.get("issue")
    if not isinstance(issue, Mapping):
        raise malformed("no issue object")
    return _id(issue.get("id"), "issue.id")


def _id(value: Any, name: str) -> str:
    """A Jira id: a string of digits in issues, a number in issue links."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    raise malformed(f"{name} is not an issue id")
