"""The GraphQL objects of Projects (v2): owners' projects, fields, items, values, status updates.

``organization(login:)`` and ``user(login:)`` answer owners whose ``projectV2(number:)`` finds a
project of that kind; items page in POSITION order with keyset cursors, so a page boundary holds
while items are added or archived; status updates come newest first unless asked otherwise.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date
from itertools import islice
from typing import Any

from simulators.github_graphql_nodes import (
    Graph,
    IssueNode,
    OrganizationNode,
    QueryRoot,
    RepositoryNode,
    UserNode,
    bad_cursor,
    connection,
    not_found,
)
from simulators.github_ids import decode_node_id, iso, node_id
from simulators.github_paging import decode_cursor, encode_cursor
from simulators.github_projects import (
    FieldOption,
    FieldValue,
    Iteration,
    Project,
    ProjectField,
    ProjectItem,
    StatusUpdate,
)
from simulators.github_world import IssueRow, User

Json = dict[str, Any]
_FIELD_TYPENAMES = {
    "SINGLE_SELECT": "ProjectV2SingleSelectField",
    "ITERATION": "ProjectV2IterationField",
}
_VALUE_TYPENAMES = {
    "DATE": "ProjectV2ItemFieldDateValue",
    "ITERATION": "ProjectV2ItemFieldIterationValue",
    "NUMBER": "ProjectV2ItemFieldNumberValue",
    "SINGLE_SELECT": "ProjectV2ItemFieldSingleSelectValue",
    "TEXT": "ProjectV2ItemFieldTextValue",
    "TITLE": "ProjectV2ItemFieldTextValue",
}


class ProjectsRoot(QueryRoot):
    """The query root with the project owners GitHub serves (organisations and users), and
    ``node``/``nodes`` that also know projects (``PVT_``) and their items (``PVTI_``)."""

    def node(self, id: str) -> Any:
        return self._project_node(id) or super().node(id)

    def nodes(self, ids: list[str]) -> list[Any]:
        found = super().nodes(ids)
        return [self._project_node(each) or node for each, node in zip(ids, found, strict=True)]

    def _project_node(self, global_id: str) -> ProjectNode | ItemNode | None:
        decoded = decode_node_id(global_id)
        if decoded is None or decoded[0] not in ("PVT", "PVTI"):
            return None
        projects = self.graph.world.projects.projects.values()
        project = next((each for each in projects if each.id == decoded[1][0]), None)
        if project is None:
            return None
        if decoded[0] == "PVT":
            return ProjectNode(self.graph, project)
        item = next((each for each in project.items if each.id == decoded[1][-1]), None)
        return ItemNode(self.graph, item) if item else None

    def organization(self, login: str) -> ProjectOrganizationNode:
        if login != self.graph.world.owner:
            raise not_found(f"Could not resolve to an Organization with the login of '{login}'.")
        return ProjectOrganizationNode(self.graph)

    def user(self, login: str) -> ProjectUserNode:
        found = next((user for user in self.graph.world.users if user.login == login), None)
        if found is None:
            raise not_found(f"Could not resolve to a User with the login of '{login}'.")
        return ProjectUserNode(self.graph, found)


def _project(graph: Graph, owner: str, number: int, *, org: bool) -> ProjectNode:
    project = graph.world.projects.projects.get((owner, number))
    if project is None or project.org != org:
        raise not_found(f"Could not resolve to a ProjectV2 with the number {number}.")
    return ProjectNode(graph, project)


class ProjectOrganizationNode(OrganizationNode):
    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.graph = graph

    def project_v2(self, number: int) -> ProjectNode:
        return _project(self.graph, self.login, number, org=True)


class ProjectUserNode(UserNode):
    def __init__(self, graph: Graph, user: User) -> None:
        super().__init__(graph, user)
        self.graph = graph

    def project_v2(self, number: int) -> ProjectNode:
        return _project(self.graph, self.login, number, org=False)


def keyset_connection(
    items: Sequence[Any], key: Callable[[Any], int], first: int, after: str | None, wrap: Any
) -> Json:
    """A connection whose cursors hold the last served item's key, not its offset."""
    try:
        start = decode_cursor(after)[0] if after else None
    except ValueError as error:
        raise bad_cursor(str(after)) from error
    rest = (item for item in items if start is None or key(item) > start)
    chunk = list(islice(rest, first + 1))
    edges = [
        {"cursor": encode_cursor((key(item), 0)), "node": wrap(item)} for item in chunk[:first]
    ]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": len(chunk) > first,
            "hasPreviousPage": start is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


class ProjectNode:
    typename = "ProjectV2"

    def __init__(self, graph: Graph, project: Project) -> None:
        self.graph = graph
        self.project = project
        self.id = project.node_id
        self.number = project.number
        self.title = project.title
        self.short_description = project.short_description
        self.closed = project.closed_at is not None
        self.closed_at = iso(project.closed_at)
        self.created_at = iso(project.created_at)
        self.updated_at = iso(project.updated_at)
        kind = "orgs" if project.org else "users"
        self.url = f"{graph.renderer.html}/{kind}/{project.owner}/projects/{project.number}"

    def creator(self) -> UserNode:
        return UserNode(self.graph, self.project.creator)

    def field(self, name: str) -> FieldNode | None:
        found = self.project.field_named(name)
        return FieldNode(self.graph, found) if found else None

    def fields(self, first: int, after: str | None = None, order_by: Json | None = None) -> Json:
        order = order_by or {"field": "POSITION", "direction": "ASC"}
        chosen = list(self.project.fields)
        if order["field"] == "NAME":
            chosen.sort(key=lambda each: each.name)
        elif order["field"] == "CREATED_AT":
            chosen.sort(key=lambda each: (each.created_at, each.id))
        if order["direction"] == "DESC":
            chosen.reverse()
        return connection(chosen, first, after, lambda each: FieldNode(self.graph, each))

    def items(
        self,
        first: int,
        after: str | None = None,
        archived_states: list[str] | None = None,
        order_by: Json | None = None,
    ) -> Json:
        states = set(archived_states or ["NOT_ARCHIVED"])
        shown = [
            item
            for item in self.project.items
            if ("ARCHIVED" if item.archived else "NOT_ARCHIVED") in states
        ]
        if (order_by or {}).get("direction") == "DESC":
            shown.reverse()
            return keyset_connection(
                shown, lambda item: -item.id, first, after, lambda i: ItemNode(self.graph, i)
            )
        return keyset_connection(
            shown, lambda item: item.id, first, after, lambda i: ItemNode(self.graph, i)
        )

    def status_updates(
        self, first: int, after: str | None = None, order_by: Json | None = None
    ) -> Json:
        updates = sorted(self.project.status_updates, key=lambda u: (u.created_at, u.id))
        if (order_by or {"direction": "DESC"})["direction"] == "DESC":
            updates.reverse()
        return connection(updates, first, after, lambda u: StatusUpdateNode(self.graph, u))


class FieldNode:
    def __init__(self, graph: Graph, field: ProjectField) -> None:
        self.graph = graph
        self.field_row = field
        self.typename = _FIELD_TYPENAMES.get(field.data_type, "ProjectV2Field")
        self.id = field.node_id
        self.database_id = field.id
        self.name = field.name
        self.data_type = field.data_type
        self.created_at = iso(field.created_at)
        self.updated_at = iso(field.updated_at)

    def project(self) -> ProjectNode:
        return ProjectNode(self.graph, self._owner())

    def _owner(self) -> Project:
        return next(
            project
            for project in self.graph.world.projects.projects.values()
            if project.id == self.field_row.project_id
        )

    def options(self, names: list[str] | None = None) -> list[Json]:
        return [
            _option(option)
            for option in self.field_row.options
            if names is None or option.name in names
        ]

    def configuration(self) -> Json:
        today = self.graph.world.projects.today()
        iterations = self.field_row.iterations
        start_day = iterations[0].start_date.isoweekday() if iterations else 1
        return {
            "duration": self.field_row.duration,
            "startDay": start_day,
            "iterations": [_iteration(it) for it in iterations if not it.ended_by(today)],
            "completedIterations": [_iteration(it) for it in iterations if it.ended_by(today)],
        }


def _option(option: FieldOption) -> Json:
    return {
        "id": option.id,
        "name": option.name,
        "color": option.color,
        "description": option.description,
    }


def _iteration(iteration: Iteration) -> Json:
    return {
        "id": iteration.id,
        "title": iteration.title,
        "startDate": iteration.start_date.isoformat(),
        "duration": iteration.duration,
    }


class ItemNode:
    typename = "ProjectV2Item"

    def __init__(self, graph: Graph, item: ProjectItem) -> None:
        self.graph = graph
        self.item = item
        self.id = item.node_id
        self.database_id = item.id
        self.type = item.type
        self.is_archived = item.archived
        self.created_at = iso(item.created_at)
        self.updated_at = iso(item.updated_at)

    def creator(self) -> UserNode:
        return UserNode(self.graph, self.item.creator)

    def project(self) -> ProjectNode:
        return ProjectNode(self.graph, self.item.project)

    def content(self) -> Any:
        item = self.item
        if item.row is not None:
            row = item.row
            return PullRequestNode(self.graph, row) if row.is_pull else IssueNode(self.graph, row)
        return DraftIssueNode(self.graph, item) if item.draft is not None else None

    def _values(self) -> list[ValueNode]:
        item = self.item
        if item.type == "REDACTED":
            return []
        values = [ValueNode(self.graph, item, item.project.fields[0], None)]
        values += [
            ValueNode(self.graph, item, each, item.values[each.id])
            for each in item.project.fields
            if each.id in item.values
        ]
        return values

    def field_values(
        self, first: int, after: str | None = None, order_by: Json | None = None
    ) -> Json:
        values = self._values()
        if (order_by or {}).get("direction") == "DESC":
            values.reverse()
        return connection(values, first, after, lambda value: value)

    def field_value_by_name(self, name: str) -> ValueNode | None:
        return next((value for value in self._values() if value.field_row.name == name), None)


class ValueNode:
    """One field's value on one item; the built-in Title's value is the content's title."""

    def __init__(
        self, graph: Graph, item: ProjectItem, field: ProjectField, value: FieldValue | None
    ) -> None:
        self.graph = graph
        self.item_row = item
        self.field_row = field
        self.typename = _VALUE_TYPENAMES[field.data_type]
        self.database_id = value.id if value else None
        self.id = node_id("PVTFV", item.id, field.id)
        stamps = value or item
        self.created_at = iso(stamps.created_at)
        self.updated_at = iso(stamps.updated_at)
        stored = value.value if value else _title(item)
        if isinstance(stored, date):
            self.date = stored.isoformat()
        elif isinstance(stored, FieldOption):
            self.name, self.option_id, self.color = stored.name, stored.id, stored.color
            self.name_html = html.escape(stored.name)
            self.description = self.description_html = stored.description
        elif isinstance(stored, Iteration):
            self.iteration_id, self.title = stored.id, stored.title
            self.title_html = html.escape(stored.title)
            self.start_date = stored.start_date.isoformat()
            self.duration = stored.duration
        elif isinstance(stored, float):
            self.number = stored
        else:
            self.text = stored

    def creator(self) -> UserNode:
        return UserNode(self.graph, self.item_row.creator)

    def field(self) -> FieldNode:
        return FieldNode(self.graph, self.field_row)

    def item(self) -> ItemNode:
        return ItemNode(self.graph, self.item_row)


def _title(item: ProjectItem) -> str:
    if item.row is not None:
        return item.row.title
    return item.draft.title if item.draft is not None else ""


class DraftIssueNode:
    typename = "DraftIssue"

    def __init__(self, graph: Graph, item: ProjectItem) -> None:
        draft = item.draft
        assert draft is not None
        self.graph = graph
        self.creator_row = draft.creator
        self.id = node_id("DI", draft.id)
        self.title = draft.title
        self.body = draft.body
        self.created_at = iso(draft.created_at)
        self.updated_at = iso(draft.updated_at)

    def creator(self) -> UserNode:
        return UserNode(self.graph, self.creator_row)

    def assignees(self, first: int, after: str | None = None) -> Json:
        return connection([], first, after, lambda user: user)


class PullRequestNode:
    typename = "PullRequest"

    def __init__(self, graph: Graph, row: IssueRow) -> None:
        self.graph = graph
        self.row = row
        self.id = row.node_id
        self.database_id = row.id
        self.number = row.number
        self.title = row.title
        self.merged = row.merged_at is not None
        self.closed = row.state == "closed"
        self.state = "MERGED" if self.merged else row.state.upper()
        self.created_at = iso(row.created_at)
        self.updated_at = iso(row.updated_at)
        self.closed_at = iso(row.closed_at)
        self.merged_at = iso(row.merged_at)
        self.url = f"{graph.renderer.html}/{row.repo.full_name}/pull/{row.number}"

    def repository(self) -> RepositoryNode:
        return RepositoryNode(self.graph, self.row.repo)


class StatusUpdateNode:
    typename = "ProjectV2StatusUpdate"

    def __init__(self, graph: Graph, update: StatusUpdate) -> None:
        self.graph = graph
        self.update = update
        self.id = node_id("PVTSU", update.project_id, update.id)
        self.database_id = update.id
        self.status = update.status
        self.body = update.body
        self.start_date = _day(update.start_date)
        self.target_date = _day(update.target_date)
        self.created_at = iso(update.created_at)
        self.updated_at = iso(update.updated_at)

    def creator(self) -> UserNode:
        return UserNode(self.graph, self.update.creator)

    def project(self) -> ProjectNode:
        return next(
            ProjectNode(self.graph, project)
            for project in self.graph.world.projects.projects.values()
            if project.id == self.update.project_id
        )
