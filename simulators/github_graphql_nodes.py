"""The objects behind the GraphQL schema: each wraps a world row and answers its fields.

Field ``fooBar`` is answered by attribute or method ``foo_bar`` (see ``resolve_field``);
``typename`` names the concrete type for ``Node`` and ``RepositoryOwner``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from graphql import GraphQLError

from simulators.github_paging import (
    Filters,
    Ordering,
    Position,
    decode_cursor,
    decode_offset,
    encode_cursor,
    encode_offset,
)
from simulators.github_payloads import Renderer
from simulators.github_rate import RateInfo
from simulators.github_world import (
    GitHubWorld,
    IssueRow,
    Label,
    Milestone,
    Repo,
    User,
    decode_node_id,
    iso,
    node_id,
)

Json = dict[str, Any]
ORG_ID = 90_000_001
_SORTS = {"CREATED_AT": "created", "UPDATED_AT": "updated", "COMMENTS": "comments"}


def not_found(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"type": "NOT_FOUND"})


def bad_cursor(cursor: str) -> GraphQLError:
    return GraphQLError(f"`{cursor}` does not appear to be a valid cursor.")


class Missing:
    """An id ``nodes`` could not resolve; typing it raises the NOT_FOUND error at its index."""

    def __init__(self, global_id: str) -> None:
        self.global_id = global_id


def node_typename(value: Any) -> str:
    if isinstance(value, Missing):
        raise not_found(f"Could not resolve to a node with the global id of '{value.global_id}'")
    return str(value.typename)


def connection(
    items: Sequence[Any], first: int, after: str | None, wrap: Callable[[Any], Any]
) -> Json:
    """A Relay connection over a small list, with offset cursors."""
    try:
        start = decode_offset(after)
    except ValueError as error:
        raise bad_cursor(str(after)) from error
    chunk = list(enumerate(items))[start : start + first]
    edges = [{"cursor": encode_offset(index), "node": wrap(item)} for index, item in chunk]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": start + first < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


class Graph:
    """What every node needs: the world, its orderings and URL building."""

    def __init__(self, world: GitHubWorld, ordering: Ordering, renderer: Renderer) -> None:
        self.world = world
        self.ordering = ordering
        self.renderer = renderer

    def resolve(self, global_id: str) -> Any:
        decoded = decode_node_id(global_id)
        if decoded is None:
            return None
        prefix, ids = decoded
        world = self.world
        if prefix == "I":
            row = world.by_id(ids[-1])
            return IssueNode(self, row) if row is not None and not row.is_pull else None
        if prefix == "R":
            repo = world.repos_by_id.get(ids[0])
            return RepositoryNode(self, repo) if repo else None
        if prefix == "U":
            user = next((user for user in world.users if user.id == ids[0]), None)
            return UserNode(self, user) if user else None
        if prefix == "O" and ids == (ORG_ID,):
            return OrganizationNode(self)
        if prefix == "LA":
            label = next((lab for lab in world.labels.values() if lab.id == ids[-1]), None)
            return LabelNode(self, label) if label else None
        if prefix == "MI":
            milestones = world.milestones.get(ids[0], [])
            milestone = next((m for m in milestones if m.id == ids[-1]), None)
            return MilestoneNode(self, milestone) if milestone else None
        return None


class QueryRoot:
    typename = "Query"

    def __init__(self, graph: Graph, rate: RateInfo) -> None:
        self.graph = graph
        self.rate = rate

    def node(self, id: str) -> Any:
        found = self.graph.resolve(id)
        if found is None:
            raise not_found(f"Could not resolve to a node with the global id of '{id}'")
        return found

    def nodes(self, ids: list[str]) -> list[Any]:
        return [self.graph.resolve(each) or Missing(each) for each in ids]

    def rate_limit(self, dry_run: bool = False) -> Json:
        return self.rate.as_json()

    def repository(self, owner: str, name: str, follow_renames: bool = True) -> RepositoryNode:
        repo = self.graph.world.repos.get(name) if owner == self.graph.world.owner else None
        if repo is None:
            raise not_found(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return RepositoryNode(self.graph, repo)


class OrganizationNode:
    typename = "Organization"

    def __init__(self, graph: Graph) -> None:
        self.login = graph.world.owner
        self.id = node_id("O", ORG_ID)
        self.database_id = ORG_ID
        self.name = graph.world.owner.title()
        self.url = f"{graph.renderer.html}/{self.login}"


class UserNode:
    typename = "User"

    def __init__(self, graph: Graph, user: User) -> None:
        self.id = node_id("U", user.id)
        self.database_id = user.id
        self.login = user.login
        self.name = user.login.replace("-", " ").title()
        self.url = f"{graph.renderer.html}/{user.login}"


class LabelNode:
    typename = "Label"

    def __init__(self, graph: Graph, label: Label) -> None:
        self.id = node_id("LA", label.repo_id, label.id)
        self.name = label.name
        self.color = label.color
        self.description = label.description
        self.is_default = label.default
        repo = graph.world.repos_by_id[label.repo_id]
        self.url = f"{graph.renderer.html}/{repo.full_name}/labels/{label.name}"


class MilestoneNode:
    typename = "Milestone"

    def __init__(self, graph: Graph, milestone: Milestone) -> None:
        repo = graph.world.repos_by_id[milestone.repo_id]
        self.id = node_id("MI", milestone.repo_id, milestone.id)
        self.number = milestone.number
        self.title = milestone.title
        self.description = milestone.description
        self.state = "OPEN"
        self.closed = False
        self.closed_at = None
        self.due_on = iso(milestone.due_on)
        self.created_at = iso(milestone.created_at)
        self.updated_at = iso(milestone.updated_at)
        self.url = f"{graph.renderer.html}/{repo.full_name}/milestone/{milestone.number}"


class RepositoryNode:
    typename = "Repository"

    def __init__(self, graph: Graph, repo: Repo) -> None:
        self.graph = graph
        self.repo = repo
        self.id = node_id("R", repo.id)
        self.database_id = repo.id
        self.name = repo.name
        self.name_with_owner = repo.full_name
        self.url = f"{graph.renderer.html}/{repo.full_name}"

    def owner(self) -> OrganizationNode:
        return OrganizationNode(self.graph)

    def issue(self, number: int) -> IssueNode:
        row = self.graph.world.lookup(self.repo, number)
        if row is None or row.is_pull:
            raise not_found(f"Could not resolve to an Issue with the number of {number}.")
        return IssueNode(self.graph, row)

    def issues(
        self,
        first: int,
        after: str | None = None,
        filter_by: Json | None = None,
        labels: list[str] | None = None,
        order_by: Json | None = None,
        states: list[str] | None = None,
    ) -> IssueConnection:
        filter_by = filter_by or {}
        chosen = states or filter_by.get("states") or ["OPEN", "CLOSED"]
        since = filter_by.get("since")
        filters = Filters(
            states=frozenset(state.lower() for state in chosen),
            since=int(datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp())
            if since
            else None,
            labels=frozenset([*(labels or ()), *(filter_by.get("labels") or ())]),
            pulls=False,
        )
        order = order_by or {"field": "CREATED_AT", "direction": "ASC"}
        try:
            position = decode_cursor(after) if after else None
        except ValueError as error:
            raise bad_cursor(str(after)) from error
        return IssueConnection(
            self.graph,
            lambda start: self.graph.ordering.scan(
                self.repo, _SORTS[order["field"]], order["direction"] == "DESC", start, filters
            ),
            first,
            position,
        )


class IssueConnection:
    """A keyset page over a repository's issues; ``totalCount`` is counted only when asked."""

    def __init__(
        self,
        graph: Graph,
        scan: Callable[[Position | None], Iterator[tuple[Position, IssueRow]]],
        first: int,
        after: Position | None,
    ) -> None:
        self._scan = scan
        items = list(islice(scan(after), first + 1))
        has_next = len(items) > first
        self.edges = [
            {"cursor": encode_cursor(position), "node": IssueNode(graph, row)}
            for position, row in items[:first]
        ]
        self.nodes = [edge["node"] for edge in self.edges]
        self.page_info = {
            "hasNextPage": has_next,
            "hasPreviousPage": after is not None,
            "startCursor": self.edges[0]["cursor"] if self.edges else None,
            "endCursor": self.edges[-1]["cursor"] if self.edges else None,
        }

    def total_count(self) -> int:
        return sum(1 for _ in self._scan(None))


class IssueNode:
    typename = "Issue"

    def __init__(self, graph: Graph, row: IssueRow) -> None:
        self.graph = graph
        self.row = row
        self.id = row.node_id
        self.database_id = row.id
        self.number = row.number
        self.title = row.title
        self.body = row.body or ""
        self.state = row.state.upper()
        self.closed = row.state == "closed"
        self.locked = row.locked
        self.created_at = iso(row.created_at)
        self.updated_at = iso(row.updated_at)
        self.closed_at = iso(row.closed_at)
        self.url = f"{graph.renderer.html}/{row.repo.full_name}/issues/{row.number}"

    def state_reason(self, enable_duplicate: bool = False) -> str | None:
        return self.row.state_reason.upper() if self.row.state_reason else None

    def repository(self) -> RepositoryNode:
        return RepositoryNode(self.graph, self.row.repo)

    def parent(self) -> IssueNode | None:
        parent = self.graph.world.parent(self.row)
        return IssueNode(self.graph, parent) if parent else None

    def milestone(self) -> MilestoneNode | None:
        milestone = self.row.milestone
        return MilestoneNode(self.graph, milestone) if milestone else None

    def _issues(self, rows: list[IssueRow], first: int, after: str | None) -> Json:
        return connection(rows, first, after, lambda row: IssueNode(self.graph, row))

    def sub_issues(self, first: int, after: str | None = None) -> Json:
        return self._issues(self.graph.world.children(self.row), first, after)

    def blocked_by(self, first: int, after: str | None = None) -> Json:
        return self._issues(self.graph.world.blocked_by(self.row), first, after)

    def blocking(self, first: int, after: str | None = None) -> Json:
        return self._issues(self.graph.world.blocking(self.row), first, after)

    def labels(self, first: int, after: str | None = None) -> Json:
        world = self.graph.world
        labels = [world.label(self.row.repo, name) for name in self.row.labels]
        return connection(labels, first, after, lambda label: LabelNode(self.graph, label))

    def assignees(self, first: int, after: str | None = None) -> Json:
        return connection(self.row.assignees, first, after, lambda u: UserNode(self.graph, u))

    def sub_issues_summary(self) -> Json:
        total, completed = self.graph.world.sub_issues_summary(self.row)
        percent = completed * 100 // total if total else 0
        return {"total": total, "completed": completed, "percentCompleted": percent}

    def issue_dependencies_summary(self) -> Json:
        summary = self.graph.world.dependencies_summary(self.row)
        keys = ("blockedBy", "blocking", "totalBlockedBy", "totalBlocking")
        return dict(zip(keys, summary, strict=True))
