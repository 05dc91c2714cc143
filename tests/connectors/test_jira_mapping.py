"""Pure mapping tests: Jira issue payloads in their real REST v3 shape, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from connectors.jira.mapping import (
    CustomFields,
    adf_to_text,
    find_custom_fields,
    map_issue,
)
from connectors.payload import MappingError
from hub.contract.records import Level, PersonRecord, StatusCategory

BASE = "https://acme.atlassian.net"
CUSTOM = CustomFields(start_date="customfield_10015", story_points="customfield_10016")

ISSUE_TYPES = {
    "Initiative": {"id": "10100", "name": "Initiative", "subtask": False, "hierarchyLevel": 2},
    "Epic": {"id": "10000", "name": "Epic", "subtask": False, "hierarchyLevel": 1},
    "Story": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
    "Sub-task": {"id": "10003", "name": "Sub-task", "subtask": True, "hierarchyLevel": -1},
}
CATEGORIES = {
    "new": {"id": 2, "key": "new", "name": "To Do", "colorName": "blue-gray"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "name": "In Progress",
        "colorName": "yellow",
    },
    "done": {"id": 3, "key": "done", "name": "Done", "colorName": "green"},
}


def status(name: str, category: str) -> dict[str, Any]:
    return {
        "self": f"{BASE}/rest/api/3/status/1",
        "id": "1",
        "name": name,
        "statusCategory": {"self": f"{BASE}/rest/api/3/statuscategory/1", **CATEGORIES[category]},
    }


def link(kind: str, side: str, other_id: str, other_key: str) -> dict[str, Any]:
    inward, outward = {
        "Blocks": ("is blocked by", "blocks"),
        "Relates": ("relates to", "relates to"),
        "Duplicate": ("is duplicated by", "duplicates"),
    }[kind]
    return {
        "id": "20001",
        "self": f"{BASE}/rest/api/3/issueLink/20001",
        "type": {"id": "10000", "name": kind, "inward": inward, "outward": outward},
        side: {
            "id": other_id,
            "key": other_key,
            "self": f"{BASE}/rest/api/3/issue/{other_id}",
            "fields": {"summary": "other", "status": status("To Do", "new")},
        },
    }


def issue(**overrides: Any) -> dict[str, Any]:
    """A Story as ``/rest/api/3/search/jql`` returns it with our field list."""
    fields: dict[str, Any] = {
        "summary": "Refund API returns 500 on partial refunds",
        "description": {
            "type": "doc",
            "version": 1,
            "content": [
                {
                    "type": "paragraph",
                    "content": [
                        {"type": "text", "text": "Partial refunds fail; "},
                        {"type": "text", "text": "see ", "marks": [{"type": "strong"}]},
                        {"type": "inlineCard", "attrs": {"url": "https://github.com/a/b/issues/7"}},
                    ],
                },
                {"type": "paragraph", "content": [{"type": "text", "text": "Blocked by ENG-12."}]},
            ],
        },
        "status": status("In Progress", "indeterminate"),
        "resolution": None,
        "issuetype": ISSUE_TYPES["Story"],
        "parent": {
            "id": "10040",
            "key": "PAY-40",
            "self": f"{BASE}/rest/api/3/issue/10040",
            "fields": {
                "summary": "Refunds v2",
                "status": status("In Progress", "indeterminate"),
                "issuetype": ISSUE_TYPES["Epic"],
            },
        },
        "duedate": "2021-03-31",
        "resolutiondate": None,
        "assignee": {
            "self": f"{BASE}/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
            "accountId": "5b10a2844c20165700ede21g",
            "displayName": "Mia Krystof",
            "emailAddress": "mia@example.com",
            "active": True,
            "timeZone": "Australia/Sydney",
        },
        "labels": ["payments", "initiative:payments-v2"],
        "components": [
            {"id": "10000", "name": "refunds-service"},
            {"id": "10001", "name": "ledger"},
        ],
        "issuelinks": [],
        "created": "2021-01-17T12:34:00.000+0000",
        "updated": "2021-01-18T23:45:00.000+0000",
        "customfield_10015": "2021-02-01",
        "customfield_10016": 5.0,
    }
    top = {k: overrides.pop(k) for k in ("id", "key") if k in overrides}
    fields.update(overrides)
    return {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog",
        "id": top.get("id", "10042"),
        "key": top.get("key", "PAY-42"),
        "self": f"{BASE}/rest/api/3/issue/{top.get('id', '10042')}",
        "fields": fields,
    }


def test_maps_a_story_in_real_shape() -> None:
    payload = issue()
    record = map_issue(payload, base=BASE + "/", custom=CUSTOM)

    assert record.external_id == "10042"
    assert record.key == "PAY-42"
    assert record.url == "https://acme.atlassian.net/browse/PAY-42"
    assert record.title == "Refund API returns 500 on partial refunds"
    assert record.level is Level.ISSUE
    assert record.status_name == "In Progress"
    assert record.status_category is StatusCategory.IN_PROGRESS
    assert record.parent_external_id == "10040"
    assert record.start_date == date(2021, 2, 1)
    assert record.target_date == date(2021, 3, 31)
    assert record.completed_at is None
    assert record.assignee == PersonRecord(
        external_id="5b10a2844c20165700ede21g", name="Mia Krystof", email="mia@example.com"
    )
    assert record.labels == ("payments", "initiative:payments-v2")
    assert record.estimate == 5.0
    assert record.components == ("refunds-service", "ledger")
    assert record.created_at == datetime(2021, 1, 17, 12, 34, tzinfo=UTC)
    assert record.updated_at == datetime(2021, 1, 18, 23, 45, tzinfo=UTC)
    assert orjson.loads(record.raw) == payload


@pytest.mark.parametrize(
    ("issuetype", "level"),
    [
        ("Initiative", Level.INITIATIVE),
        ("Epic", Level.EPIC),
        ("Story", Level.ISSUE),
        ("Sub-task", Level.ISSUE),
    ],
)
def test_level_follows_hierarchy_level(issuetype: str, level: Level) -> None:
    record = map_issue(issue(issuetype=ISSUE_TYPES[issuetype]), base=BASE)
    assert record.level is level


def test_levels_above_initiative_are_initiatives() -> None:
    theme = {"id": "10200", "name": "Theme", "subtask": False, "hierarchyLevel": 3}
    assert map_issue(issue(issuetype=theme), base=BASE).level is Level.INITIATIVE


@pytest.mark.parametrize(
    ("child_type", "parent_type"),
    [
        ({"id": "10100", "name": "Initiative", "subtask": False, "hierarchyLevel": 2}, "Theme"),
        ({"id": "10200", "name": "Theme", "subtask": False, "hierarchyLevel": 3}, "Pillar"),
    ],
)
def test_an_initiative_keeps_its_parent_above_it(
    child_type: dict[str, Any], parent_type: str
) -> None:
    """Plans hierarchies go above Initiative: each level is an initiative nested in the next."""
    level = child_type["hierarchyLevel"] + 1
    parent = {
        "id": "10300",
        "key": "PLAN-3",
        "self": f"{BASE}/rest/api/3/issue/10300",
        "fields": {
            "summary": "Platform 2027",
            "status": status("In Progress", "indeterminate"),
            "priority": {"self": f"{BASE}/rest/api/3/priority/3", "name": "Medium", "id": "3"},
            "issuetype": {
                "id": f"10{level}00",
                "name": parent_type,
                "subtask": False,
                "hierarchyLevel": level,
            },
        },
    }
    record = map_issue(issue(issuetype=child_type, parent=parent), base=BASE)
    assert (record.level, record.parent_external_id) == (Level.INITIATIVE, "10300")


def test_subtask_keeps_its_parent_issue() -> None:
    parent = {"id": "10042", "key": "PAY-42", "fields": {"issuetype": ISSUE_TYPES["Story"]}}
    record = map_issue(
        issue(id="10043", key="PAY-43", issuetype=ISSUE_TYPES["Sub-task"], parent=parent),
        base=BASE,
    )
    assert (record.level, record.parent_external_id) == (Level.ISSUE, "10042")


def test_issue_without_parent() -> None:
    assert map_issue(issue(parent=None), base=BASE).parent_external_id is None


def test_blocks_links_in_both_directions_and_other_types_ignored() -> None:
    links = [
        link("Blocks", "inwardIssue", "10001", "PAY-1"),
        link("Blocks", "outwardIssue", "10002", "PAY-2"),
        link("Blocks", "outwardIssue", "10003", "PLAT-3"),
        link("Relates", "outwardIssue", "10004", "PAY-4"),
        link("Duplicate", "inwardIssue", "10005", "PAY-5"),
    ]
    record = map_issue(issue(issuelinks=links), base=BASE)
    assert record.blocked_by == ("10001",)
    assert record.blocks == ("10002", "10003")


def test_adf_body_is_plain_text_one_line_per_block() -> None:
    record = map_issue(issue(), base=BASE)
    assert record.body == (
        "Partial refunds fail; see https://github.com/a/b/issues/7\nBlocked by ENG-12."
    )


def test_adf_nested_blocks_breaks_and_mentions() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "heading",
                "attrs": {"level": 2},
                "content": [{"type": "text", "text": "Plan"}],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {"type": "text", "text": "ask "},
                                    {"type": "mention", "attrs": {"id": "1", "text": "@Ana"}},
                                ],
                            }
                        ],
                    },
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {"type": "text", "text": "line one"},
                                    {"type": "hardBreak"},
                                    {"type": "text", "text": "line two"},
                                ],
                            }
                        ],
                    },
                ],
            },
            {"type": "paragraph", "content": []},
            {"type": "codeBlock", "content": [{"type": "text", "text": "x = 1"}]},
        ],
    }
    assert adf_to_text(doc) == "Plan\nask @Ana\nline one\nline two\nx = 1"


@pytest.mark.parametrize(
    ("description", "body"),
    [(None, ""), ("plain text from an old importer", "plain text from an old importer")],
)
def test_description_null_or_plain_string(description: Any, body: str) -> None:
    assert map_issue(issue(description=description), base=BASE).body == body


@pytest.mark.parametrize(
    ("name", "category", "resolution", "expected"),
    [
        ("To Do", "new", None, StatusCategory.TODO),
        ("In Review", "indeterminate", None, StatusCategory.IN_PROGRESS),
        ("Done", "done", "Done", StatusCategory.DONE),
        ("Done", "done", "Won't Do", StatusCategory.CANCELED),
        ("Closed", "done", "Won\u2019t Fix", StatusCategory.CANCELED),
        ("Closed", "done", "Duplicate", StatusCategory.CANCELED),
        ("Closed", "done", "Declined", StatusCategory.CANCELED),
        ("Cancelled", "done", None, StatusCategory.CANCELED),
        ("Canceled", "done", None, StatusCategory.CANCELED),
        ("To Do", "new", "Won't Do", StatusCategory.TODO),
    ],
)
def test_status_category_with_cancellation(
    name: str, category: str, resolution: str | None, expected: StatusCategory
) -> None:
    res = {"id": "10001", "name": resolution} if resolution else None
    record = map_issue(issue(status=status(name, category), resolution=res), base=BASE)
    assert record.status_category is expected
    assert record.status_name == name


def test_unknown_status_category_raises_mapping_error() -> None:
    odd = status("Limbo", "new")
    odd["statusCategory"] = {"id": 1, "key": "undefined", "name": "No Category"}
    with pytest.raises(MappingError, match="PAY-42.*undefined"):
        map_issue(issue(status=odd), base=BASE)


def test_mapping_error_is_a_value_error() -> None:
    assert issubclass(MappingError, ValueError)


@pytest.mark.parametrize(
    "broken",
    [
        {"summary": None},
        {"status": None},
        {"created": "yesterday"},
        {"duedate": "soon"},
        {"customfield_10016": "lots"},
    ],
)
def test_garbled_payloads_raise_mapping_error(broken: dict[str, Any]) -> None:
    with pytest.raises(MappingError, match="PAY-42"):
        map_issue(issue(**broken), base=BASE, custom=CUSTOM)


def test_done_issue_has_completed_at() -> None:
    record = map_issue(
        issue(
            status=status("Done", "done"),
            resolution={"id": "10000", "name": "Done"},
            resolutiondate="2021-02-03T09:15:30.123+0100",
        ),
        base=BASE,
    )
    assert record.status_category is StatusCategory.DONE
    assert record.completed_at == datetime(2021, 2, 3, 8, 15, 30, 123000, tzinfo=UTC)


def test_null_assignee_duedate_and_custom_fields() -> None:
    record = map_issue(
        issue(assignee=None, duedate=None, customfield_10015=None, customfield_10016=None),
        base=BASE,
        custom=CUSTOM,
    )
    assert record.assignee is None
    assert record.target_date is None
    assert record.start_date is None
    assert record.estimate is None


def test_assignee_without_visible_email() -> None:
    user = {"accountId": "abc", "displayName": "Private Person", "emailAddress": None}
    assert map_issue(issue(assignee=user), base=BASE).assignee == PersonRecord(
        external_id="abc", name="Private Person", email=None
    )


def test_custom_fields_are_ignored_without_their_ids() -> None:
    record = map_issue(issue(), base=BASE)
    assert (record.start_date, record.estimate) == (None, None)


def test_find_custom_fields_by_name() -> None:
    fields = [
        {"id": "summary", "key": "summary", "name": "Summary", "custom": False},
        {
            "id": "customfield_10015",
            "key": "customfield_10015",
            "name": "Start date",
            "custom": True,
        },
        {"id": "customfield_10016", "name": "Story point estimate", "custom": True},
        {"id": "customfield_10028", "name": "Story Points", "custom": True},
    ]
    assert find_custom_fields(fields) == CUSTOM
    assert find_custom_fields(fields[:1]) == CustomFields()
    assert CUSTOM.ids == ("customfield_10015", "customfield_10016")
