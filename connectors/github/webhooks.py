"""GitHub webhooks: ``X-Hub-Signature-256`` verified on the raw body, then the delivery read
into the issues to read again.

Refs are the connector's external ids (``owner/repo#number`` lower-cased, from each issue's
``repository_url`` and ``number``), except for ``projects_v2_item``: its payload names the
card's issue only by node id, so the ref is ``node:<content_node_id>`` and
``GitHubConnector.fetch_items`` resolves it through GraphQL ``nodes(ids:)``.

Events: ``issues`` (every action; ``deleted`` → the issue is deleted; ``transferred`` → the old
issue is deleted and the new one read), ``sub_issues`` (parent and child), ``issue_dependencies``
(both ends), ``projects_v2_item`` (issue cards only), ``ping`` and any other event (ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.github.mapping import issue_id
from connectors.payload import MappingError
from connectors.webhook_signing import json_object, malformed, prefixed_signature, required_header
from connectors.webhooks import WebhookEvent

SIGNATURE = "x-hub-signature-256"
EVENT = "x-github-event"
DELIVERY = "x-github-delivery"
NODE_REF = "node:"
"""Prefix of a ref naming an issue by its GraphQL node id."""

_PAIRS = {
    "sub_issues": ("parent_issue", "sub_issue"),
    "issue_dependencies": ("blocking_issue", "blocked_issue"),
}


def verify(headers: Mapping[str, str], body: bytes, secret: bytes, now: datetime) -> None:
    """Refuse (401) a delivery whose ``X-Hub-Signature-256`` is missing or wrong. GitHub
    signs no timestamp, so ``now`` is not used: replays are caught by the delivery id."""
    prefixed_signature(headers, SIGNATURE, body, secret)


def parse(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
    """A verified delivery as the issues to read again; 400 when it cannot be read."""
    delivery = required_header(headers, DELIVERY, status=400)
    event = required_header(headers, EVENT, status=400)
    payload = json_object(body)
    action = payload.get("action")
    name = f"{event}.{action}" if isinstance(action, str) and action else event
    if event == "issues":
        return _issues(delivery, name, action, payload)
    if event in _PAIRS:
        refs = tuple(dict.fromkeys(_ref(payload, field) for field in _PAIRS[event]))
        return WebhookEvent(delivery, name, refs=refs)
    if event == "projects_v2_item":
        return WebhookEvent(delivery, name, refs=_card(payload))
    return WebhookEvent(delivery, name)


def _issues(delivery: str, name: str, action: Any, payload: Mapping[str, Any]) -> WebhookEvent:
    issue = payload.get("issue")
    if isinstance(issue, Mapping) and "pull_request" in issue:
        return WebhookEvent(delivery, name)
    ref = _ref(payload, "issue")
    if action == "deleted":
        return WebhookEvent(delivery, name, deleted=(ref,))
    if action == "transferred":
        changes = payload.get("changes")
        moved = _ref(changes, "new_issue") if isinstance(changes, Mapping) else None
        if moved is None:
            raise malformed("issues.transferred without changes.new_issue")
        return WebhookEvent(delivery, name, refs=(moved,), deleted=(ref,))
    return WebhookEvent(delivery, name, refs=(ref,))


def _ref(payload: Mapping[str, Any], field: str) -> str:
    issue = payload.get(field)
    if not isinstance(issue, Mapping):
        raise malformed(f"no {field} object")
    try:
        return issue_id(issue)
    except MappingError as exc:
        raise malformed(f"{field}: {exc}") from None


def _card(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """The card's issue, by node id; drafts and pull requests are not the hub's items."""
    item = payload.get("projects_v2_item")
    if not isinstance(item, Mapping):
        raise malformed("no projects_v2_item object")
    if item.get("content_type") != "Issue":
        return ()
    node = item.get("content_node_id")
    if not isinstance(node, str) or not node:
        raise malformed("projects_v2_item without content_node_id")
    return (NODE_REF + node,)
