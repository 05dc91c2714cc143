"""Plan edits of a ``LinearWorld``: milestones, cycles, status updates, initiative nesting and
project relations, each stamping ``updatedAt`` on what it changes, as Linear does.

Linear keeps health on status updates: posting one sets its project's (or initiative's)
``health`` and ``healthUpdatedAt`` and so bumps that project's (initiative's) ``updatedAt``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from simulators.linear_rows import (
    ANCHORS,
    HEALTHS,
    Cycle,
    InitiativeRow,
    IssueRow,
    Milestone,
    ProjectRelation,
    ProjectRow,
    StatusUpdate,
    Team,
    User,
)
from simulators.world_common import DAY_MS, REFERENCE_NOW_MS, Announcer, WorldClock

CYCLE_DAYS = 14


def epoch_ms(value: str) -> int:
    """Epoch ms of an ISO date-time (``Z`` or offset) or of a date's UTC midnight."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp() * 1000)


def _check_health(health: str) -> None:
    if health not in HEALTHS:
        raise ValueError(f"health must be one of {', '.join(HEALTHS)}, not {health!r}")


class PlanEdits:
    """Mixed into ``LinearWorld``, whose rows and helpers these methods use."""

    clock: WorldClock
    changes: Announcer
    teams: list[Team]
    users: list[User]
    viewer: User
    issues: dict[str, IssueRow]
    projects: dict[str, ProjectRow]
    initiatives: dict[str, InitiativeRow]
    milestones: dict[str, Milestone]
    cycles: dict[str, Cycle]
    project_updates: dict[str, StatusUpdate]
    initiative_updates: dict[str, StatusUpdate]
    project_relations: dict[str, ProjectRelation]
    require: Callable[[str], IssueRow]
    _bump: Callable[[IssueRow], None]
    _uuid: Callable[[], str]

    def add_milestone(
        self,
        project_id: str,
        name: str,
        target_date: str | None = None,
        *,
        description: str | None = None,
        sort_order: float | None = None,
    ) -> Milestone:
        """A new milestone of ``project_id``, last in sort order unless ``sort_order`` is given."""
        project = self.projects[project_id]
        orders = [self.milestones[m].sort_order for m in project.milestone_ids]
        stamp = self.clock.stamp()
        milestone = Milestone(
            self._uuid(),
            name,
            project_id,
            target_date,
            stamp,
            description=description,
            sort_order=sort_order if sort_order is not None else max(orders, default=0.0) + 1.0,
        )
        self.milestones[milestone.id] = milestone
        project.milestone_ids.append(milestone.id)
        return milestone

    def touch_milestone(self, milestone_id: str, **changes: object) -> Milestone:
        """Edit a milestone's name, description, target_date, sort_order or archived (bool)."""
        milestone = self.milestones[milestone_id]
        for name, value in changes.items():
            if name == "archived":
                milestone.archived_ms = self.clock.stamp() if value else None
            elif name in ("name", "description", "target_date", "sort_order"):
                setattr(milestone, name, value)
            else:
                raise TypeError(f"touch_milestone() cannot change {name!r}")
        milestone.updated_ms = self.clock.stamp()
        return milestone

    def set_issue_milestone(self, issue: str, milestone_id: str | None) -> IssueRow:
        """Put an issue in a milestone (moving it to the milestone's project) or take it out."""
        row = self.require(issue)
        if milestone_id is not None:
            project_id = self.milestones[milestone_id].project_id
            if row.project_id != project_id:
                if row.project_id:
                    self.projects[row.project_id].issue_ids.remove(row.id)
                self.projects[project_id].issue_ids.append(row.id)
                row.project_id = project_id
        row.milestone_id = milestone_id
        self._bump(row)
        return row

    def add_cycle(
        self,
        team_key: str,
        number: int,
        starts_at: str,
        ends_at: str,
        *,
        name: str | None = None,
        completed_at: str | None = None,
    ) -> Cycle:
        """A cycle of the team keyed ``team_key``; times are ISO date-times or dates (UTC)."""
        team = next((t for t in self.teams if t.key == team_key), None)
        if team is None:
            raise ValueError(f"no team with key {team_key!r}")
        if any(c.team_id == team.id and c.number == number for c in self.cycles.values()):
            raise ValueError(f"team {team_key} already has cycle {number}")
        starts, ends = epoch_ms(starts_at), epoch_ms(ends_at)
        if ends <= starts:
            raise ValueError("a cycle must end after it starts")
        stamp = self.clock.stamp()
        cycle = Cycle(
            self._uuid(),
            team.id,
            number,
            name,
            starts,
            ends,
            stamp,
            stamp,
            completed_ms=epoch_ms(completed_at) if completed_at else None,
        )
        self.cycles[cycle.id] = cycle
        return cycle

    def complete_cycle(self, cycle_id: str) -> Cycle:
        """Close a cycle now, as Linear does when its time is up."""
        cycle = self.cycles[cycle_id]
        cycle.completed_ms = cycle.updated_ms = self.clock.stamp()
        return cycle

    def set_issue_cycle(self, issue: str, cycle_id: str | None) -> IssueRow:
        """Put an issue in one of its team's cycles, or take it out of its cycle."""
        row = self.require(issue)
        if cycle_id is not None and self.cycles[cycle_id].team_id != row.team.id:
            raise ValueError(f"cycle {cycle_id} is not a cycle of team {row.team.key}")
        row.cycle_id = cycle_id
        self._bump(row)
        return row

    def add_project_update(
        self, project_id: str, health: str, body: str = "", user: str | None = None
    ) -> StatusUpdate:
        """Post a project update by ``user`` (name or id; the viewer by default)."""
        _check_health(health)
        project = self.projects[project_id]
        update = self._update(project_id, health, body, user)
        self.project_updates[update.id] = update
        project.health, project.health_updated_ms = health, update.created_ms
        project.updated_ms = update.created_ms
        self.changes.announce("ProjectUpdate", "create", update, project=project)
        return update

    def add_initiative_update(
        self, initiative_id: str, health: str, body: str = "", user: str | None = None
    ) -> StatusUpdate:
        """Post an initiative update by ``user`` (name or id; the viewer by default)."""
        _check_health(health)
        initiative = self.initiatives[initiative_id]
        update = self._update(initiative_id, health, body, user)
        self.initiative_updates[update.id] = update
        initiative.health, initiative.health_updated_ms = health, update.created_ms
        initiative.updated_ms = update.created_ms
        return update

    def set_initiative_health(
        self, initiative_id: str, health: str, body: str = "", user: str | None = None
    ) -> StatusUpdate:
        """Declare an initiative's health: in Linear that is posting an initiative update."""
        return self.add_initiative_update(initiative_id, health, body, user)

    def set_parent_initiative(self, initiative_id: str, parent_id: str | None) -> InitiativeRow:
        """Nest an initiative under ``parent_id`` (or un-nest it); refuses a loop."""
        row = self.initiatives[initiative_id]
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == initiative_id:
                raise ValueError("an initiative cannot be nested under itself or its descendants")
            ancestor = self.initiatives[ancestor].parent_id
        row.parent_id = parent_id
        row.updated_ms = self.clock.stamp()
        return row

    def add_project_relation(
        self,
        project_id: str,
        related_project_id: str,
        *,
        type: str = "blocks",
        milestone_id: str | None = None,
        related_milestone_id: str | None = None,
        anchor_type: str | None = None,
        related_anchor_type: str | None = None,
        user: str | None = None,
    ) -> ProjectRelation:
        """``project_id`` <type> ``related_project_id``: by default its end anchors the related
        project's start; an end given a milestone is anchored at that milestone."""
        for project, milestone in (
            (project_id, milestone_id),
            (related_project_id, related_milestone_id),
        ):
            if milestone is not None and self.milestones[milestone].project_id != project:
                raise ValueError(f"milestone {milestone} is not in project {project}")
        anchor = anchor_type or ("milestone" if milestone_id else "end")
        related_anchor = related_anchor_type or ("milestone" if related_milestone_id else "start")
        if anchor not in ANCHORS or related_anchor not in ANCHORS:
            raise ValueError(f"anchor types must be one of {', '.join(ANCHORS)}")
        if project_id == related_project_id:
            raise ValueError("a project cannot depend on itself")
        relation = ProjectRelation(
            self._uuid(),
            self.projects[project_id].id,
            self.projects[related_project_id].id,
            self.clock.stamp(),
            self._user_id(user),
            type=type,
            anchor_type=anchor,
            related_anchor_type=related_anchor,
            milestone_id=milestone_id,
            related_milestone_id=related_milestone_id,
        )
        self.project_relations[relation.id] = relation
        return relation

    def _user_id(self, user: str | None) -> str:
        if user is None:
            return self.viewer.id
        found = next((u for u in self.users if user in (u.id, u.name)), None)
        if found is None:
            raise ValueError(f"no user {user!r}")
        return found.id

    def _update(self, subject_id: str, health: str, body: str, user: str | None) -> StatusUpdate:
        stamp = self.clock.stamp()
        update_id = self._uuid()
        slug = update_id.replace("-", "")[:8]
        return StatusUpdate(
            update_id, subject_id, health, body, self._user_id(user), slug, stamp, stamp
        )

    def _generate_plans(self, rng: random.Random) -> None:
        """Two-week cycles per team around the reference time, a third of the issues in one,
        and an update behind every declared project and initiative health."""

        def new_id() -> str:
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))

        first_start = REFERENCE_NOW_MS - 10 * CYCLE_DAYS * DAY_MS
        by_team: dict[str, list[Cycle]] = {}
        for team in self.teams:
            for number in range(1, 13):
                starts = first_start + (number - 1) * CYCLE_DAYS * DAY_MS
                ends = starts + CYCLE_DAYS * DAY_MS
                created = starts - 7 * DAY_MS
                cycle = Cycle(new_id(), team.id, number, None, starts, ends, created, created)
                if ends <= REFERENCE_NOW_MS:
                    cycle.completed_ms = cycle.updated_ms = ends
                self.cycles[cycle.id] = cycle
                by_team.setdefault(team.id, []).append(cycle)
        for row in self.issues.values():
            if rng.random() < 0.3:
                row.cycle_id = rng.choice(by_team[row.team.id]).id
        for subjects, updates in (
            (self.projects.values(), self.project_updates),
            (self.initiatives.values(), self.initiative_updates),
        ):
            for subject in subjects:
                if subject.health is None:
                    continue
                user_id = rng.choice(self.users).id
                update_id = new_id()
                update = StatusUpdate(
                    update_id,
                    subject.id,
                    subject.health,
                    f"We are {subject.health}.",
                    user_id,
                    update_id.replace("-", "")[:8],
                    subject.updated_ms,
                    subject.updated_ms,
                )
                updates[update.id] = update
                subject.health_updated_ms = subject.updated_ms
