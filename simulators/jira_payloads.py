"""Jira Cloud v3 JSON for the simulator's rows: issues in their real shape, and the field list.

Payloads are built per request from compact rows, so a page costs only the issues on it. The
field list is per world: the Plans fields (Target start/end, Sprint) have site-specific ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from simulators.jira_plans import (
    SPRINT_TYPE,
    TARGET_END_TYPE,
    TARGET_START_TYPE,
    PlanFields,
    Sprint,
)
from simulators.jira_world import (
    PRIORITIES,
    START_DATE_FIELD,
    STORY_POINTS_FIELD,
    IssueRow,
    IssueType,
    JiraWorld,
    Link,
    Person,
    Status,
)
from simulators.world_common import COMPONENT_NAMES

Json = dict[str, Any]
ISSUE_EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"
_CATEGORIES: dict[str, tuple[int, str, str]] = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}
_RESOLUTION_IDS = {"Done": "10000", "Won't Do": "10001"}


def _system(field_id: str, name: str, schema: Json, clauses: tuple[str, ...] = ()) -> Json:
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": list(clauses or (field_id,)),
        "schema": {**schema, "system": field_id},
    }


def _custom(number: int, name: str, schema: Json) -> Json:
    """A custom field's metadata; ``schema`` holds its ``type``, ``custom`` and maybe ``items``."""
    field_id = f"customfield_{number}"
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "untranslatedName": name,
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [f"cf[{number}]", name],
        "schema": {**schema, "customId": number},
    }


def _plugin(name: str) -> str:
    return f"com.atlassian.jira.plugin.system.customfieldtypes:{name}"


_SYSTEM_AND_USUAL_FIELDS: tuple[Json, ...] = (
    _system("summary", "Summary", {"type": "string"}),
    _system("description", "Description", {"type": "string"}),
    _system("status", "Status", {"type": "status"}),
    _system("resolution", "Resolution", {"type": "resolution"}),
    _system("issuetype", "Issue Type", {"type": "issuetype"}, ("issuetype", "type")),
    _system("parent", "Parent", {"type": "issuelink"}),
    _system("issuelinks", "Linked Issues", {"type": "array", "items": "issuelinks"}),
    _system("components", "Components", {"type": "array", "items": "component"}, ("component",)),
    _system("fixVersions", "Fix versions", {"type": "array", "items": "version"}, ("fixVersion",)),
    _system("labels", "Labels", {"type": "array", "items": "string"}),
    _system("duedate", "Due date", {"type": "date"}, ("due", "duedate")),
    _system("assignee", "Assignee", {"type": "user"}),
    _system("reporter", "Reporter", {"type": "user"}),
    _system("created", "Created", {"type": "datetime"}, ("created", "createdDate")),
    _system("updated", "Updated", {"type": "datetime"}, ("updated", "updatedDate")),
    _system("resolutiondate", "Resolved", {"type": "datetime"}, ("resolutiondate", "resolved")),
    _system("subtasks", "Sub-tasks", {"type": "array", "items": "issuelinks"}, ("subtasks",)),
    _system("project", "Project", {"type": "project"}),
    _system("priority", "Priority", {"type": "priority"}),
    _custom(10015, "Start date", {"type": "date", "custom": _plugin("datepicker")}),
    _custom(
        10016, "Story point estimate", {"type": "number", "custom": _plugin("jsw-story-points")}
    ),
)


def field_catalogue(plan: PlanFields) -> tuple[Json, ...]:
    """``GET /rest/api/3/field`` for a site whose Plans fields have the numbers in ``plan``."""
    return (
        *_SYSTEM_AND_USUAL_FIELDS,
        _custom(plan.sprint, "Sprint", {"type": "array", "items": "json", "custom": SPRINT_TYPE}),
        _custom(plan.target_start, "Target start", {"type": "date", "custom": TARGET_START_TYPE}),
        _custom(plan.target_end, "Target end", {"type": "date", "custom": TARGET_END_TYPE}),
    )


def resolve_fields(requested: Iterable[str], known: tuple[str, ...]) -> tuple[str, ...]:
    """The field ids of ``known`` to render for a ``fields`` parameter; empty means ``id`` only.

    Unknown names are ignored and ``-name`` excludes, as in Jira.
    """
    chosen: list[str] = []
    excluded: set[str] = set()
    for name in (item.strip() for item in requested):
        if name in ("*all", "*navigable"):
            chosen.extend(known)
        elif name.startswith("-"):
            excluded.add(name[1:])
        elif name in known:
            chosen.append(name)
    return tuple(dict.fromkeys(name for name in chosen if name not in excluded))


def jira_time(ms: int | None) -> str | None:
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def sprint_time(ms: int) -> str:
    """A sprint's time as the Sprint field gives it: UTC with milliseconds and ``Z``."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def sprint_json(sprint: Sprint) -> Json:
    """One sprint in the Sprint field; dates a sprint does not have yet are left out."""
    payload: Json = {
        "id": sprint.id,
        "name": sprint.name,
        "state": sprint.state,
        "boardId": sprint.board_id,
        "goal": sprint.goal,
    }
    times = (
        ("startDate", sprint.start_ms),
        ("endDate", sprint.end_ms),
        ("completeDate", sprint.complete_ms),
    )
    payload.update({name: sprint_time(ms) for name, ms in times if ms is not None})
    return payload


def adf(text: str | None) -> Json | None:
    if text is None:
        return None
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


class IssueRenderer:
    """Renders rows of one world as seen from one base URL."""

    def __init__(self, world: JiraWorld, base_url: str) -> None:
        self.world = world
        self.api = f"{base_url.rstrip('/')}/rest/api/3"
        plan = world.plan_fields
        self.renderers: dict[str, Callable[[IssueRenderer, IssueRow], Any]] = {
            **self._FIELDS,
            plan.target_start_id: lambda r, row: row.target_start,
            plan.target_end_id: lambda r, row: row.target_end,
            plan.sprint_id: lambda r, row: r._sprints(row),
        }

    def issue(self, row: IssueRow, fields: tuple[str, ...], *, id_only: bool = False) -> Json:
        """The issue with ``fields``; ``id_only`` gives the bare ``{"id"}`` of Jira's default."""
        if id_only:
            return {"id": str(row.id)}
        return {
            "expand": ISSUE_EXPAND,
            "id": str(row.id),
            "self": f"{self.api}/issue/{row.id}",
            "key": row.key,
            "fields": {name: self.renderers[name](self, row) for name in fields},
        }

    def status(self, status: Status) -> Json:
        category_id, color, category_name = _CATEGORIES[status.category]
        return {
            "self": f"{self.api}/status/{status.id}",
            "description": "",
            "name": status.name,
            "id": str(status.id),
            "statusCategory": {
                "self": f"{self.api}/statuscategory/{category_id}",
                "id": category_id,
                "key": status.category,
                "colorName": color,
                "name": category_name,
            },
        }

    def issue_type(self, kind: IssueType) -> Json:
        return {
            "self": f"{self.api}/issuetype/{kind.id}",
            "id": str(kind.id),
            "description": "",
            "name": kind.name,
            "subtask": kind.subtask,
            "hierarchyLevel": kind.hierarchy_level,
        }

    def priority(self, name: str) -> Json:
        number = PRIORITIES.index(name) + 1
        return {"self": f"{self.api}/priority/{number}", "name": name, "id": str(number)}

    def user(self, person: Person | None) -> Json | None:
        if person is None:
            return None
        return {
            "self": f"{self.api}/user?accountId={person.account_id}",
            "accountId": person.account_id,
            "emailAddress": person.email,
            "displayName": person.display_name,
            "active": True,
            "timeZone": person.time_zone,
            "accountType": "atlassian",
        }

    def summary_of(self, row: IssueRow) -> Json:
        """The short form Jira nests for parents, links and sub-tasks."""
        return {
            "id": str(row.id),
            "key": row.key,
            "self": f"{self.api}/issue/{row.id}",
            "fields": {
                "summary": row.summary,
                "status": self.status(row.status),
                "priority": self.priority(row.priority),
                "issuetype": self.issue_type(row.issue_type),
            },
        }

    def link(self, link: Link, seen_from: IssueRow) -> Json:
        kind = link.type
        payload: Json = {
            "id": str(link.id),
            "self": f"{self.api}/issueLink/{link.id}",
            "type": {
                "id": str(kind.id),
                "name": kind.name,
                "inward": kind.inward,
                "outward": kind.outward,
                "self": f"{self.api}/issueLinkType/{kind.id}",
            },
        }
        if link.outward_id == seen_from.id:
            payload["outwardIssue"] = self.summary_of(self.world.require(link.inward_id))
        else:
            payload["inwardIssue"] = self.summary_of(self.world.require(link.outward_id))
        return payload

    def _parent(self, row: IssueRow) -> Json | None:
        parent = self.world.issue(row.parent_id) if row.parent_id is not None else None
        return self.summary_of(parent) if parent else None

    def _resolution(self, row: IssueRow) -> Json | None:
        name = row.status.resolution
        if name is None:
            return None
        return {
            "self": f"{self.api}/resolution/{_RESOLUTION_IDS[name]}",
            "id": _RESOLUTION_IDS[name],
            "description": "",
            "name": name,
        }

    def _components(self, row: IssueRow) -> list[Json]:
        offset = 10000 + (row.project.id - 10000) * 100
        ids = [
            offset + COMPONENT_NAMES.index(name) if name in COMPONENT_NAMES else offset + 99
            for name in row.components
        ]
        return [
            {"self": f"{self.api}/component/{cid}", "id": str(cid), "name": name}
            for cid, name in zip(ids, row.components, strict=True)
        ]

    def _fix_versions(self, row: IssueRow) -> list[Json]:
        versions = []
        for version in row.fix_versions:
            payload: Json = {
                "self": f"{self.api}/version/{version.id}",
                "id": str(version.id),
                "name": version.name,
                "archived": version.archived,
                "released": version.released,
            }
            if version.release_date is not None:  # Jira leaves the key out when unset
                payload["releaseDate"] = version.release_date
            versions.append(payload)
        return versions

    def _sprints(self, row: IssueRow) -> list[Json] | None:
        """The Sprint field's value: every sprint the issue was in, or null when none."""
        if not row.sprint_ids:
            return None
        return [sprint_json(self.world.sprints[sprint_id]) for sprint_id in row.sprint_ids]

    def _project(self, row: IssueRow) -> Json:
        project = row.project
        return {
            "self": f"{self.api}/project/{project.id}",
            "id": str(project.id),
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    _FIELDS: dict[str, Callable[[IssueRenderer, IssueRow], Any]] = {
        "summary": lambda r, row: row.summary,
        "description": lambda r, row: adf(row.description),
        "status": lambda r, row: r.status(row.status),
        "resolution": lambda r, row: r._resolution(row),
        "issuetype": lambda r, row: r.issue_type(row.issue_type),
        "parent": lambda r, row: r._parent(row),
        "issuelinks": lambda r, row: [r.link(link, row) for link in r.world.links_of(row)],
        "components": lambda r, row: r._components(row),
        "fixVersions": lambda r, row: r._fix_versions(row),
        "labels": lambda r, row: list(row.labels),
        "duedate": lambda r, row: row.due_date,
        "assignee": lambda r, row: r.user(row.assignee),
        "reporter": lambda r, row: r.user(row.reporter),
        "created": lambda r, row: jira_time(row.created_ms),
        "updated": lambda r, row: jira_time(row.updated_ms),
        "resolutiondate": lambda r, row: jira_time(row.resolved_ms),
        "subtasks": lambda r, row: [
            r.summary_of(child) for child in r.world.children(row.id) if child.issue_type.subtask
        ],
        "project": lambda r, row: r._project(row),
        "priority": lambda r, row: r.priority(row.priority),
        START_DATE_FIELD: lambda r, row: row.start_date,
        STORY_POINTS_FIELD: lambda r, row: row.story_points,
    }
