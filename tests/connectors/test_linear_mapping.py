"""Pure mapping tests: Linear nodes in the shape ``connectors.linear.queries`` selects, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from connectors.linear.mapping import (
    map_initiative,
    map_issue,
    map_project,
    truncated,
)
from connectors.payload import MappingError
from hub.contract.records import Level, PersonRecord, StatusCategory

ISSUE_ID = "7f3c1d6e-54a2-4c1b-9a43-0c9e2b1f5a10"
PROJECT_ID = "a1b2c3d4-0000-4000-8000-000000000001"
INITIATIVE_ID = "b2c3d4e5-0000-4000-8000-000000000002"


def connection(nodes: list[dict[str, Any]], more: bool = False) -> dict[str, Any]:
    return {"pageInfo": {"hasNextPage": more}, "nodes": nodes}


def relation(kind: str, related_id: str, side: str = "relatedIssue") -> dict[str, Any]:
    return {"type": kind, side: {"id": related_id}}


def issue(**overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": ISSUE_ID,
        "identifier": "ENG-123",
        "url": "https://linear.app/acme/issue/ENG-123/refund-api-returns-500",
        "title": "Refund API returns 500",
        "description": "Blocked by PAY-7 upstream.",
        "estimate": 3,
        "dueDate": "2024-12-20",
        "createdAt": "2024-11-01T08:00:00.000Z",
        "updatedAt": "2024-11-29T10:00:00.000Z",
        "completedAt": None,
        "archivedAt": None,
        "trashed": None,
        "state": {"name": "In Progress", "type": "started"},
        "team": {"key": "ENG"},
        "parent": None,
        "project": {"id": PROJECT_ID},
        "assignee": {"id": "u-1", "name": "Ada Lovelace", "email": "ada@example.com"},
        "labels": connection([{"name": "Bug"}, {"name": "payments"}]),
        "relations": connection([]),
    }
    node.update(overrides)
    return node


def project(**overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": PROJECT_ID,
        "slugId": "3f9a1c2b7e4d",
        "name": "Refunds v2",
        "url": "https://linear.app/acme/project/refunds-v2-3f9a1c2b7e4d",
        "description": "Partial refunds",
        "content": "Depends on ENG-12.",
        "status": {"name": "In Progress", "type": "started"},
        "startDate": "2024-10-01",
        "targetDate": "2024-12-31",
        "completedAt": None,
        "createdAt": "2024-09-15T12:00:00.000Z",
        "updatedAt": "2024-11-28T09:30:00.000Z",
        "archivedAt": None,
        "trashed": None,
        "lead": {"id": "u-2", "name": "Grace Hopper", "email": "grace@example.com"},
        "teams": connection([{"key": "ENG"}, {"key": "PAY"}]),
        "initiatives": connection([{"id": INITIATIVE_ID}, {"id": "other-initiative"}]),
        "relations": connection([]),
    }
    node.update(overrides)
    return node


def initiative(**overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": INITIATIVE_ID,
        "slugId": "9c8b7a6d5e4f",
        "name": "Payments v2",
        "url": "https://linear.app/acme/initiative/payments-v2-9c8b7a6d5e4f",
        "description": "One payment stack",
        "content": None,
        "status": "Active",
        "targetDate": "2025-03-31",
        "completedAt": None,
        "createdAt": "2024-06-01T00:00:00.000Z",
        "updatedAt": "2024-11-20T16:45:12.345Z",
        "archivedAt": None,
        "trashed": False,
        "parentInitiative": None,
        "owner": {"id": "u-3", "name": "Linus", "email": "linus@example.com"},
    }
    node.update(overrides)
    return node


# --- issues ---------------------------------------------------------------------------------


def test_issue_maps_every_field() -> None:
    record = map_issue(issue())

    assert record.external_id == ISSUE_ID
    assert record.key == "ENG-123"
    assert record.url == "https://linear.app/acme/issue/ENG-123/refund-api-returns-500"
    assert record.title == "Refund API returns 500"
    assert record.body == "Blocked by PAY-7 upstream."
    assert record.level is Level.ISSUE
    assert record.status_name == "In Progress"
    assert record.status_category is StatusCategory.IN_PROGRESS
    assert record.created_at == datetime(2024, 11, 1, 8, tzinfo=UTC)
    assert record.updated_at == datetime(2024, 11, 29, 10, tzinfo=UTC)
    assert record.parent_external_id == PROJECT_ID
    assert record.target_date == date(2024, 12, 20)
    assert record.completed_at is None
    assert record.assignee == PersonRecord("u-1", "Ada Lovelace", "ada@example.com")
    assert record.labels == ("Bug", "payments")
    assert record.estimate == 3.0
    assert record.components == ("ENG",)
    assert record.blocks == () and record.blocked_by == ()
    assert record.deleted is False
    assert orjson.loads(record.raw)["identifier"] == "ENG-123"


@pytest.mark.parametrize(
    ("state_type", "expected"),
    [
        ("triage", StatusCategory.TODO),
        ("backlog", StatusCategory.TODO),
        ("unstarted", StatusCategory.TODO),
        ("started", StatusCategory.IN_PROGRESS),
        ("completed", StatusCategory.DONE),
        ("canceled", StatusCategory.CANCELED),
        ("duplicate", StatusCategory.CANCELED),
    ],
)
def test_every_state_type_has_a_category(state_type: str, expected: StatusCategory) -> None:
    record = map_issue(issue(state={"name": "Whatever", "type": state_type}))
    assert record.status_category is expected


def test_source_statuses_override_by_state_name() -> None:
    node = issue(state={"name": "In Review", "type": "started"})
    assert map_issue(node, {"In Review": StatusCategory.DONE}).status_category is (
        StatusCategory.DONE
    )


def test_unknown_state_type_is_a_mapping_error_unless_overridden() -> None:
    node = issue(state={"name": "Parked", "type": "icebox"})
    with pytest.raises(MappingError, match="ENG-123.*'Parked'.*statuses"):
        map_issue(node)
    assert map_issue(node, {"Parked": StatusCategory.TODO}).status_category is StatusCategory.TODO


def test_parent_issue_wins_over_project() -> None:
    record = map_issue(issue(parent={"id": "parent-issue"}))
    assert record.parent_external_id == "parent-issue"


def test_issue_without_parent_or_project_is_a_root() -> None:
    assert map_issue(issue(project=None)).parent_external_id is None


def test_only_blocks_relations_are_dependencies() -> None:
    relations = connection(
        [
            relation("blocks", "issue-b"),
            relation("related", "issue-c"),
            relation("duplicate", "issue-d"),
            relation("similar", "issue-e"),
            relation("blocks", "issue-f"),
            relation("blocks", "issue-b"),
        ]
    )
    record = map_issue(issue(relations=relations))
    assert record.blocks == ("issue-b", "issue-f")
    assert record.blocked_by == ()


def test_trashed_is_deleted_but_archived_is_not() -> None:
    archived = map_issue(
        issue(
            archivedAt="2024-11-30T00:00:00.000Z",
            state={"name": "Done", "type": "completed"},
            completedAt="2024-10-01T12:00:00.000Z",
        )
    )
    assert archived.deleted is False
    assert archived.status_category is StatusCategory.DONE
    assert archived.completed_at == datetime(2024, 10, 1, 12, tzinfo=UTC)

    trashed = map_issue(issue(trashed=True, archivedAt="2024-11-30T00:00:00.000Z"))
    assert trashed.deleted is True


def test_optional_fields_may_be_null() -> None:
    record = map_issue(
        issue(description=None, estimate=None, dueDate=None, assignee=None, labels=connection([]))
    )
    assert record.body == ""
    assert record.estimate is None
    assert record.target_date is None
    assert record.assignee is None
    assert record.labels == ()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("state", None, "state is missing"),
        ("title", "", "title is missing"),
        ("team", None, "team is missing"),
        ("updatedAt", "yesterday", "not a date-time"),
        ("dueDate", "20/12/2024", "not a date"),
        ("estimate", "L", "not a number"),
    ],
)
def test_broken_issue_is_a_mapping_error(field: str, value: Any, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        map_issue(issue(**{field: value}))


def test_issue_without_identifier_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="identifier is missing"):
        map_issue(issue(identifier=None))


def test_nested_lists_that_come_back_full_are_named() -> None:
    node = issue(labels=connection([{"name": "a"}, {"name": "b"}]))
    assert truncated(node, {"labels": 2, "relations": 2}) == ("labels",)
    assert truncated(node, {"labels": 3}) == ()


# --- projects -------------------------------------------------------------------------------


def test_project_is_an_epic_under_its_first_initiative() -> None:
    record = map_project(project())

    assert record.external_id == PROJECT_ID
    assert record.key == "project:3f9a1c2b7e4d"
    assert record.url == "https://linear.app/acme/project/refunds-v2-3f9a1c2b7e4d"
    assert record.title == "Refunds v2"
    assert record.body == "Depends on ENG-12."
    assert record.level is Level.EPIC
    assert record.status_name == "In Progress"
    assert record.status_category is StatusCategory.IN_PROGRESS
    assert record.parent_external_id == INITIATIVE_ID
    assert record.start_date == date(2024, 10, 1)
    assert record.target_date == date(2024, 12, 31)
    assert record.assignee == PersonRecord("u-2", "Grace Hopper", "grace@example.com")
    assert record.components == ("ENG", "PAY")
    assert record.updated_at == datetime(2024, 11, 28, 9, 30, tzinfo=UTC)
    assert record.deleted is False


@pytest.mark.parametrize(
    ("status_type", "expected"),
    [
        ("backlog", StatusCategory.TODO),
        ("planned", StatusCategory.TODO),
        ("started", StatusCategory.IN_PROGRESS),
        ("paused", StatusCategory.IN_PROGRESS),
        ("completed", StatusCategory.DONE),
        ("canceled", StatusCategory.CANCELED),
    ],
)
def test_every_project_status_type_has_a_category(
    status_type: str, expected: StatusCategory
) -> None:
    record = map_project(project(status={"name": "Custom", "type": status_type}))
    assert record.status_category is expected


def test_project_without_initiatives_or_content() -> None:
    record = map_project(project(initiatives=connection([]), content=None, lead=None))
    assert record.parent_external_id is None
    assert record.body == "Partial refunds"
    assert record.assignee is None


def test_project_blocks_come_from_its_blocks_relations() -> None:
    relations = connection(
        [
            relation("blocks", "project-b", side="relatedProject"),
            relation("related", "project-c", side="relatedProject"),
        ]
    )
    assert map_project(project(relations=relations)).blocks == ("project-b",)


def test_trashed_project_is_deleted() -> None:
    assert map_project(project(trashed=True)).deleted is True
    assert map_project(project(archivedAt="2024-12-01T00:00:00.000Z")).deleted is False


def test_project_with_unknown_status_type_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="project:3f9a1c2b7e4d"):
        map_project(project(status={"name": "Frozen", "type": "frozen"}))


# --- initiatives ----------------------------------------------------------------------------


def test_initiative_maps_every_field() -> None:
    record = map_initiative(initiative())

    assert record.external_id == INITIATIVE_ID
    assert record.key == "initiative:9c8b7a6d5e4f"
    assert record.url == "https://linear.app/acme/initiative/payments-v2-9c8b7a6d5e4f"
    assert record.title == "Payments v2"
    assert record.body == "One payment stack"
    assert record.level is Level.INITIATIVE
    assert record.status_name == "Active"
    assert record.status_category is StatusCategory.IN_PROGRESS
    assert record.target_date == date(2025, 3, 31)
    assert record.parent_external_id is None
    assert record.assignee == PersonRecord("u-3", "Linus", "linus@example.com")
    assert record.updated_at == datetime(2024, 11, 20, 16, 45, 12, 345000, tzinfo=UTC)
    assert record.deleted is False


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Proposed", StatusCategory.TODO),
        ("Planned", StatusCategory.TODO),
        ("Active", StatusCategory.IN_PROGRESS),
        ("Completed", StatusCategory.DONE),
        ("Canceled", StatusCategory.CANCELED),
    ],
)
def test_every_initiative_status_has_a_category(status: str, expected: StatusCategory) -> None:
    assert map_initiative(initiative(status=status)).status_category is expected


def test_sub_initiative_has_its_parent() -> None:
    record = map_initiative(initiative(parentInitiative={"id": "parent-initiative"}))
    assert record.parent_external_id == "parent-initiative"


def test_initiative_without_slug_is_keyed_by_name() -> None:
    assert map_initiative(initiative(slugId=None)).key == "initiative:Payments v2"


def test_trashed_initiative_is_deleted() -> None:
    assert map_initiative(initiative(trashed=True)).deleted is True


def test_unknown_initiative_status_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="'Payments v2'.*'Someday'"):
        map_initiative(initiative(status="Someday"))
