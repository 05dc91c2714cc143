"""Jira Cloud webhooks: ``X-Hub-Signature`` (not ``-256``), refusals, and every event the hub
maps, read from payloads in Jira's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from connectors.jira.webhooks import parse, verify
from connectors.webhooks import WebhookEvent
from tests.connectors.webhook_signing import SECRET, flipped, hex_signature, refusal

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
SITE = "https://acme.atlassian.net"
DELIVERY = "b5fd3b4d-0b0e-4fe7-95d1-0b7d6a1f0c1e"


def issue(issue_id: str, key: str) -> dict[str, Any]:
    return {
        "id": issue_id,
        "self": f"{SITE}/rest/api/2/{issue_id}",
        "key": key,
        "fields": {
            "summary": "Checkout times out",
            "issuetype": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
            "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
            "updated": "2026-12-04T22:59:00.000+1100",
        },
    }


def headers(body: bytes, **override: str) -> dict[str, str]:
    base = {
        "x-hub-signature": "sha256=" + hex_signature(body),
        "x-atlassian-webhook-identifier": DELIVERY,
        "x-atlassian-webhook-retry": "0",
        "content-type": "application/json; charset=utf-8",
    }
    return {**base, **override}


def delivered(payload: dict[str, Any]) -> WebhookEvent:
    body = json.dumps(payload).encode()
    verify(headers(body), body, SECRET, NOW)
    return parse(headers(body), body)


def test_a_signed_delivery_verifies_and_forgeries_are_refused() -> None:
    body = json.dumps({"timestamp": 1764849540000, "webhookEvent": "jira:issue_updated"}).encode()
    verify(headers(body), body, SECRET, NOW)
    flip = refusal(lambda: verify(headers(body), flipped(body), SECRET, NOW))
    wrong = refusal(lambda: verify(headers(body), body, b"not the secret", NOW))
    dash = headers(body)
    dash["x-hub-signature-256"] = dash.pop("x-hub-signature")
    missing = refusal(lambda: verify(dash, body, SECRET, NOW))
    assert [r.status for r in (flip, wrong, missing)] == [401, 401, 401]
    assert missing.reason == "missing x-hub-signature header"


def test_malformed_json_and_a_missing_identifier_are_bad_requests() -> None:
    body = b'{"webhookEvent": "jira:issue_updated", "issue": {'
    verify(headers(body), body, SECRET, NOW)
    assert refusal(lambda: parse(headers(body), body)).status == 400
    good = json.dumps({"webhookEvent": "jira:issue_created", "issue": issue("10002", "PAY-2")})
    given = {k: v for k, v in headers(good.encode()).items() if "identifier" not in k}
    assert refusal(lambda: parse(given, good.encode())).status == 400


@pytest.mark.parametrize("event", ["jira:issue_created", "jira:issue_updated"])
def test_an_issue_event_names_the_issue_by_id(event: str) -> None:
    payload = {
        "timestamp": 1764849540000,
        "webhookEvent": event,
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Krystof"},
        "issue": issue("10002", "PAY-2"),
        "changelog": {
            "id": "10400",
            "items": [{"field": "status", "fromString": "To Do", "toString": "In Progress"}],
        },
    }
    assert delivered(payload) == WebhookEvent(DELIVERY, event, refs=("10002",))


def test_a_deleted_issue_is_deleted() -> None:
    event = delivered(
        {"webhookEvent": "jira:issue_deleted", "issue": issue("10002", "PAY-2"), "timestamp": 1}
    )
    assert (event.refs, event.deleted) == ((), ("10002",))


@pytest.mark.parametrize("event", ["issuelink_created", "issuelink_deleted"])
def test_a_link_event_names_both_issues(event: str) -> None:
    payload = {
        "timestamp": 1764849540000,
        "webhookEvent": event,
        "issueLink": {
            "id": 10300,
            "sourceIssueId": 10002,
            "destinationIssueId": 10007,
            "issueLinkType": {
                "id": 10000,
                "name": "Blocks",
                "outwardName": "blocks",
                "inwardName": "is blocked by",
                "isSubTaskLinkType": False,
                "isSystemLinkType": False,
            },
            "sequence": 0,
            "systemLink": False,
        },
    }
    assert delivered(payload).refs == ("10002", "10007")


def test_events_the_hub_does_not_map_are_ignored() -> None:
    event = delivered(
        {"webhookEvent": "comment_created", "comment": {"id": "1"}, "issue": issue("1", "A-1")}
    )
    assert (event.event, event.ignored) == ("comment_created", True)


def test_an_event_without_its_issue_or_link_is_a_bad_request() -> None:
    for payload in (
        {"webhookEvent": "jira:issue_updated"},
        {"webhookEvent": "issuelink_created", "issueLink": {"sourceIssueId": 1}},
        {"issue": issue("1", "A-1")},
    ):
        body = json.dumps(payload).encode()
        assert refusal(partial(parse, headers(body), body)).status == 400
