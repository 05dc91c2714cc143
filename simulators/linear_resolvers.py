"""Resolvers of the Linear simulator: views over world rows, Relay pages and root queries.

graphql-core's default resolver reads attributes, calling methods with ``(info, **args)``, so
each view exposes schema fields as properties and connections as methods. Every list is ordered
by ``orderBy`` (createdAt by default) DESCENDING, newest first, ties by id descending.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from graphql import GraphQLResolveInfo

from simulators.fault_paging import PagingFaults
from simulators.faults import Faults
from simulators.linear_filters import (
    Collection,
    Entity,
    FilterError,
    FilterSpec,
    Scalar,
    bounds,
    matches,
)
from simulators.linear_plan_views import (
    ORG_URL,
    CycleView,
    InitiativeUpdateView,
    MilestoneView,
    ProjectRelationView,
    ProjectUpdateView,
    iso,
)
from simulators.linear_rows import (
    Cycle,
    InitiativeRow,
    IssueRow,
    Milestone,
    ProjectRow,
    StatusUpdate,
    Team,
)
from simulators.linear_world import LinearWorld

DEFAULT_PAGE = 50
MAX_PAGE = 250
Key = tuple[int, str]
_Found = TypeVar("_Found", Cycle, Milestone)


class LinearError(Exception):
    """An error in Linear's shape: ``extensions.code``, ``type`` and a presentable message."""

    def __init__(self, message: str, code: str = "INVALID_INPUT", user_message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.user_message = user_message or message


def _cursor(key: Key) -> str:
    return base64.urlsafe_b64encode(f"{key[0]}:{key[1]}".encode()).decode()


def _read_cursor(cursor: str) -> Key:
    try:
        ms, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        return int(ms), item_id
    except (ValueError, binascii.Error) as error:
        raise LinearError("Argument Validation Error", user_message="Invalid cursor") from error


def page(items: Iterable[tuple[Key, Any]], args: Mapping[str, Any]) -> dict[str, Any]:
    """A Relay page of ``items`` (already in descending key order) for first/after/last/before."""
    first, last = args.get("first"), args.get("last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise LinearError(
                "Argument Validation Error",
                user_message=f"{name} must be between 0 and {MAX_PAGE}",
            )
    after = _read_cursor(args["after"]) if args.get("after") else None
    before = _read_cursor(args["before"]) if args.get("before") else None
    window: Iterator[tuple[Key, Any]] = iter(items)
    if after is not None:
        window = (pair for pair in window if pair[0] < after)
    if before is not None:
        window = (pair for pair in window if pair[0] > before)
    if last is not None and first is None:
        kept = list(window)
        chosen, has_previous, has_next = kept[-last:] if last else [], len(kept) > last, False
    else:
        size = DEFAULT_PAGE if first is None else first
        chosen = [pair for _, pair in zip(range(size + 1), window, strict=False)]
        has_next, has_previous = len(chosen) > size, after is not None
        chosen = chosen[:size]
    edges = [{"node": node, "cursor": _cursor(key)} for key, node in chosen]
    return {
        "nodes": [node for _, node in chosen],
        "edges": edges,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _ordered(rows: Iterable[Any], args: Mapping[str, Any]) -> list[tuple[Key, Any]]:
    field = "updated_ms" if args.get("orderBy") == "updatedAt" else "created_ms"
    pairs = [((getattr(row, field), row.id), row) for row in rows]
    pairs.sort(key=lambda pair: pair[0], reverse=True)
    return pairs


def _visible(row: Any, args: Mapping[str, Any]) -> bool:
    return bool(args.get("includeArchived")) or (row.archived_ms is None and not row.trashed)


class Views:
    """Builds views and filter specs bound to one world."""

    def __init__(self, world: LinearWorld) -> None:
        self.world = world

    def connection(
        self,
        rows: Iterable[Any],
        args: Mapping[str, Any],
        wrap: Callable[[Any], Any],
        spec: FilterSpec | None = None,
    ) -> dict[str, Any]:
        now = self.world.clock.now_ms
        condition = args.get("filter")
        try:
            kept = [
                row
                for row in rows
                if _visible(row, args) and (spec is None or matches(row, condition, spec, now))
            ]
        except FilterError as error:
            raise LinearError(str(error)) from error
        result = page(_ordered(kept, args), args)
        wrapped = {id(node): wrap(node) for node in result["nodes"]}
        result["nodes"] = [wrapped[id(node)] for node in result["nodes"]]
        for edge in result["edges"]:
            edge["node"] = wrapped[id(edge["node"])]
        return result

    def issues(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Root ``issues``: bisects the world's sorted index so 100k-issue windows stay cheap."""
        world, condition = self.world, args.get("filter") or {}
        by_updated = args.get("orderBy") == "updatedAt"
        index = world.by_updated if by_updated else world.by_created
        try:
            field = condition.get("updatedAt" if by_updated else "createdAt")
            low, high = bounds(field, world.clock.now_ms)
        except FilterError as error:
            raise LinearError(str(error)) from error
        start = bisect.bisect_left(index, (low, "")) if low is not None else 0
        stop = bisect.bisect_right(index, (high, "\uffff")) if high is not None else len(index)
        if args.get("after"):
            stop = min(stop, bisect.bisect_left(index, _read_cursor(args["after"])))
        spec, now = self.issue_spec(), world.clock.now_ms

        def candidates() -> Iterator[tuple[Key, Any]]:
            for position in range(stop - 1, start - 1, -1):
                key = index[position]
                row = world.issues[key[1]]
                try:
                    keep = _visible(row, args) and matches(row, condition, spec, now)
                except FilterError as error:
                    raise LinearError(str(error)) from error
                if keep:
                    yield key, IssueView(row, self)

        return page(candidates(), args)

    def issue_view(self, row: IssueRow) -> IssueView:
        return IssueView(row, self)

    def project_view(self, row: ProjectRow) -> ProjectView:
        return ProjectView(row, self)

    def initiative_view(self, row: InitiativeRow) -> InitiativeView:
        return InitiativeView(row, self)

    def team_view(self, team: Team) -> TeamView:
        return TeamView(team, self)

    def user_payload(self, user_id: str | None) -> dict[str, Any] | None:
        user = self.world.user(user_id)
        if user is None:
            return None
        return {
            "id": user.id,
            "name": user.name,
            "displayName": user.name.split()[0].lower(),
            "email": user.email,
            "active": True,
            "createdAt": iso(user.created_ms),
            "updatedAt": iso(user.created_ms),
            "archivedAt": None,
        }

    def milestone_spec(self) -> FilterSpec:
        projects = self.world.projects
        return {
            **self._stamped(),
            "project": Entity(lambda m: projects.get(m.project_id), self.project_spec),
        }

    def cycle_spec(self) -> FilterSpec:
        team = self.world.team
        return {
            **self._stamped(),
            "number": Scalar(lambda c: c.number),
            "startsAt": Scalar(lambda c: c.starts_ms, time=True),
            "endsAt": Scalar(lambda c: c.ends_ms, time=True),
            "completedAt": Scalar(lambda c: c.completed_ms, time=True),
            "team": Entity(lambda c: team(c.team_id), self.team_spec),
        }

    def project_update_spec(self) -> FilterSpec:
        projects = self.world.projects
        return {
            **self._stamped(),
            "project": Entity(lambda u: projects.get(u.subject_id), self.project_spec),
        }

    def initiative_update_spec(self) -> FilterSpec:
        initiatives = self.world.initiatives
        return {
            **self._stamped(),
            "initiative": Entity(lambda u: initiatives.get(u.subject_id), self.initiative_spec),
        }

    def _stamped(self) -> dict[str, Scalar | Entity | Collection]:
        return {
            "id": Scalar(lambda r: r.id),
            "createdAt": Scalar(lambda r: r.created_ms, time=True),
            "updatedAt": Scalar(lambda r: r.updated_ms, time=True),
        }

    def team_spec(self) -> FilterSpec:
        return {
            "id": Scalar(lambda t: t.id),
            "key": Scalar(lambda t: t.key),
            "name": Scalar(lambda t: t.name),
            "createdAt": Scalar(lambda t: t.created_ms, time=True),
            "updatedAt": Scalar(lambda t: t.created_ms, time=True),
        }

    def _common(self) -> dict[str, Scalar | Entity | Collection]:
        return {
            "id": Scalar(lambda r: r.id),
            "createdAt": Scalar(lambda r: r.created_ms, time=True),
            "updatedAt": Scalar(lambda r: r.updated_ms, time=True),
            "completedAt": Scalar(lambda r: r.completed_ms, time=True),
            "canceledAt": Scalar(lambda r: r.canceled_ms, time=True),
            "archivedAt": Scalar(lambda r: r.archived_ms, time=True),
        }

    def issue_spec(self) -> FilterSpec:
        projects = self.world.projects
        return {
            **self._common(),
            "team": Entity(lambda r: r.team, self.team_spec),
            "project": Entity(lambda r: projects.get(r.project_id or ""), self.project_spec),
        }

    def project_spec(self) -> FilterSpec:
        team = self.world.team
        return {
            **self._common(),
            "accessibleTeams": Collection(lambda p: [team(t) for t in p.team_ids], self.team_spec),
        }

    def initiative_spec(self) -> FilterSpec:
        return {**self._common(), "status": Scalar(lambda i: i.status)}


class TeamView:
    def __init__(self, team: Team, views: Views) -> None:
        self.team, self.views = team, views
        self.id, self.key, self.name = team.id, team.key, team.name
        self.timezone = team.timezone
        self.createdAt = self.updatedAt = iso(team.created_ms)
        self.archivedAt = None

    def cycles(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        views = self.views
        rows = [c for c in views.world.cycles.values() if c.team_id == self.id]
        return views.connection(rows, args, lambda c: CycleView(c, views), views.cycle_spec())


class _Row:
    """Fields every synced entity shares."""

    def __init__(self, row: Any, views: Views) -> None:
        self.row, self.views, self.world = row, views, views.world
        self.id = row.id
        self.createdAt, self.updatedAt = iso(row.created_ms), iso(row.updated_ms)
        self.archivedAt = iso(row.archived_ms)
        self.completedAt, self.canceledAt = iso(row.completed_ms), iso(row.canceled_ms)
        self.trashed = True if row.trashed else None

    def _user(self, user_id: str | None) -> dict[str, Any] | None:
        return self.views.user_payload(user_id)


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class IssueView(_Row):
    def __init__(self, row: IssueRow, views: Views) -> None:
        super().__init__(row, views)
        self.identifier, self.number, self.title = row.identifier, row.number, row.title
        self.description, self.priority = row.description, float(row.priority)
        self.estimate, self.dueDate = row.estimate, row.due_date
        self.startedAt = iso(row.started_ms)
        self.url = f"{ORG_URL}/issue/{row.identifier}/{_slug(row.title)}"
        state = row.state
        self.state = {
            "id": state.id,
            "name": state.name,
            "type": state.type,
            "color": "#bec2c8",
            "position": state.position,
            "team": TeamView(row.team, views),
            "createdAt": iso(row.team.created_ms),
            "updatedAt": iso(row.team.created_ms),
            "archivedAt": None,
        }
        self.team = TeamView(row.team, views)
        self.assignee = self._user(row.assignee_id)

    @property
    def parent(self) -> IssueView | None:
        parent = self.world.issues.get(self.row.parent_id or "")
        return IssueView(parent, self.views) if parent else None

    @property
    def project(self) -> ProjectView | None:
        project = self.world.projects.get(self.row.project_id or "")
        return ProjectView(project, self.views) if project else None

    @property
    def projectMilestone(self) -> MilestoneView | None:
        milestone = self.world.milestones.get(self.row.milestone_id or "")
        return MilestoneView(milestone, self.views) if milestone else None

    @property
    def cycle(self) -> CycleView | None:
        cycle = self.world.cycles.get(self.row.cycle_id or "")
        return CycleView(cycle, self.views) if cycle else None

    def labels(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        spec: FilterSpec = {
            "id": Scalar(lambda label: label.id),
            "name": Scalar(lambda label: label.name),
        }
        rows = [_LabelRow(self.world.label(label_id)) for label_id in self.row.label_ids]
        return self.views.connection(rows, args, lambda row: row.payload(), spec)

    def relations(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        return self._relations(self.row.relation_ids, args)

    def inverseRelations(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        return self._relations(self.row.inverse_ids, args)

    def _relations(self, relation_ids: list[str], args: Mapping[str, Any]) -> dict[str, Any]:
        rows = [_RelationRow(self.world.relations[rid]) for rid in relation_ids]
        return self.views.connection(rows, args, self._relation)

    def _relation(self, row: _RelationRow) -> dict[str, Any]:
        relation, issues = row.relation, self.world.issues
        return {
            "id": relation.id,
            "type": relation.type,
            "issue": IssueView(issues[relation.issue_id], self.views),
            "relatedIssue": IssueView(issues[relation.related_id], self.views),
            "createdAt": iso(relation.created_ms),
            "updatedAt": iso(relation.created_ms),
            "archivedAt": None,
        }


class _LabelRow:
    def __init__(self, label: Any) -> None:
        self.label, self.id = label, label.id
        self.name = label.name
        self.created_ms = self.updated_ms = label.created_ms
        self.archived_ms, self.trashed = None, False

    def payload(self) -> dict[str, Any]:
        stamp = iso(self.created_ms)
        return {
            "id": self.id,
            "name": self.name,
            "color": "#5e6ad2",
            "createdAt": stamp,
            "updatedAt": stamp,
            "archivedAt": None,
        }


class _RelationRow:
    def __init__(self, relation: Any) -> None:
        self.relation, self.id = relation, relation.id
        self.created_ms = self.updated_ms = relation.created_ms
        self.archived_ms, self.trashed = None, False


class ProjectView(_Row):
    def __init__(self, row: ProjectRow, views: Views) -> None:
        super().__init__(row, views)
        self.name, self.slugId, self.description = row.name, row.slug_id, row.description
        self.url = f"{ORG_URL}/project/{_slug(row.name)}-{row.slug_id}"
        self.health, self.startDate, self.targetDate = row.health, row.start_date, row.target_date
        self.healthUpdatedAt = iso(row.health_updated_ms)
        name, kind = row.status
        self.status = {
            "id": f"status-{kind}",
            "name": name,
            "type": kind,
            "color": "#95a2b3",
            "position": 0.0,
            "createdAt": self.createdAt,
            "updatedAt": self.createdAt,
            "archivedAt": None,
        }
        self.lead = self._user(row.lead_id)

    @property
    def progress(self) -> float:
        issues = [self.world.issues[i] for i in self.row.issue_ids]
        counted = [
            i for i in issues if not i.trashed and i.state.type not in ("canceled", "duplicate")
        ]
        done = sum(i.state.type == "completed" for i in counted)
        return done / len(counted) if counted else 0.0

    def teams(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [_TeamRow(self.world.team(team_id)) for team_id in self.row.team_ids]
        return self.views.connection(rows, args, lambda row: TeamView(row.team, self.views))

    def initiatives(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [self.world.initiatives[i] for i in self.row.initiative_ids]
        return self.views.connection(rows, args, lambda row: InitiativeView(row, self.views))

    def projectMilestones(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [self.world.milestones[m] for m in self.row.milestone_ids]
        return self.views.connection(rows, args, lambda m: MilestoneView(m, self.views))

    def projectUpdates(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [u for u in self.world.project_updates.values() if u.subject_id == self.id]
        return self.views.connection(rows, args, lambda u: ProjectUpdateView(u, self.views))

    @property
    def lastUpdate(self) -> ProjectUpdateView | None:
        update = _latest(self.world.project_updates.values(), self.id)
        return ProjectUpdateView(update, self.views) if update else None

    def relations(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        return self._relations(args, inverse=False)

    def inverseRelations(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        return self._relations(args, inverse=True)

    def _relations(self, args: Mapping[str, Any], *, inverse: bool) -> dict[str, Any]:
        rows = [
            r
            for r in self.world.project_relations.values()
            if (r.related_id if inverse else r.project_id) == self.id
        ]
        return self.views.connection(rows, args, lambda r: ProjectRelationView(r, self.views))


class _TeamRow:
    def __init__(self, team: Team) -> None:
        self.team, self.id = team, team.id
        self.created_ms = self.updated_ms = team.created_ms
        self.archived_ms, self.trashed = None, False


def _latest(updates: Iterable[StatusUpdate], subject_id: str) -> StatusUpdate | None:
    mine = [u for u in updates if u.subject_id == subject_id and u.archived_ms is None]
    return max(mine, key=lambda u: (u.created_ms, u.id), default=None)


class InitiativeView(_Row):
    def __init__(self, row: InitiativeRow, views: Views) -> None:
        super().__init__(row, views)
        self.name, self.slugId, self.description = row.name, row.slug_id, row.description
        self.url = f"{ORG_URL}/initiative/{row.slug_id}"
        self.status, self.health, self.targetDate = row.status, row.health, row.target_date
        self.healthUpdatedAt = iso(row.health_updated_ms)
        self.startedAt = self.createdAt if row.status in ("Active", "Completed") else None
        self.owner = self._user(row.owner_id)

    @property
    def parentInitiative(self) -> InitiativeView | None:
        parent = self.world.initiatives.get(self.row.parent_id or "")
        return InitiativeView(parent, self.views) if parent else None

    def subInitiatives(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [i for i in self.world.initiatives.values() if i.parent_id == self.id]
        return self.views.connection(
            rows, args, self.views.initiative_view, self.views.initiative_spec()
        )

    def initiativeUpdates(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [u for u in self.world.initiative_updates.values() if u.subject_id == self.id]
        return self.views.connection(rows, args, lambda u: InitiativeUpdateView(u, self.views))

    @property
    def lastUpdate(self) -> InitiativeUpdateView | None:
        update = _latest(self.world.initiative_updates.values(), self.id)
        return InitiativeUpdateView(update, self.views) if update else None

    def projects(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        initiatives = {self.id}
        if args.get("includeSubInitiatives"):
            initiatives |= {i.id for i in self.world.initiatives.values() if i.parent_id == self.id}
        rows = [p for p in self.world.projects.values() if initiatives & set(p.initiative_ids)]
        return self.views.connection(
            rows, args, lambda row: ProjectView(row, self.views), self.views.project_spec()
        )


class Root:
    """The ``Query`` type: one method per root field."""

    def __init__(self, world: LinearWorld, paging: PagingFaults | None = None) -> None:
        self.world, self.views = world, Views(world)
        self.paging = paging or PagingFaults(Faults(), Counter())

    def issues(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        result = self.views.issues(args)
        page_info = result["pageInfo"]
        if page_info["hasNextPage"]:
            page_info["endCursor"] = self.paging.next_token(
                args.get("after"), page_info["endCursor"]
            )
        self.paging.page_served(
            lambda: list(self.world.issues.values()), lambda row: self.world.touch(row.id)
        )
        return result

    def issue(self, info: GraphQLResolveInfo[Any], id: str) -> IssueView:
        row = self.world.issue(id)
        if row is None:
            raise _not_found("Issue")
        return IssueView(row, self.views)

    def projects(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        return self.views.connection(
            self.world.projects.values(),
            args,
            lambda row: ProjectView(row, self.views),
            self.views.project_spec(),
        )

    def project(self, info: GraphQLResolveInfo[Any], id: str) -> ProjectView:
        row = self.world.projects.get(id) or next(
            (p for p in self.world.projects.values() if p.slug_id == id), None
        )
        if row is None:
            raise _not_found("Project")
        return ProjectView(row, self.views)

    def initiatives(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        return self.views.connection(
            self.world.initiatives.values(),
            args,
            lambda row: InitiativeView(row, self.views),
            self.views.initiative_spec(),
        )

    def initiative(self, info: GraphQLResolveInfo[Any], id: str) -> InitiativeView:
        row = self.world.initiatives.get(id) or next(
            (i for i in self.world.initiatives.values() if i.slug_id == id), None
        )
        if row is None:
            raise _not_found("Initiative")
        return InitiativeView(row, self.views)

    def teams(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [_TeamRow(team) for team in self.world.teams]
        spec = {name: _on_team(field) for name, field in self.views.team_spec().items()}
        return self.views.connection(rows, args, lambda row: TeamView(row.team, self.views), spec)

    def cycles(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        views = self.views
        return views.connection(
            self.world.cycles.values(), args, lambda c: CycleView(c, views), views.cycle_spec()
        )

    def cycle(self, info: GraphQLResolveInfo[Any], id: str) -> CycleView:
        return CycleView(_found(self.world.cycles, id, "Cycle"), self.views)

    def projectMilestones(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        views = self.views
        return views.connection(
            self.world.milestones.values(),
            args,
            lambda m: MilestoneView(m, views),
            views.milestone_spec(),
        )

    def projectMilestone(self, info: GraphQLResolveInfo[Any], id: str) -> MilestoneView:
        return MilestoneView(_found(self.world.milestones, id, "ProjectMilestone"), self.views)

    def projectUpdates(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        views = self.views
        return views.connection(
            self.world.project_updates.values(),
            args,
            lambda u: ProjectUpdateView(u, views),
            views.project_update_spec(),
        )

    def initiativeUpdates(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        views = self.views
        return views.connection(
            self.world.initiative_updates.values(),
            args,
            lambda u: InitiativeUpdateView(u, views),
            views.initiative_update_spec(),
        )

    def projectRelations(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        views = self.views
        return views.connection(
            self.world.project_relations.values(), args, lambda r: ProjectRelationView(r, views)
        )

    def viewer(self, info: GraphQLResolveInfo[Any]) -> dict[str, Any] | None:
        return self.views.user_payload(self.world.viewer.id)


def _on_team(field: Scalar | Entity | Collection) -> Scalar:
    assert isinstance(field, Scalar)
    get = field.get
    return Scalar(lambda row: get(row.team), time=field.time)


def _found(rows: Mapping[str, _Found], row_id: str, kind: str) -> _Found:
    row = rows.get(row_id)
    if row is None:
        raise _not_found(kind)
    return row


def _not_found(kind: str) -> LinearError:
    return LinearError(
        f"Entity not found: {kind}",
        user_message=f"Could not find referenced {kind}.",
    )
