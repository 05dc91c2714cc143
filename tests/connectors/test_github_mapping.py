"""Pure mapping tests: GitHub issue payloads in their real REST shape, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from connectors.github.mapping import (
    Dependencies,
    dependencies,
    external_id,
    issue_id,
    map_issue,
    needs_dependencies,
    parent_id,
    repo_of,
    status_of,
)
from connectors.payload import MappingError
from hub.contract.records import DateSource, Level, PersonRecord, StatusCategory

API = "https://api.github.com"


def user(login: str, user_id: int = 583231) -> dict[str, Any]:
    return {
        "login": login,
        "id": user_id,
        "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "url": f"{API}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": "User",
        "site_admin": False,
    }


def label(name: str) -> dict[str, Any]:
    return {
        "id": 208045946,
        "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=",
        "url": f"{API}/repos/Acme/Identity/labels/{name}",
        "name": name,
        "description": "",
        "color": "f29513",
        "default": False,
    }


def issue(number: int = 42, repo: str = "Acme/Identity", **overrides: Any) -> dict[str, Any]:
    """An issue as ``GET /repos/{owner}/{repo}/issues`` lists it (API version 2022-11-28)."""
    repo_url = f"{API}/repos/{repo}"
    payload: dict[str, Any] = {
        "url": f"{repo_url}/issues/{number}",
        "repository_url": repo_url,
        "labels_url": f"{repo_url}/issues/{number}/labels{{/name}}",
        "comments_url": f"{repo_url}/issues/{number}/comments",
        "events_url": f"{repo_url}/issues/{number}/events",
        "html_url": f"https://github.com/{repo}/issues/{number}",
        "id": 2_600_000_000 + number,
        "node_id": f"I_kwDOAbc{number:04d}",
        "number": number,
        "title": "Rotate signing keys without downtime",
        "user": user("octocat"),
        "labels": [label("security")],
        "state": "open",
        "locked": False,
        "assignee": user("hubot", 2),
        "assignees": [user("hubot", 2), user("octocat")],
        "milestone": None,
        "comments": 3,
        "created_at": "2024-10-01T08:00:00Z",
        "updated_at": "2024-11-29T10:00:00Z",
        "closed_at": None,
        "author_association": "MEMBER",
        "type": None,
        "active_lock_reason": None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "issue_dependencies_summary": {
            "blocked_by": 0,
            "blocking": 0,
            "total_blocked_by": 0,
            "total_blocking": 0,
        },
        "body": "Keys rotate **hourly**; see acme/billing#7.",
        "closed_by": None,
        "reactions": {"url": f"{repo_url}/issues/{number}/reactions", "total_count": 0},
        "timeline_url": f"{repo_url}/issues/{number}/timeline",
        "performed_via_github_app": None,
        "state_reason": None,
    }
    payload.update(overrides)
    return payload


def milestone(due_on: str | None) -> dict[str, Any]:
    return {
        "url": f"{API}/repos/Acme/Identity/milestones/3",
        "id": 1002604,
        "node_id": "MDk6TWlsZXN0b25lMTAwMjYwNA==",
        "number": 3,
        "state": "open",
        "title": "v2.0",
        "description": "",
        "creator": user("octocat"),
        "open_issues": 4,
        "closed_issues": 8,
        "created_at": "2024-09-01T00:00:00Z",
        "updated_at": "2024-11-01T00:00:00Z",
        "closed_at": None,
        "due_on": due_on,
    }


def test_open_issue_maps_every_field() -> None:
    payload = issue()
    item = map_issue(payload)

    assert item.external_id == "acme/identity#42"
    assert item.key == "Acme/Identity#42"
    assert item.url == "https://github.com/Acme/Identity/issues/42"
    assert item.title == "Rotate signing keys without downtime"
    assert item.body == "Keys rotate **hourly**; see acme/billing#7."
    assert item.level is Level.ISSUE
    assert (item.status_name, item.status_category) == ("Open", StatusCategory.TODO)
    assert item.created_at == datetime(2024, 10, 1, 8, tzinfo=UTC)
    assert item.updated_at == datetime(2024, 11, 29, 10, tzinfo=UTC)
    assert item.completed_at is None
    assert item.assignee == PersonRecord(external_id="hubot", name="hubot", email=None)
    assert item.labels == ("security",)
    assert item.components == ("Acme/Identity",)
    assert item.parent_external_id is None
    assert item.target_date is None
    assert item.blocks == () and item.blocked_by == ()
    assert orjson.loads(item.raw) == payload


def test_issue_with_sub_issues_is_an_epic() -> None:
    summary = {"total": 5, "completed": 2, "percent_completed": 40}
    assert map_issue(issue(sub_issues_summary=summary)).level is Level.EPIC


def test_epic_label_makes_an_epic_before_it_has_sub_issues() -> None:
    labelled = issue(labels=[label("security"), label("Epic")])
    assert map_issue(labelled).level is Level.EPIC
    assert map_issue(labelled, epic_label="initiative").level is Level.ISSUE
    assert map_issue(issue(labels=[label("roadmap")]), epic_label="roadmap").level is Level.EPIC


def test_parent_comes_from_parent_issue_url_lowercased() -> None:
    child = issue(parent_issue_url=f"{API}/repos/Acme/Identity/issues/12")
    assert map_issue(child).parent_external_id == "acme/identity#12"


def test_parent_in_another_repository_on_enterprise_server() -> None:
    url = "https://ghe.example.com/api/v3/repos/Platform/Auth/issues/7"
    assert parent_id(url) == "platform/auth#7"
    assert repo_of("https://ghe.example.com/api/v3/repos/Platform/Auth") == "Platform/Auth"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.github.com/repos/Acme/Identity/issues/12", "acme/identity#12"),
        ("https://api.github.com/repos/Acme/Identity/issues/12/", "acme/identity#12"),
        ("https://api.github.com/repos/Acme/Identity/pulls/12", None),
        ("https://api.github.com/Acme/Identity/issues/12", None),
        ("https://api.github.com/repos/Acme/Identity/issues/0", None),
    ],
)
def test_parent_issue_url_must_name_an_issue(url: str, expected: str | None) -> None:
    if expected is not None:
        assert parent_id(url) == expected
    else:
        with pytest.raises(MappingError, match="parent_issue_url"):
            parent_id(url)


@pytest.mark.parametrize(
    ("reason", "name", "category"),
    [
        ("completed", "Closed", StatusCategory.DONE),
        (None, "Closed", StatusCategory.DONE),
        ("reopened", "Closed", StatusCategory.DONE),
        ("not_planned", "Closed (not planned)", StatusCategory.CANCELED),
        ("duplicate", "Closed (duplicate)", StatusCategory.CANCELED),
    ],
)
def test_closed_issue_status_by_state_reason(
    reason: str | None, name: str, category: StatusCategory
) -> None:
    closed = issue(state="closed", state_reason=reason, closed_at="2024-11-28T17:30:00Z")
    item = map_issue(closed)
    assert (item.status_name, item.status_category) == (name, category)
    expected = (
        datetime(2024, 11, 28, 17, 30, tzinfo=UTC) if category is StatusCategory.DONE else None
    )
    assert item.completed_at == expected


def test_reopened_issue_is_open() -> None:
    item = map_issue(issue(state="open", state_reason="reopened"))
    assert item.status_category is StatusCategory.TODO


def test_source_statuses_override_the_category() -> None:
    overrides = {"Closed (not planned)": StatusCategory.DONE, "Open": StatusCategory.IN_PROGRESS}
    closed = issue(state="closed", state_reason="not_planned", closed_at="2024-11-28T17:30:00Z")
    assert map_issue(closed, statuses=overrides).status_category is StatusCategory.DONE
    assert map_issue(closed, statuses=overrides).completed_at is not None
    assert map_issue(issue(), statuses=overrides).status_category is StatusCategory.IN_PROGRESS


def test_unknown_state_is_a_mapping_error_naming_the_issue() -> None:
    with pytest.raises(MappingError, match=r"Acme/Identity#42: unknown state 'merged'"):
        map_issue(issue(state="merged"))


def test_unknown_closing_reason_needs_a_status_override() -> None:
    closed = issue(state="closed", state_reason="won_t_fix")
    with pytest.raises(MappingError, match=r"map status 'Closed \(won t fix\)'"):
        map_issue(closed)
    overrides = {"Closed (won t fix)": StatusCategory.CANCELED}
    assert status_of(closed, overrides) == ("Closed (won t fix)", StatusCategory.CANCELED)


def test_milestone_due_date_is_the_target_date() -> None:
    dated = map_issue(issue(milestone=milestone("2024-12-31T08:00:00Z")))
    assert (dated.target_date, dated.target_date_source, dated.target_date_field) == (
        date(2024, 12, 31),
        DateSource.MILESTONE,
        "v2.0",
    )
    undated = map_issue(issue(milestone=milestone(None)))
    assert (undated.target_date, undated.target_date_source, undated.target_date_field) == (
        None,
        None,
        None,
    )


def test_no_assignees_and_no_body() -> None:
    item = map_issue(issue(assignee=None, assignees=[], body=None, labels=[]))
    assert item.assignee is None
    assert item.body == ""
    assert item.labels == ()


def test_assignee_falls_back_to_the_singular_field() -> None:
    item = map_issue(issue(assignees=None))
    assert item.assignee == PersonRecord(external_id="hubot", name="hubot")


def test_labels_may_be_bare_strings() -> None:
    assert map_issue(issue(labels=["epic", label("ux")])).labels == ("epic", "ux")


def test_relations_are_attached_as_given() -> None:
    relations = Dependencies(blocks=("acme/billing#7",), blocked_by=("acme/identity#3",))
    item = map_issue(issue(), relations=relations)
    assert item.blocks == ("acme/billing#7",)
    assert item.blocked_by == ("acme/identity#3",)


def test_dependencies_from_a_graphql_issue_node() -> None:
    node = {
        "id": "I_kwDOAbc0042",
        "number": 42,
        "repository": {"nameWithOwner": "Acme/Identity"},
        "blockedBy": {
            "nodes": [
                {"number": 3, "repository": {"nameWithOwner": "Acme/Identity"}},
                {"number": 9, "repository": {"nameWithOwner": "Other-Org/Infra"}},
            ]
        },
        "blocking": {"nodes": [{"number": 7, "repository": {"nameWithOwner": "acme/Billing"}}]},
    }
    assert dependencies(node) == Dependencies(
        blocks=("acme/billing#7",), blocked_by=("acme/identity#3", "other-org/infra#9")
    )


def test_only_issues_that_block_something_need_a_lookup() -> None:
    summary = {"blocked_by": 0, "blocking": 0, "total_blocked_by": 0, "total_blocking": 1}
    assert needs_dependencies(issue(issue_dependencies_summary=summary))
    blocked_only = {**summary, "total_blocked_by": 2, "total_blocking": 0}
    assert not needs_dependencies(issue(issue_dependencies_summary=blocked_only))
    assert not needs_dependencies(issue())
    assert not needs_dependencies(issue(issue_dependencies_summary=None))


def test_ids_ignore_case() -> None:
    assert external_id("Acme/Identity", 5) == "acme/identity#5"
    assert issue_id(issue(7, repo="ACME/identity")) == "acme/identity#7"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": None}, "title is missing"),
        ({"updated_at": "yesterday"}, "updated_at: not a date-time"),
        ({"parent_issue_url": f"{API}/repos/Acme/Identity"}, "parent_issue_url: not an issue URL"),
        ({"html_url": None}, "html_url is missing"),
    ],
)
def test_garbled_payloads_are_mapping_errors(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        map_issue(issue(**overrides))


def test_missing_repository_url_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="repository_url is missing"):
        map_issue(issue(repository_url=None))
