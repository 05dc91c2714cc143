"""A deterministic Linear workspace, for the Linear simulator and tests.

``LinearWorld(size=n, seed=s)`` builds the same workspace for the same arguments:

- teams ``ENG`` (Engineering), ``INFRA`` (Infrastructure), ``DATA`` (Data Platform) by default,
  each with workflow states of every type (triage, backlog, unstarted, started, completed,
  canceled, duplicate) and a handful of users with emails;
- ``n`` issues (identifiers ``<TEAM>-<number>``): about 5% sub-issues, most in a project, with
  estimates, due dates, priorities 0-4 and labels from ``LABEL_NAMES`` (``initiative:<slug>``,
  ``bug``, ``feature`` and the Jira simulator's component names);
- about 3% as many projects (at least 4) and 0.3% initiatives (at least 2): most projects under one
  initiative, some under none, a few under two; a few initiatives have a parent initiative;
- ``blocks`` relations on about 8% of issues, stored once from the blocker (the blocked issue sees
  it in ``inverseRelations``), a few ``related``/``duplicate`` ones, and a few project dependencies;
- plans (a separate random stream, so the rest stays as it was): twelve two-week cycles per team
  around the reference time (those ended completed), a third of the issues in one, and a status
  update behind every project's and initiative's declared health (``healthUpdatedAt``);
- some completed/canceled issues archived (``archivedAt`` set; still in their project), a few
  trashed (``trashed`` and ``archivedAt`` set), one archived project;
- times before ``REFERENCE_NOW_MS`` (2026-11-01T00:00:00Z), every issue's ``updatedAt`` distinct
  with a millisecond part, so (updatedAt, id) order is total.

Rows (``linear_rows``) are compact; the simulator renders payloads on demand. Mutations, plan
edits (``linear_plans_world``) included, stamp ``updatedAt`` from ``clock`` (shared with the Jira
world: it only moves forward).
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections.abc import Iterable, Sequence

from simulators.linear_plans_world import PlanEdits
from simulators.linear_rows import (
    HEALTHS,
    Cycle,
    InitiativeRow,
    IssueRow,
    Label,
    Milestone,
    ProjectRelation,
    ProjectRow,
    Relation,
    State,
    StatusUpdate,
    Team,
    User,
)
from simulators.world_common import (
    COMPONENT_NAMES,
    DAY_MS,
    REFERENCE_NOW_MS,
    Announcer,
    WorldClock,
    day,
)

DEFAULT_TEAMS: tuple[tuple[str, str], ...] = (
    ("ENG", "Engineering"),
    ("INFRA", "Infrastructure"),
    ("DATA", "Data Platform"),
)
INITIATIVE_LABELS: tuple[str, ...] = ("initiative:payments-v2", "initiative:identity-next")
LABEL_NAMES: tuple[str, ...] = (*INITIATIVE_LABELS, "bug", "feature", *COMPONENT_NAMES)
STATE_TYPES: tuple[tuple[str, str], ...] = (
    ("Triage", "triage"),
    ("Backlog", "backlog"),
    ("Todo", "unstarted"),
    ("In Progress", "started"),
    ("In Review", "started"),
    ("Done", "completed"),
    ("Canceled", "canceled"),
    ("Duplicate", "duplicate"),
)
STATE_WEIGHTS: tuple[int, ...] = (3, 20, 20, 15, 5, 30, 5, 2)
PROJECT_STATUSES: tuple[tuple[str, str], ...] = (
    ("Backlog", "backlog"),
    ("Planned", "planned"),
    ("In Progress", "started"),
    ("Paused", "paused"),
    ("Completed", "completed"),
    ("Canceled", "canceled"),
)
INITIATIVE_STATUSES: tuple[str, ...] = ("Proposed", "Planned", "Active", "Completed", "Canceled")
_NAMES = ("Ava Chen", "Noah Patel", "Mia Okafor", "Liam Garcia", "Zoe Tanaka", "Kai Silva")
_WORDS = ("retry policy", "token refresh", "webhook delivery", "rate limiter", "audit log")
_VERBS = ("Migrate", "Harden", "Add", "Fix", "Refactor", "Instrument", "Document")


class LinearWorld(PlanEdits):
    """The teams, issues, projects and initiatives of one Linear workspace, with test mutations."""

    def __init__(
        self,
        size: int = 1000,
        *,
        seed: int = 7,
        teams: Sequence[tuple[str, str]] = DEFAULT_TEAMS,
    ) -> None:
        self.changes = Announcer()
        """Told every change made through the methods below (``simulators.webhooks``)."""
        self.clock = WorldClock()
        self._rng = random.Random(seed)
        start = REFERENCE_NOW_MS - 900 * DAY_MS
        self.teams = [Team(self._uuid(), key, name, start) for key, name in teams]
        self.users = [
            User(self._uuid(), name, f"{name.lower().replace(' ', '.')}@example.com", start)
            for name in _NAMES
        ]
        self.viewer = self.users[0]
        self.labels = [Label(self._uuid(), name, start) for name in LABEL_NAMES]
        self.states = {
            team.id: [
                State(self._uuid(), name, kind, float(position), team.id)
                for position, (name, kind) in enumerate(STATE_TYPES)
            ]
            for team in self.teams
        }
        self.issues: dict[str, IssueRow] = {}
        self.projects: dict[str, ProjectRow] = {}
        self.initiatives: dict[str, InitiativeRow] = {}
        self.milestones: dict[str, Milestone] = {}
        self.relations: dict[str, Relation] = {}
        self.project_relations: dict[str, ProjectRelation] = {}
        self.cycles: dict[str, Cycle] = {}
        self.project_updates: dict[str, StatusUpdate] = {}
        self.initiative_updates: dict[str, StatusUpdate] = {}
        self.by_updated: list[tuple[int, str]] = []
        self.by_created: list[tuple[int, str]] = []
        self._ids_by_identifier: dict[str, str] = {}
        self._numbers: dict[str, int] = {}
        self._generate(size)
        self._generate_plans(random.Random(seed * 7919 + 1))

    def __len__(self) -> int:
        return len(self.issues)

    def user(self, user_id: str | None) -> User | None:
        return next((u for u in self.users if u.id == user_id), None) if user_id else None

    def team(self, team_id: str) -> Team:
        return next(t for t in self.teams if t.id == team_id)

    def label(self, label_id: str) -> Label:
        return next(label for label in self.labels if label.id == label_id)

    def issue(self, id_or_identifier: str) -> IssueRow | None:
        """The issue with this UUID or identifier ("ENG-12"), trashed ones included."""
        issue_id = self._ids_by_identifier.get(id_or_identifier.upper(), id_or_identifier)
        return self.issues.get(issue_id)

    def require(self, id_or_identifier: str) -> IssueRow:
        row = self.issue(id_or_identifier)
        if row is None:
            raise KeyError(f"no issue {id_or_identifier!r}")
        return row

    def touch(self, id_or_identifier: str, **changes: object) -> IssueRow:
        """Edit an issue as a user would and bump its ``updatedAt``.

        Accepted changes: title, description, state (name), labels (names), estimate, priority,
        due_date, parent (id/identifier or None), project (id or None).
        """
        row = self.require(id_or_identifier)
        for name, value in changes.items():
            self._apply(row, name, value)
        self._bump(row)
        self.changes.announce("Issue", "update", row)
        return row

    def relate(self, issue: str, related: str, type: str = "blocks") -> Relation:
        """Record ``issue`` <type> ``related`` (``issue`` blocks ``related``); both are bumped."""
        source, target = self.require(issue), self.require(related)
        relation = self._add_relation(type, source.id, target.id)
        self._bump(source)
        self._bump(target)
        self.changes.announce("IssueRelation", "create", relation)
        return relation

    def trash(self, id_or_identifier: str) -> IssueRow:
        """Delete as Linear does: to the trash, archived, hidden unless ``includeArchived``."""
        row = self.require(id_or_identifier)
        row.trashed = True
        row.archived_ms = self.clock.stamp()
        self._bump(row)
        self.changes.announce("Issue", "remove", row)
        return row

    def touch_initiative(self, initiative_id: str, **changes: object) -> InitiativeRow:
        """Edit an initiative's description or target_date; bumps its ``updatedAt``."""
        row = self.initiatives[initiative_id]
        for name, value in changes.items():
            if name not in ("description", "target_date"):
                raise TypeError(f"touch_initiative() cannot change {name!r}")
            setattr(row, name, value)
        row.updated_ms = self.clock.stamp()
        self.changes.announce("Initiative", "update", row)
        return row

    def touch_project(self, project_id: str, **changes: object) -> ProjectRow:
        """Edit a project's name, description, health, start_date, target_date, status (type)
        or archived (bool); bumps its ``updatedAt``."""
        row = self.projects[project_id]
        for name, value in changes.items():
            if name == "status":
                row.status = next(s for s in PROJECT_STATUSES if s[1] == value)
            elif name == "archived":
                row.archived_ms = self.clock.stamp() if value else None
            elif name in ("name", "description", "health", "start_date", "target_date"):
                setattr(row, name, value)
            else:
                raise TypeError(f"touch_project() cannot change {name!r}")
        row.updated_ms = self.clock.stamp()
        self.changes.announce("Project", "update", row)
        return row

    def children(self, issue_id: str) -> list[IssueRow]:
        return [row for row in self.issues.values() if row.parent_id == issue_id]

    def _apply(self, row: IssueRow, name: str, value: object) -> None:
        if name == "state":
            row.state = next(s for s in self.states[row.team.id] if s.name == value)
            now = self.clock.now_ms
            row.completed_ms = now if row.state.type == "completed" else None
            row.canceled_ms = now if row.state.type in ("canceled", "duplicate") else None
        elif name == "labels":
            names = set(value) if isinstance(value, Iterable) else set()
            row.label_ids = tuple(label.id for label in self.labels if label.name in names)
        elif name == "parent":
            row.parent_id = self.require(str(value)).id if value else None
        elif name == "project":
            if row.project_id:
                self.projects[row.project_id].issue_ids.remove(row.id)
            row.project_id = str(value) if value else None
            row.milestone_id = None
            if row.project_id:
                self.projects[row.project_id].issue_ids.append(row.id)
        elif name in ("title", "description", "estimate", "priority", "due_date"):
            setattr(row, name, value)
        else:
            raise TypeError(f"touch() cannot change {name!r}")

    def _bump(self, row: IssueRow) -> None:
        self.by_updated.pop(bisect.bisect_left(self.by_updated, (row.updated_ms, row.id)))
        row.updated_ms = self.clock.stamp()
        bisect.insort(self.by_updated, (row.updated_ms, row.id))

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _add_relation(self, kind: str, issue_id: str, related_id: str) -> Relation:
        created = max(self.issues[issue_id].created_ms, self.issues[related_id].created_ms) + 1
        relation = Relation(self._uuid(), kind, issue_id, related_id, created)
        self.relations[relation.id] = relation
        self.issues[issue_id].relation_ids.append(relation.id)
        self.issues[related_id].inverse_ids.append(relation.id)
        return relation

    def _generate(self, size: int) -> None:
        rng = self._rng
        initiatives = [self._make_initiative() for _ in range(max(2, size * 3 // 1000))]
        for initiative in initiatives[2:]:
            if rng.random() < 0.3:
                initiative.parent_id = rng.choice(initiatives[:2]).id
        projects = [self._make_project(initiatives) for _ in range(max(4, size * 3 // 100))]
        projects[-1].archived_ms = projects[-1].updated_ms
        stamps = self._distinct_stamps(size)
        for _ in range(size):
            self._make_issue(projects, stamps.pop())
        rows = list(self.issues.values())
        for row in rows:
            if rng.random() < 0.05:
                parent = rng.choice(rows)
                if parent.id != row.id and parent.parent_id is None:
                    row.parent_id = parent.id
        self._make_relations(rows)
        for _ in range(max(1, len(projects) // 10)):
            source, target = rng.sample(projects, 2)
            relation = ProjectRelation(
                self._uuid(), source.id, target.id, source.created_ms, rng.choice(self.users).id
            )
            self.project_relations[relation.id] = relation
        self.by_updated = sorted((row.updated_ms, row.id) for row in self.issues.values())
        self.by_created = sorted((row.created_ms, row.id) for row in self.issues.values())
        self._ids_by_identifier = {row.identifier: row.id for row in self.issues.values()}

    def _distinct_stamps(self, count: int) -> list[int]:
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(REFERENCE_NOW_MS - 1 - self._rng.randrange(700 * DAY_MS))
        stamps = sorted(chosen)
        self._rng.shuffle(stamps)
        return stamps

    def _times(self) -> tuple[int, int]:
        updated = REFERENCE_NOW_MS - 1 - self._rng.randrange(400 * DAY_MS)
        return updated - 1 - self._rng.randrange(300 * DAY_MS), updated

    def _make_initiative(self) -> InitiativeRow:
        rng = self._rng
        created, updated = self._times()
        # Linear derives an initiative's slug from its name, as it does a project's.
        name = f"{rng.choice(_VERBS)} {rng.choice(COMPONENT_NAMES)}"
        status = rng.choice(INITIATIVE_STATUSES)
        row = InitiativeRow(
            id=self._uuid(),
            name=name,
            slug_id=f"{name.lower().replace(' ', '-')}-{rng.getrandbits(48):012x}",
            description="Why this matters and what done looks like."
            if rng.random() < 0.7
            else None,
            status=status,
            health=rng.choice(HEALTHS) if status == "Active" else None,
            target_date=day(updated + rng.randrange(30, 200) * DAY_MS)
            if rng.random() < 0.7
            else None,
            owner_id=rng.choice(self.users).id,
            parent_id=None,
            created_ms=created,
            updated_ms=updated,
            completed_ms=updated if status == "Completed" else None,
            canceled_ms=updated if status == "Canceled" else None,
        )
        self.initiatives[row.id] = row
        return row

    def _make_project(self, initiatives: list[InitiativeRow]) -> ProjectRow:
        rng = self._rng
        created, updated = self._times()
        draw = rng.random()
        chosen = () if draw < 0.15 else rng.sample(initiatives, 2 if draw > 0.95 else 1)
        status = rng.choices(PROJECT_STATUSES, (10, 20, 40, 5, 20, 5))[0]
        name = f"{rng.choice(_VERBS)} {rng.choice(_WORDS)}"
        row = ProjectRow(
            id=self._uuid(),
            name=name,
            slug_id=f"{rng.getrandbits(48):012x}",
            description=f"{name}: scope and rollout plan.",
            status=status,
            health=rng.choice(HEALTHS) if status[1] == "started" else None,
            start_date=day(created + rng.randrange(20) * DAY_MS) if rng.random() < 0.7 else None,
            target_date=day(updated + rng.randrange(20, 120) * DAY_MS)
            if rng.random() < 0.7
            else None,
            lead_id=rng.choice(self.users).id if rng.random() < 0.8 else None,
            team_ids=tuple(t.id for t in rng.sample(self.teams, 1 + (rng.random() < 0.2))),
            initiative_ids=tuple(i.id for i in chosen),
            created_ms=created,
            updated_ms=updated,
            completed_ms=updated if status[1] == "completed" else None,
            canceled_ms=updated if status[1] == "canceled" else None,
        )
        self.projects[row.id] = row
        for index in range(rng.randrange(3)):
            milestone = Milestone(
                self._uuid(),
                f"M{index + 1}",
                row.id,
                row.target_date,
                row.created_ms,
                sort_order=float(index + 1),
            )
            self.milestones[milestone.id] = milestone
            row.milestone_ids.append(milestone.id)
        return row

    def _make_issue(self, projects: list[ProjectRow], updated: int) -> None:
        rng = self._rng
        project = rng.choice(projects) if rng.random() < 0.85 else None
        team = self.team(rng.choice(project.team_ids)) if project else rng.choice(self.teams)
        state = rng.choices(self.states[team.id], STATE_WEIGHTS)[0]
        created = updated - 1 - rng.randrange(300 * DAY_MS)
        labels = [self.labels[2 + (rng.random() < 0.5)]] if rng.random() < 0.5 else []
        if rng.random() < 0.1:
            labels.append(rng.choice(self.labels[:2]))
        if rng.random() < 0.6:
            labels.append(rng.choice(self.labels[4:]))
        component = rng.choice(COMPONENT_NAMES)
        number = self._numbers.get(team.id, 0) + 1
        self._numbers[team.id] = number
        done = state.type == "completed"
        closed = state.type in ("canceled", "duplicate")
        row = IssueRow(
            id=self._uuid(),
            number=number,
            team=team,
            title=f"{rng.choice(_VERBS)} {rng.choice(_WORDS)} in {component}",
            description=f"Work on {component}." if rng.random() < 0.8 else None,
            priority=rng.choice((0, 1, 2, 2, 3, 3, 4)),
            estimate=float(rng.choice((1, 2, 3, 5, 8))) if rng.random() < 0.6 else None,
            due_date=day(created + rng.randrange(14, 120) * DAY_MS) if rng.random() < 0.3 else None,
            state=state,
            parent_id=None,
            project_id=project.id if project else None,
            milestone_id=rng.choice(project.milestone_ids)
            if project and project.milestone_ids and rng.random() < 0.5
            else None,
            assignee_id=rng.choice(self.users).id if rng.random() < 0.75 else None,
            label_ids=tuple(dict.fromkeys(label.id for label in labels)),
            created_ms=created,
            updated_ms=updated,
            started_ms=created + 1 if state.type in ("started", "completed") else None,
            completed_ms=updated if done else None,
            canceled_ms=updated if closed else None,
        )
        if (done or closed) and rng.random() < 0.2:
            row.archived_ms = updated
        elif rng.random() < 0.01:
            row.trashed, row.archived_ms = True, updated
        self.issues[row.id] = row
        if project:
            project.issue_ids.append(row.id)

    def _make_relations(self, rows: list[IssueRow]) -> None:
        rng = self._rng
        if len(rows) < 2:
            return
        seen: set[tuple[str, str]] = set()
        plan = (("blocks", len(rows) * 8 // 100), ("related", len(rows) // 50))
        for kind, count in (*plan, ("duplicate", len(rows) // 200)):
            for _ in range(max(1, count)):
                source, target = rng.sample(rows, 2)
                if (source.id, target.id) in seen or (target.id, source.id) in seen:
                    continue
                seen.add((source.id, target.id))
                self._add_relation(kind, source.id, target.id)
