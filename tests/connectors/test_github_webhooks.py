"""GitHub webhooks: the published test vector, refusals, and every event the hub maps, read
from payloads in GitHub's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from connectors.github.webhooks import parse, verify
from connectors.webhooks import WebhookEvent
from tests.connectors.webhook_signing import SECRET, flipped, hex_signature, refusal

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
API = "https://api.github.com"


def issue(repo: str, number: int, **extra: Any) -> dict[str, Any]:
    return {
        "url": f"{API}/repos/{repo}/issues/{number}",
        "repository_url": f"{API}/repos/{repo}",
        "html_url": f"https://github.com/{repo}/issues/{number}",
        "id": 2_000_000 + number,
        "node_id": f"I_kwDOAA{number}",
        "number": number,
        "title": "Checkout times out",
        "state": "open",
        "labels": [],
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-12-04T11:59:00Z",
        **extra,
    }


def repository(full_name: str) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {"id": 1296269, "name": name, "full_name": full_name, "owner": {"login": owner}}


def headers(body: bytes, event: str, **override: str) -> dict[str, str]:
    base = {
        "x-github-event": event,
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-hub-signature-256": "sha256=" + hex_signature(body),
        "content-type": "application/json",
    }
    return {**base, **override}


def delivered(event: str, payload: dict[str, Any]) -> WebhookEvent:
    body = json.dumps(payload).encode()
    verify(headers(body, event), body, SECRET, NOW)
    return parse(headers(body, event), body)


def test_github_s_published_test_vector_verifies() -> None:
    secret, body = b"It's a Secret to Everybody", b"Hello, World!"
    signature = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    verify({"x-hub-signature-256": f"sha256={signature}"}, body, secret, NOW)
    assert hex_signature(body, secret) == signature


def test_a_flipped_bit_a_wrong_secret_and_a_missing_signature_are_refused() -> None:
    body = json.dumps({"action": "edited", "issue": issue("acme/api", 1)}).encode()
    good = headers(body, "issues")
    flip = refusal(lambda: verify(good, flipped(body), SECRET, NOW))
    wrong = refusal(lambda: verify(good, body, b"another secret", NOW))
    missing = {k: v for k, v in good.items() if k != "x-hub-signature-256"}
    absent = refusal(lambda: verify(missing, body, SECRET, NOW))
    unsigned = refusal(lambda: verify({"x-hub-signature-256": "sha1=abc"}, body, SECRET, NOW))
    assert [r.status for r in (flip, wrong, absent, unsigned)] == [401, 401, 401, 401]
    assert "missing x-hub-signature-256" in absent.reason
    assert SECRET.decode() not in flip.reason and "Checkout" not in flip.reason


def test_a_source_without_a_secret_accepts_nothing() -> None:
    body = b"{}"
    empty = hex_signature(body, b"")
    refused = refusal(lambda: verify({"x-hub-signature-256": f"sha256={empty}"}, body, b"", NOW))
    assert refused.status == 401


def test_malformed_json_after_a_valid_signature_is_a_bad_request() -> None:
    body = b'{"action": "edited", "issue": '
    verify(headers(body, "issues"), body, SECRET, NOW)
    assert refusal(lambda: parse(headers(body, "issues"), body)).status == 400


def test_a_missing_delivery_id_or_event_is_a_bad_request() -> None:
    body = json.dumps({"zen": "Keep it logically awesome."}).encode()
    for header in ("x-github-delivery", "x-github-event"):
        given = {k: v for k, v in headers(body, "ping").items() if k != header}
        refused = refusal(partial(parse, given, body))
        assert (refused.status, refused.reason) == (400, f"missing {header} header")


@pytest.mark.parametrize(
    "action",
    [
        "opened",
        "edited",
        "closed",
        "reopened",
        "labeled",
        "unlabeled",
        "milestoned",
        "demilestoned",
        "assigned",
        "unassigned",
    ],
)
def test_an_issue_event_names_the_issue_in_the_connector_s_ids(action: str) -> None:
    event = delivered(
        "issues",
        {
            "action": action,
            "issue": issue("Acme/Payments-API", 12),
            "repository": repository("Acme/Payments-API"),
        },
    )
    assert event == WebhookEvent(
        "72d3162e-cc78-11e3-81ab-4c9367dc0958", f"issues.{action}", refs=("acme/payments-api#12",)
    )


def test_a_deleted_issue_is_deleted_and_a_transferred_one_moves() -> None:
    deleted = delivered("issues", {"action": "deleted", "issue": issue("acme/api", 3)})
    assert (deleted.refs, deleted.deleted) == ((), ("acme/api#3",))
    moved = delivered(
        "issues",
        {
            "action": "transferred",
            "issue": issue("acme/api", 3),
            "changes": {
                "new_issue": issue("acme/web", 41),
                "new_repository": repository("acme/web"),
            },
        },
    )
    assert (moved.refs, moved.deleted) == (("acme/web#41",), ("acme/api#3",))


def test_an_issues_event_on_a_pull_request_is_ignored() -> None:
    pull = issue("acme/api", 9, pull_request={"url": f"{API}/repos/acme/api/pulls/9"})
    assert delivered("issues", {"action": "labeled", "issue": pull}).ignored


@pytest.mark.parametrize(
    "action", ["sub_issue_added", "sub_issue_removed", "parent_issue_added", "parent_issue_removed"]
)
def test_a_sub_issue_event_names_parent_and_child(action: str) -> None:
    event = delivered(
        "sub_issues",
        {
            "action": action,
            "parent_issue_id": 2_000_001,
            "parent_issue": issue("acme/api", 1),
            "parent_issue_repo": repository("acme/api"),
            "sub_issue_id": 2_000_007,
            "sub_issue": issue("acme/web", 7),
            "sub_issue_repo": repository("acme/web"),
            "repository": repository("acme/api"),
        },
    )
    assert (event.event, event.refs) == (f"sub_issues.{action}", ("acme/api#1", "acme/web#7"))


@pytest.mark.parametrize(
    "action", ["blocked_by_added", "blocked_by_removed", "blocking_added", "blocking_removed"]
)
def test_a_dependency_event_names_both_ends(action: str) -> None:
    event = delivered(
        "issue_dependencies",
        {
            "action": action,
            "blocked_issue_id": 2_000_004,
            "blocked_issue": issue("acme/api", 4),
            "blocking_issue_id": 2_000_005,
            "blocking_issue": issue("acme/web", 5),
            "blocking_issue_repo": repository("acme/web"),
            "repository": repository("acme/api"),
        },
    )
    assert set(event.refs) == {"acme/api#4", "acme/web#5"}


def test_a_project_card_names_its_issue_by_node_id_and_drafts_are_ignored() -> None:
    def card(content_type: str) -> dict[str, Any]:
        return {
            "action": "edited",
            "projects_v2_item": {
                "id": 45,
                "node_id": "PVTI_lADOAB",
                "project_node_id": "PVT_kwDOAB",
                "content_node_id": "I_kwDOAA12",
                "content_type": content_type,
                "created_at": "2026-11-01T10:00:00Z",
                "updated_at": "2026-12-04T11:59:00Z",
                "archived_at": None,
            },
            "changes": {"field_value": {"field_node_id": "PVTF_lADOAB", "field_type": "date"}},
            "organization": {"login": "acme"},
        }

    assert delivered("projects_v2_item", card("Issue")).refs == ("node:I_kwDOAA12",)
    assert delivered("projects_v2_item", card("DraftIssue")).ignored


def test_ping_and_events_the_hub_does_not_map_are_ignored() -> None:
    ping = delivered("ping", {"zen": "Design for failure.", "hook_id": 30})
    comment = delivered("issue_comment", {"action": "created", "issue": issue("acme/api", 1)})
    assert (ping.event, ping.ignored) == ("ping", True)
    assert (comment.event, comment.ignored) == ("issue_comment.created", True)


def test_an_issue_event_without_its_issue_is_a_bad_request() -> None:
    body = json.dumps({"action": "edited"}).encode()
    assert refusal(lambda: parse(headers(body, "issues"), body)).status == 400
