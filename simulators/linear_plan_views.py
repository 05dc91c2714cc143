"""Views of Linear's plan objects: ``ProjectMilestone``, ``Cycle``, ``ProjectUpdate``,
``InitiativeUpdate`` and ``ProjectRelation``, rendered from world rows on demand.

A milestone's ``status`` is derived as Linear shows it: ``done`` when all its counted issues are
completed, ``overdue`` past its target date, ``next`` for the first open one in sort order,
``unstarted`` otherwise; ``progress`` is its share of completed issues.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from graphql import GraphQLResolveInfo

from simulators.linear_filters import FilterSpec
from simulators.linear_rows import Cycle, Milestone, ProjectRelation, StatusUpdate
from simulators.linear_world import LinearWorld
from simulators.world_common import day

ORG_URL = "https://linear.app/acme"


class Views(Protocol):
    """What these views need of the resolvers' ``Views``: the world, pages, and other views."""

    world: LinearWorld

    def connection(
        self,
        rows: Iterable[Any],
        args: Mapping[str, Any],
        wrap: Callable[[Any], Any],
        spec: FilterSpec | None = None,
    ) -> dict[str, Any]: ...

    def issue_spec(self) -> FilterSpec: ...
    def issue_view(self, row: Any) -> Any: ...
    def project_view(self, row: Any) -> Any: ...
    def initiative_view(self, row: Any) -> Any: ...
    def team_view(self, team: Any) -> Any: ...
    def user_payload(self, user_id: str | None) -> dict[str, Any] | None: ...


def iso(ms: int | None) -> str | None:
    """Linear's DateTime: UTC with milliseconds."""
    if ms is None:
        return None
    return (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )


class _Stamped:
    """Fields every Linear entity has."""

    def __init__(self, row: Any) -> None:
        self.id: str = row.id
        self.createdAt, self.updatedAt = iso(row.created_ms), iso(row.updated_ms)
        self.archivedAt = iso(row.archived_ms)


def _counted(views: Views, issue_ids: list[str]) -> list[Any]:
    issues = (views.world.issues[i] for i in issue_ids)
    return [i for i in issues if not i.trashed and i.state.type not in ("canceled", "duplicate")]


class MilestoneView(_Stamped):
    def __init__(self, row: Milestone, views: Views) -> None:
        super().__init__(row)
        self.row, self.views = row, views
        self.name, self.description = row.name, row.description
        self.targetDate, self.sortOrder = row.target_date, row.sort_order

    def _issue_ids(self) -> list[str]:
        world = self.views.world
        return [
            i
            for i in world.projects[self.row.project_id].issue_ids
            if world.issues[i].milestone_id == self.id
        ]

    @property
    def progress(self) -> float:
        counted = _counted(self.views, self._issue_ids())
        done = sum(i.state.type == "completed" for i in counted)
        return done / len(counted) if counted else 0.0

    @property
    def status(self) -> str:
        counted = _counted(self.views, self._issue_ids())
        if counted and all(i.state.type == "completed" for i in counted):
            return "done"
        today = day(self.views.world.clock.now_ms)
        if self.targetDate is not None and self.targetDate < today:
            return "overdue"
        world = self.views.world
        siblings = [world.milestones[m] for m in world.projects[self.row.project_id].milestone_ids]
        open_ones = [
            MilestoneView(m, self.views)
            for m in sorted(siblings, key=lambda m: (m.sort_order, m.created_ms))
            if m.archived_ms is None
        ]
        upcoming = next((m for m in open_ones if m._open(today)), None)
        return "next" if upcoming is not None and upcoming.id == self.id else "unstarted"

    def _open(self, today: str) -> bool:
        counted = _counted(self.views, self._issue_ids())
        done = bool(counted) and all(i.state.type == "completed" for i in counted)
        return not done and (self.targetDate is None or self.targetDate >= today)

    @property
    def project(self) -> Any:
        return self.views.project_view(self.views.world.projects[self.row.project_id])

    def issues(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [self.views.world.issues[i] for i in self._issue_ids()]
        return self.views.connection(rows, args, self.views.issue_view, self.views.issue_spec())


class CycleView(_Stamped):
    def __init__(self, row: Cycle, views: Views) -> None:
        super().__init__(row)
        self.row, self.views = row, views
        self.number, self.name, self.description = float(row.number), row.name, row.description
        self.startsAt, self.endsAt = iso(row.starts_ms), iso(row.ends_ms)
        self.completedAt = iso(row.completed_ms)

    @property
    def team(self) -> Any:
        return self.views.team_view(self.views.world.team(self.row.team_id))

    def issues(self, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        rows = [i for i in self.views.world.issues.values() if i.cycle_id == self.id]
        return self.views.connection(rows, args, self.views.issue_view, self.views.issue_spec())


class _UpdateView(_Stamped):
    kind = "project"

    def __init__(self, row: StatusUpdate, views: Views) -> None:
        super().__init__(row)
        self.row, self.views = row, views
        self.body, self.health = row.body, row.health
        self.url = f"{ORG_URL}/{self.kind}/update/{row.slug_id}"

    @property
    def user(self) -> dict[str, Any] | None:
        return self.views.user_payload(self.row.user_id)


class ProjectUpdateView(_UpdateView):
    @property
    def project(self) -> Any:
        return self.views.project_view(self.views.world.projects[self.row.subject_id])


class InitiativeUpdateView(_UpdateView):
    kind = "initiative"

    @property
    def initiative(self) -> Any:
        return self.views.initiative_view(self.views.world.initiatives[self.row.subject_id])


class ProjectRelationView(_Stamped):
    def __init__(self, row: ProjectRelation, views: Views) -> None:
        super().__init__(row)
        self.row, self.views = row, views
        self.type, self.anchorType = row.type, row.anchor_type
        self.relatedAnchorType = row.related_anchor_type

    @property
    def project(self) -> Any:
        return self.views.project_view(self.views.world.projects[self.row.project_id])

    @property
    def relatedProject(self) -> Any:
        return self.views.project_view(self.views.world.projects[self.row.related_id])

    @property
    def projectMilestone(self) -> MilestoneView | None:
        return self._milestone(self.row.milestone_id)

    @property
    def relatedProjectMilestone(self) -> MilestoneView | None:
        return self._milestone(self.row.related_milestone_id)

    @property
    def user(self) -> dict[str, Any] | None:
        return self.views.user_payload(self.row.user_id)

    def _milestone(self, milestone_id: str | None) -> MilestoneView | None:
        milestone = self.views.world.milestones.get(milestone_id or "")
        return MilestoneView(milestone, self.views) if milestone else None
