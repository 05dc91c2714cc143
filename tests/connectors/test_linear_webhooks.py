"""Linear webhooks: ``Linear-Signature``, the 60-second ``webhookTimestamp`` window, refusals,
and every type the hub maps, read from payloads in Linear's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from connectors.linear.webhooks import parse, verify
from connectors.webhooks import WebhookEvent
from tests.connectors.webhook_signing import SECRET, flipped, hex_signature, refusal

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
DELIVERY = "234d1a4e-b617-4388-90fe-adc3633d6b72"
ISSUE_ID = "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9"
PROJECT_ID = "8e6a6b4f-0f3e-4e2b-9d5d-1c6e2a7c1b11"


def body_of(kind: str, action: str, data: dict[str, Any], *, at: int = NOW_MS) -> bytes:
    return json.dumps(
        {
            "action": action,
            "actor": {"id": "2e0f0d34", "type": "user", "name": "Mia Krystof"},
            "createdAt": "2026-12-04T11:59:59.000Z",
            "data": data,
            "url": "https://linear.app/acme/issue/ENG-7",
            "type": kind,
            "updatedFrom": {"updatedAt": "2026-12-04T11:00:00.000Z"},
            "organizationId": "b0a1c2d3",
            "webhookTimestamp": at,
            "webhookId": "000042e3-d123-4980-b49f-8e140eef9329",
        }
    ).encode()


def headers(body: bytes, kind: str = "Issue") -> dict[str, str]:
    return {
        "linear-signature": hex_signature(body),
        "linear-delivery": DELIVERY,
        "linear-event": kind,
        "content-type": "application/json; charset=utf-8",
    }


def delivered(kind: str, action: str, data: dict[str, Any]) -> WebhookEvent:
    body = body_of(kind, action, data)
    verify(headers(body, kind), body, SECRET, NOW)
    return parse(headers(body, kind), body)


def issue_data(**extra: Any) -> dict[str, Any]:
    return {
        "id": ISSUE_ID,
        "identifier": "ENG-7",
        "title": "Checkout times out",
        "stateId": "4e6e6e2a",
        "teamId": "72b2a2dc",
        "projectId": PROJECT_ID,
        "parentId": None,
        "updatedAt": "2026-12-04T11:59:59.000Z",
        **extra,
    }


def test_a_signed_fresh_delivery_verifies_and_forgeries_are_refused() -> None:
    body = body_of("Issue", "update", issue_data())
    verify(headers(body), body, SECRET, NOW)
    flip = refusal(lambda: verify(headers(body), flipped(body), SECRET, NOW))
    wrong = refusal(lambda: verify(headers(body), body, b"not the secret", NOW))
    missing = refusal(lambda: verify({"linear-delivery": DELIVERY}, body, SECRET, NOW))
    assert [r.status for r in (flip, wrong, missing)] == [401, 401, 401]
    assert missing.reason == "missing linear-signature header"


def test_a_delivery_more_than_a_minute_from_now_is_refused_either_way() -> None:
    for offset in (-61_000, 61_000):
        body = body_of("Issue", "update", issue_data(), at=NOW_MS + offset)
        refused = refusal(partial(verify, headers(body), body, SECRET, NOW))
        assert (refused.status, refused.reason) == (
            401,
            "webhookTimestamp is more than 60 s from now",
        )
    body = body_of("Issue", "update", issue_data(), at=NOW_MS - 59_000)
    verify(headers(body), body, SECRET, NOW)
    verify(headers(body), body, SECRET, NOW - timedelta(seconds=30))


def test_a_signed_body_without_a_timestamp_or_json_is_a_bad_request() -> None:
    for body in (b'{"type": "Issue"}', b'{"type": "Issue", "webhookTimestamp": "soon"}', b"[1"):
        assert refusal(partial(verify, headers(body), body, SECRET, NOW)).status == 400


def test_a_missing_delivery_id_is_a_bad_request() -> None:
    body = body_of("Issue", "update", issue_data())
    given = {k: v for k, v in headers(body).items() if k != "linear-delivery"}
    assert refusal(lambda: parse(given, body)).status == 400


@pytest.mark.parametrize("kind", ["Issue", "Project", "Initiative"])
@pytest.mark.parametrize("action", ["create", "update"])
def test_an_item_event_names_the_item_by_its_plain_id(kind: str, action: str) -> None:
    event = delivered(kind, action, issue_data() if kind == "Issue" else {"id": PROJECT_ID})
    expected = ISSUE_ID if kind == "Issue" else PROJECT_ID
    assert event == WebhookEvent(DELIVERY, f"{kind}.{action}", refs=(expected,))


@pytest.mark.parametrize("kind", ["Issue", "Project", "Initiative"])
def test_a_removed_item_is_deleted(kind: str) -> None:
    event = delivered(kind, "remove", {"id": ISSUE_ID, "trashed": True})
    assert (event.refs, event.deleted) == ((), (ISSUE_ID,))


@pytest.mark.parametrize("action", ["create", "update", "remove"])
def test_an_issue_relation_names_both_issues(action: str) -> None:
    other = "9a3e1c2b-5d4f-4e6a-8b7c-0d1e2f3a4b5c"
    event = delivered(
        "IssueRelation",
        action,
        {
            "id": "c1b2a3d4",
            "type": "blocks",
            "issueId": ISSUE_ID,
            "relatedIssueId": other,
            "issue": {"id": ISSUE_ID, "title": "Checkout times out"},
            "relatedIssue": {"id": other, "title": "Gateway retries"},
        },
    )
    assert (event.refs, event.deleted) == ((ISSUE_ID, other), ())


def test_a_project_update_names_its_project() -> None:
    event = delivered(
        "ProjectUpdate",
        "create",
        {"id": "f00d", "body": "Vendor API late.", "health": "atRisk", "projectId": PROJECT_ID},
    )
    assert event.refs == (PROJECT_ID,)
    nested = delivered("ProjectUpdate", "remove", {"id": "f00d", "project": {"id": PROJECT_ID}})
    assert (nested.refs, nested.deleted) == ((PROJECT_ID,), ())


def test_types_the_hub_does_not_map_are_ignored() -> None:
    event = delivered("Comment", "create", {"id": "c0", "body": "+1", "issueId": ISSUE_ID})
    assert (event.event, event.ignored) == ("Comment.create", True)


def test_an_event_without_the_ids_it_needs_is_a_bad_request() -> None:
    for kind, data in (("Issue", {"title": "no id"}), ("IssueRelation", {"issueId": ISSUE_ID})):
        body = body_of(kind, "update", data)
        assert refusal(partial(parse, headers(body), body)).status == 400
