"""A deterministic Jira site of a platform organisation, for the Jira simulator and tests.

``JiraWorld(size=n, seed=s)`` builds the same site for the same arguments:

- projects ``PLAT`` (Platform, id 10000) and ``PAY`` (Payments, id 10001) by default;
- ``n`` issues in total with ids from 10000: about 0.5% Initiatives (at least 2, hierarchy
  level 2), about 5% Epics (at least 4; most under an Initiative), the rest Stories, Tasks and
  Bugs (most under an Epic), and about 3% of those Sub-tasks under Stories;
- Blocks links touching about 10% of issues, some across projects, plus a few Relates links;
- components from ``COMPONENT_NAMES`` per project, labels including ``initiative:<slug>`` ones,
  fix versions, due dates, start dates (``customfield_10015``) and story points
  (``customfield_10016``);
- with ``plans=True``, what Jira Plans teams keep (``simulators.jira_plans``): Themes (hierarchy
  level 3) above most Initiatives, Target start/end dates, and two-week sprints per board that
  issues sit in (closed ones kept as history); the Plans field ids come from ``plan_fields``,
  drawn per seed unless given;
- created/updated times before ``REFERENCE_NOW_MS`` (2026-11-01T00:00:00Z), every ``updated``
  distinct and with a millisecond part, so (updated, id) order is total and stable.

Rows are compact; the simulator renders JSON per page. Mutations (``touch``, ``link``,
``set_target_dates``, ``assign_sprint``, ``set_fix_versions``, ``add_issue``...) stamp
``updated`` from ``clock``, which only moves forward: advance it to model time passing between
syncs. Sprint and version edits stamp no issue, as in Jira.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from simulators.jira_plans import (
    PlanFields,
    Sprint,
    calendar_date,
    checked_sprint,
    epoch_ms,
    plan_fields_for,
)
from simulators.world_common import (
    COMPONENT_NAMES,
    DAY_MS,
    REFERENCE_NOW_MS,
    Announcer,
    WorldClock,
    day,
)

START_DATE_FIELD = "customfield_10015"
STORY_POINTS_FIELD = "customfield_10016"

INITIATIVE_LABELS: tuple[str, ...] = (
    "initiative:payments-v2",
    "initiative:identity-next",
    "initiative:search-relevance",
    "initiative:cost-down",
)
PLAIN_LABELS: tuple[str, ...] = (
    "tech-debt",
    "security",
    "customer-facing",
    "q4-commit",
    "platform",
    "performance",
)


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class IssueType:
    id: int
    name: str
    hierarchy_level: int

    @property
    def subtask(self) -> bool:
        return self.hierarchy_level < 0


@dataclass(frozen=True, slots=True)
class Status:
    id: int
    name: str
    category: str
    resolution: str | None


@dataclass(frozen=True, slots=True)
class Person:
    account_id: str
    display_name: str
    email: str | None
    time_zone: str


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    name: str
    released: bool
    release_date: str | None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class LinkType:
    id: int
    name: str
    inward: str
    outward: str


@dataclass(frozen=True, slots=True)
class Link:
    """``outward_id`` <outward verb> ``inward_id``; for Blocks, the blocker is ``outward_id``."""

    id: int
    type: LinkType
    outward_id: int
    inward_id: int


THEME = IssueType(10101, "Theme", 3)
INITIATIVE = IssueType(10100, "Initiative", 2)
EPIC = IssueType(10000, "Epic", 1)
STORY = IssueType(10001, "Story", 0)
TASK = IssueType(10002, "Task", 0)
BUG = IssueType(10004, "Bug", 0)
SUBTASK = IssueType(10003, "Sub-task", -1)
ISSUE_TYPES: tuple[IssueType, ...] = (THEME, INITIATIVE, EPIC, STORY, TASK, BUG, SUBTASK)

STATUSES: tuple[Status, ...] = (
    Status(10000, "To Do", "new", None),
    Status(3, "In Progress", "indeterminate", None),
    Status(10001, "In Review", "indeterminate", None),
    Status(10002, "Done", "done", "Done"),
    Status(10003, "Won't Do", "done", "Won't Do"),
)
STATUS_WEIGHTS: tuple[int, ...] = (35, 25, 8, 28, 4)
PRIORITIES: tuple[str, ...] = ("Highest", "High", "Medium", "Low", "Lowest")
PRIORITY_WEIGHTS: tuple[int, ...] = (5, 20, 50, 20, 5)

BLOCKS = LinkType(10000, "Blocks", "is blocked by", "blocks")
DUPLICATE = LinkType(10002, "Duplicate", "is duplicated by", "duplicates")
RELATES = LinkType(10003, "Relates", "relates to", "relates to")
LINK_TYPES: tuple[LinkType, ...] = (BLOCKS, DUPLICATE, RELATES)

_FIRST_NAMES = (
    "Ava",
    "Noah",
    "Mia",
    "Liam",
    "Zoe",
    "Ethan",
    "Isla",
    "Leo",
    "Chloe",
    "Kai",
    "Ruby",
    "Arjun",
    "Mei",
    "Tomás",
    "Priya",
    "Olu",
)
_LAST_NAMES = (
    "Nguyen",
    "Smith",
    "Patel",
    "Kowalski",
    "Okafor",
    "Garcia",
    "Chen",
    "Müller",
    "Haddad",
    "Brown",
    "Tanaka",
    "Silva",
)
_TIME_ZONES = ("Australia/Sydney", "Europe/Berlin", "America/New_York", "Asia/Singapore", "UTC")
_VERBS = (
    "Migrate",
    "Harden",
    "Add",
    "Fix",
    "Refactor",
    "Instrument",
    "Deprecate",
    "Speed up",
    "Document",
    "Load-test",
    "Split",
    "Automate",
)
_OBJECTS = (
    "retry policy",
    "token refresh",
    "webhook delivery",
    "rate limiter",
    "schema migration",
    "audit log",
    "cache layer",
    "settlement batch",
    "search index",
    "SLO dashboards",
    "feature flag cleanup",
    "idempotency keys",
    "dead-letter queue",
    "tenant isolation",
)


@dataclass(slots=True)
class IssueRow:
    """One issue, stored compactly; dates are ``yyyy-mm-dd`` strings, times epoch milliseconds."""

    id: int
    key: str
    project: Project
    issue_type: IssueType
    summary: str
    description: str | None
    status: Status
    priority: str
    parent_id: int | None
    components: tuple[str, ...]
    labels: tuple[str, ...]
    fix_versions: tuple[Version, ...]
    due_date: str | None
    start_date: str | None
    story_points: float | None
    assignee: Person | None
    reporter: Person
    created_ms: int
    updated_ms: int
    resolved_ms: int | None
    link_ids: list[int] = field(default_factory=list)
    target_start: str | None = None
    target_end: str | None = None
    sprint_ids: tuple[int, ...] = ()


class JiraWorld:
    """The issues, links and catalogues of one Jira site, with mutations for tests."""

    def __init__(
        self,
        size: int = 1000,
        *,
        seed: int = 7,
        projects: Sequence[str] = ("PLAT", "PAY"),
        plans: bool = False,
        plan_fields: PlanFields | None = None,
    ) -> None:
        self.changes = Announcer()
        """Told every change made through the methods below (``simulators.webhooks``)."""
        self.clock = WorldClock()
        self.plan_fields = plan_fields or plan_fields_for(seed)
        self.sprints: dict[int, Sprint] = {}
        self.projects: dict[str, Project] = {
            key: Project(10000 + index, key, _project_name(key))
            for index, key in enumerate(projects)
        }
        self._rng = random.Random(seed)
        self.people = self._make_people()
        self.versions = self._make_versions()
        self._rows: dict[int, IssueRow] = {}
        self._ids_by_key: dict[str, int] = {}
        self._children: dict[int, list[int]] = {}
        self._order: list[tuple[int, int]] = []
        self._links: dict[int, Link] = {}
        self._next_id = 10000
        self._next_link_id = 10000
        self._next_number = dict.fromkeys(self.projects, 1)
        self._generate(size)
        if plans:
            self._generate_plans(random.Random(f"jira-plans:{seed}"))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[IssueRow]:
        return self.scan()

    def issue(self, key_or_id: str | int) -> IssueRow | None:
        """The live issue with this key or numeric id, or None when absent or deleted."""
        text = str(key_or_id)
        issue_id = int(text) if text.isdigit() else self._ids_by_key.get(text.upper())
        return self._rows.get(issue_id) if issue_id is not None else None

    def require(self, key_or_id: str | int) -> IssueRow:
        row = self.issue(key_or_id)
        if row is None:
            raise KeyError(f"no live issue {key_or_id!r}")
        return row

    def children(self, issue_id: int) -> list[IssueRow]:
        return [self._rows[child] for child in self._children.get(issue_id, ())]

    def links_of(self, row: IssueRow) -> list[Link]:
        return [self._links[link_id] for link_id in row.link_ids]

    def scan(
        self,
        *,
        descending: bool = False,
        after: tuple[int, int] | None = None,
        updated_from: int | None = None,
    ) -> Iterator[IssueRow]:
        """Live issues in (updated, id) order, strictly past ``after``, from ``updated_from`` on.

        Iterates a snapshot so callers may mutate the world while paging, like a real search.
        """
        order = self._order
        if descending:
            stop = bisect.bisect_left(order, after) if after else len(order)
            start = bisect.bisect_left(order, (updated_from, 0)) if updated_from is not None else 0
            window = order[start:stop]
            window.reverse()
        else:
            start = bisect.bisect_right(order, after) if after else 0
            if updated_from is not None:
                start = max(start, bisect.bisect_left(order, (updated_from, 0)))
            window = order[start:]
        for _, issue_id in window:
            row = self._rows.get(issue_id)
            if row is not None:
                yield row

    def touch(self, key: str, **changes: object) -> IssueRow:
        """Edit an issue as a user would and bump its ``updated``.

        Accepted changes: summary, description, status (name), priority, labels, due_date,
        start_date, story_points, assignee (accountId or None), parent (key or None), components.
        """
        row = self.require(key)
        for name, value in changes.items():
            self._apply(row, name, value)
        self._bump(row)
        self.changes.announce("jira:issue_updated", "", row, fields=tuple(changes))
        return row

    def link(self, blocker_key: str, blocked_key: str, link_type: str = "Blocks") -> Link:
        """Record that ``blocker_key`` blocks ``blocked_key``; both issues count as updated."""
        kind = next(t for t in LINK_TYPES if t.name == link_type)
        blocker, blocked = self.require(blocker_key), self.require(blocked_key)
        link = self._add_link(kind, blocker.id, blocked.id)
        self._bump(blocker)
        self._bump(blocked)
        self.changes.announce("issuelink_created", "", link)
        return link

    def delete(self, key: str) -> None:
        """Delete an issue and its sub-tasks; other children lose their parent, links vanish.

        Nothing else is stamped: like Jira, a deletion is invisible to incremental search.
        """
        row = self.require(key)
        self.changes.announce("jira:issue_deleted", "", row)
        for child in self.children(row.id):
            if child.issue_type.subtask:
                self.delete(child.key)
            else:
                child.parent_id = None
        for link in self.links_of(row):
            self._remove_link(link)
        if row.parent_id is not None:
            self._children[row.parent_id].remove(row.id)
        self._children.pop(row.id, None)
        del self._rows[row.id]
        del self._ids_by_key[row.key]
        self._order.pop(bisect.bisect_left(self._order, (row.updated_ms, row.id)))

    def set_target_dates(
        self, key: str, start: date | str | None, end: date | str | None
    ) -> IssueRow:
        """Set the Plans ``Target start``/``Target end`` (None clears one) and bump ``updated``."""
        row = self.require(key)
        start_text, end_text = calendar_date(start), calendar_date(end)
        if start_text and end_text and end_text < start_text:
            raise ValueError(f"{key}: target end {end_text} is before target start {start_text}")
        row.target_start, row.target_end = start_text, end_text
        self._bump(row)
        return row

    def add_sprint(
        self,
        name: str,
        *,
        state: str = "future",
        start: datetime | int | None = None,
        end: datetime | int | None = None,
        complete: datetime | int | None = None,
        board_id: int = 1,
        goal: str = "",
    ) -> Sprint:
        """A new sprint on ``board_id``; times are aware datetimes or epoch milliseconds."""
        sprint = checked_sprint(
            Sprint(
                max(self.sprints, default=0) + 1,
                name,
                state,
                board_id,
                goal,
                epoch_ms(start),
                epoch_ms(end),
                epoch_ms(complete),
            )
        )
        self.sprints[sprint.id] = sprint
        return sprint

    def update_sprint(self, sprint_id: int, **changes: object) -> Sprint:
        """Change a sprint (name, state, goal, start, end, complete) without touching its issues.

        As in Jira, editing or closing a sprint stamps none of its issues' ``updated``, so
        incremental JQL does not see it.
        """
        sprint = self._sprint(sprint_id)
        times = {"start": "start_ms", "end": "end_ms", "complete": "complete_ms"}
        fields: dict[str, Any] = {}
        for name, value in changes.items():
            if name in times:
                fields[times[name]] = epoch_ms(cast("datetime | int | None", value))
            elif name in ("name", "state", "goal"):
                fields[name] = value
            else:
                raise TypeError(f"update_sprint() cannot change {name!r}")
        updated = checked_sprint(replace(sprint, **fields))
        self.sprints[sprint_id] = updated
        return updated

    def assign_sprint(self, key: str, sprint_id: int | None) -> IssueRow:
        """Put an issue in a sprint, as a board does, and bump ``updated``.

        A future or active sprint replaces the issue's open one; closed sprints stay as its
        history (Jira lists every sprint an issue was in). ``None`` takes it out of its open one.
        """
        row = self.require(key)
        sprint = self._sprint(sprint_id) if sprint_id is not None else None
        kept = [s for s in row.sprint_ids if self.sprints[s].state == "closed"]
        if sprint is not None and sprint.id not in kept:
            kept.append(sprint.id)
        row.sprint_ids = tuple(kept)
        self._bump(row)
        return row

    def add_version(
        self,
        name: str,
        *,
        release_date: date | str | None = None,
        released: bool = False,
        archived: bool = False,
    ) -> Version:
        """A new version (release) the site's issues can name as a fix version."""
        if not name.strip() or any(v.name == name for v in self.versions):
            raise ValueError(f"a version needs a new, non-empty name: {name!r}")
        version = Version(
            max(v.id for v in self.versions) + 1,
            name,
            released,
            calendar_date(release_date),
            archived,
        )
        self.versions.append(version)
        return version

    def set_fix_versions(self, key: str, versions: Sequence[int | str]) -> IssueRow:
        """Set an issue's fix versions, named by id or name, and bump ``updated``."""
        row = self.require(key)
        by_ref = {ref: v for v in self.versions for ref in (v.id, str(v.id), v.name)}
        unknown = [ref for ref in versions if ref not in by_ref]
        if unknown:
            raise KeyError(f"no version {unknown[0]!r}")
        row.fix_versions = tuple(dict.fromkeys(by_ref[ref] for ref in versions))
        self._bump(row)
        return row

    def add_issue(
        self, issue_type: str, summary: str, *, project: str, parent: str | None = None
    ) -> IssueRow:
        """Create an issue now; a parent must sit exactly one hierarchy level above, as in Jira."""
        kind = next((t for t in ISSUE_TYPES if t.name == issue_type), None)
        if kind is None:
            raise ValueError(f"no issue type {issue_type!r}")
        if project not in self.projects:
            raise KeyError(f"no project {project!r}")
        parent_row = self.require(parent) if parent else None
        if parent_row is not None:
            self._check_parent(kind, parent_row)
        now = self.clock.stamp()
        row = self._new_issue(kind, summary, self.projects[project], parent_row, now, now)
        self.changes.announce("jira:issue_created", "", row)
        return row

    def add_theme(
        self, summary: str, *, project: str | None = None, initiatives: Sequence[str] = ()
    ) -> IssueRow:
        """A Theme (hierarchy level 3) that becomes the parent of ``initiatives``, each bumped."""
        children = [self.require(key) for key in initiatives]
        for child in children:
            self._check_parent(child.issue_type, THEME)
        theme = self.add_issue("Theme", summary, project=project or next(iter(self.projects)))
        for child in children:
            self._set_parent(child, theme.id)
            self._bump(child)
        return theme

    def _new_issue(
        self,
        kind: IssueType,
        summary: str,
        project: Project,
        parent: IssueRow | None,
        created_ms: int,
        updated_ms: int,
    ) -> IssueRow:
        row = IssueRow(
            id=0,
            key="",
            project=project,
            issue_type=kind,
            summary=summary,
            description=None,
            status=STATUSES[0],
            priority="Medium",
            parent_id=parent.id if parent else None,
            components=(),
            labels=(),
            fix_versions=(),
            due_date=None,
            start_date=None,
            story_points=None,
            assignee=None,
            reporter=self.people[0],
            created_ms=created_ms,
            updated_ms=updated_ms,
            resolved_ms=None,
        )
        self._add(row)
        bisect.insort(self._order, (row.updated_ms, row.id))
        return row

    def _check_parent(self, kind: IssueType, parent: IssueRow | IssueType) -> None:
        parent_kind = parent if isinstance(parent, IssueType) else parent.issue_type
        if parent_kind.hierarchy_level != kind.hierarchy_level + 1:
            raise ValueError(
                f"a {kind.name} (level {kind.hierarchy_level}) cannot have a "
                f"{parent_kind.name} (level {parent_kind.hierarchy_level}) as parent"
            )

    def _sprint(self, sprint_id: int) -> Sprint:
        sprint = self.sprints.get(sprint_id)
        if sprint is None:
            raise KeyError(f"no sprint {sprint_id}")
        return sprint

    def _apply(self, row: IssueRow, name: str, value: object) -> None:
        if name == "status":
            status = next(s for s in STATUSES if s.name == value)
            row.status = status
            row.resolved_ms = self.clock.now_ms if status.resolution else None
        elif name == "assignee":
            row.assignee = next(p for p in self.people if p.account_id == value) if value else None
        elif name == "parent":
            self._set_parent(row, self.require(str(value)).id if value else None)
        elif name in ("labels", "components"):
            setattr(row, name, tuple(cast(Iterable[str], value)))
        elif name in (
            "summary",
            "description",
            "priority",
            "due_date",
            "start_date",
            "story_points",
        ):
            setattr(row, name, value)
        else:
            raise TypeError(f"touch() cannot change {name!r}")

    def _set_parent(self, row: IssueRow, parent_id: int | None) -> None:
        if row.parent_id is not None:
            self._children[row.parent_id].remove(row.id)
        row.parent_id = parent_id
        if parent_id is not None:
            self._children.setdefault(parent_id, []).append(row.id)

    def _bump(self, row: IssueRow) -> None:
        self._order.pop(bisect.bisect_left(self._order, (row.updated_ms, row.id)))
        row.updated_ms = self.clock.stamp()
        bisect.insort(self._order, (row.updated_ms, row.id))

    def _add(self, row: IssueRow) -> None:
        row.id = self._next_id
        self._next_id += 1
        number = self._next_number[row.project.key]
        self._next_number[row.project.key] = number + 1
        row.key = f"{row.project.key}-{number}"
        self._rows[row.id] = row
        self._ids_by_key[row.key] = row.id
        if row.parent_id is not None:
            self._children.setdefault(row.parent_id, []).append(row.id)

    def _add_link(self, kind: LinkType, outward_id: int, inward_id: int) -> Link:
        link = Link(self._next_link_id, kind, outward_id, inward_id)
        self._next_link_id += 1
        self._links[link.id] = link
        self._rows[outward_id].link_ids.append(link.id)
        self._rows[inward_id].link_ids.append(link.id)
        return link

    def _remove_link(self, link: Link) -> None:
        del self._links[link.id]
        for issue_id in (link.outward_id, link.inward_id):
            self._rows[issue_id].link_ids.remove(link.id)

    def _make_people(self) -> list[Person]:
        rng = self._rng
        people = []
        for index in range(24):
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            email = f"{first.lower()}.{last.lower()}@example.com" if rng.random() < 0.4 else None
            account_id = f"712020:{rng.getrandbits(128):032x}"
            people.append(
                Person(account_id, f"{first} {last}", email, _TIME_ZONES[index % len(_TIME_ZONES)])
            )
        return people

    def _make_versions(self) -> list[Version]:
        names = ("2026.Q2", "2026.Q3", "2026.Q4", "2027.Q1")
        dates = ("2026-06-30", "2026-09-30", "2026-12-31", "2027-03-31")
        return [
            Version(10000 + i, name, dates[i] < day(REFERENCE_NOW_MS), dates[i])
            for i, name in enumerate(names)
        ]

    def _generate(self, size: int) -> None:
        initiatives = min(max(2, size // 200), size)
        epics = min(max(4, size // 20), size - initiatives)
        rest = size - initiatives - epics
        subtasks = rest // 30 if rest > 1 else 0
        standard = rest - subtasks
        updated = self._distinct_update_times(size)
        initiative_ids = [
            self._generate_issue(INITIATIVE, None, updated.pop()) for _ in range(initiatives)
        ]
        epic_ids = [
            self._generate_issue(EPIC, self._maybe(initiative_ids, 0.85), updated.pop())
            for _ in range(epics)
        ]
        kinds = (STORY, STORY, STORY, TASK, TASK, BUG)
        story_ids: list[int] = []
        for _ in range(standard):
            kind = self._rng.choice(kinds)
            issue_id = self._generate_issue(kind, self._maybe(epic_ids, 0.9), updated.pop())
            if kind is STORY:
                story_ids.append(issue_id)
        for _ in range(subtasks):
            self._generate_issue(SUBTASK, self._rng.choice(story_ids), updated.pop())
        self._order = sorted((row.updated_ms, row.id) for row in self._rows.values())
        self._generate_links(size)

    def _distinct_update_times(self, count: int) -> list[int]:
        """Distinct ``updated`` stamps over the two years before the reference time."""
        rng = self._rng
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(REFERENCE_NOW_MS - 1 - rng.randrange(730 * DAY_MS))
        stamps = list(chosen)
        rng.shuffle(stamps)
        return stamps

    def _maybe(self, choices: list[int], probability: float) -> int | None:
        return self._rng.choice(choices) if choices and self._rng.random() < probability else None

    def _generate_issue(self, kind: IssueType, parent_id: int | None, updated_ms: int) -> int:
        rng = self._rng
        parent = self._rows.get(parent_id) if parent_id is not None else None
        project = (
            parent.project
            if parent and rng.random() < 0.9
            else rng.choice(list(self.projects.values()))
        )
        created_ms = updated_ms - 1 - rng.randrange(300 * DAY_MS)
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        component = rng.choice(COMPONENT_NAMES)
        summary = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} in {component}"
        big = kind.hierarchy_level >= 1
        start_ms = created_ms + rng.randrange(30) * DAY_MS
        row = IssueRow(
            id=0,
            key="",
            project=project,
            issue_type=kind,
            summary=summary,
            description=self._description(component) if rng.random() < 0.8 else None,
            status=status,
            priority=rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
            parent_id=parent.id if parent else None,
            components=(component,) if rng.random() < 0.85 else (),
            labels=self._labels(),
            fix_versions=(rng.choice(self.versions),) if rng.random() < 0.4 else (),
            due_date=day(start_ms + rng.randrange(14, 180) * DAY_MS)
            if rng.random() < (0.8 if big else 0.3)
            else None,
            start_date=day(start_ms) if rng.random() < (0.7 if big else 0.15) else None,
            story_points=float(rng.choice((1, 2, 3, 5, 8, 13)))
            if kind.hierarchy_level == 0 and rng.random() < 0.7
            else None,
            assignee=rng.choice(self.people) if rng.random() < 0.75 else None,
            reporter=rng.choice(self.people),
            created_ms=created_ms,
            updated_ms=updated_ms,
            resolved_ms=updated_ms if status.resolution else None,
        )
        self._add(row)
        return row.id

    def _description(self, component: str) -> str:
        rng = self._rng
        text = f"Work on {component}: {rng.choice(_OBJECTS)} needs attention before rollout."
        mention = rng.random()
        if mention < 0.02:
            text += f" Blocked by ENG-{rng.randrange(1, 400)}."
        elif mention < 0.03:
            text += f" See https://github.com/acme/{component}/issues/{rng.randrange(1, 900)}."
        return text

    def _labels(self) -> tuple[str, ...]:
        rng = self._rng
        labels = []
        if rng.random() < 0.1:
            labels.append(rng.choice(INITIATIVE_LABELS))
        if rng.random() < 0.3:
            labels.append(rng.choice(PLAIN_LABELS))
        return tuple(labels)

    def _generate_plans(self, rng: random.Random) -> None:
        """Themes, target dates and sprints from their own generator, leaving the rest as is."""
        self._generate_themes(rng)
        self._generate_sprints()
        for row in list(self._rows.values()):
            level = row.issue_type.hierarchy_level
            if rng.random() < (0.7 if level >= 1 else 0.15):
                start_ms = row.created_ms + rng.randrange(20) * DAY_MS
                row.target_start = day(start_ms)
                row.target_end = day(start_ms + rng.randrange(14, 120) * DAY_MS)
            if level == 0 and rng.random() < 0.5:
                row.sprint_ids = self._sprint_history(rng, row)

    def _generate_themes(self, rng: random.Random) -> None:
        initiatives = [row for row in self._rows.values() if row.issue_type is INITIATIVE]
        taken = {updated for updated, _ in self._order}
        themes = []
        for number in range(max(1, len(initiatives) // 2)):
            updated_ms = REFERENCE_NOW_MS - 1 - rng.randrange(365 * DAY_MS)
            while updated_ms in taken:
                updated_ms -= 1
            taken.add(updated_ms)
            created_ms = updated_ms - 1 - rng.randrange(200 * DAY_MS)
            summary = f"Theme {number + 1}: {rng.choice(_OBJECTS)} everywhere"
            project = rng.choice(list(self.projects.values()))
            themes.append(self._new_issue(THEME, summary, project, None, created_ms, updated_ms))
        for initiative in initiatives:
            if rng.random() < 0.8:
                self._set_parent(initiative, rng.choice(themes).id)

    def _generate_sprints(self) -> None:
        """Two-week sprints per board: six closed, one active at the reference time, two future."""
        for board_id, project in enumerate(self.projects.values(), start=1):
            first_ms = REFERENCE_NOW_MS - 5 * DAY_MS - 6 * 14 * DAY_MS
            for n in range(9):
                start_ms = first_ms + n * 14 * DAY_MS
                state = "closed" if n < 6 else "active" if n == 6 else "future"
                self.add_sprint(
                    f"{project.key} Sprint {n + 1}",
                    state=state,
                    start=start_ms if state != "future" else None,
                    end=start_ms + 14 * DAY_MS if state != "future" else None,
                    complete=start_ms + 14 * DAY_MS - 3_600_000 if state == "closed" else None,
                    board_id=board_id,
                    goal=f"Ship {project.name.lower()} increment {n + 1}",
                )

    def _sprint_history(self, rng: random.Random, row: IssueRow) -> tuple[int, ...]:
        board = list(self.projects).index(row.project.key) + 1
        sprints = [s for s in self.sprints.values() if s.board_id == board]
        closed = [s.id for s in sprints if s.state == "closed"]
        open_ = [s.id for s in sprints if s.state != "closed"]
        index = rng.randrange(1, len(closed))
        if row.status.category == "done":
            return (closed[index - 1], closed[index]) if rng.random() < 0.2 else (closed[index],)
        current = rng.choice(open_)
        return (closed[-1], current) if rng.random() < 0.3 else (current,)

    def _generate_links(self, size: int) -> None:
        rng = self._rng
        candidates = [row.id for row in self._rows.values() if row.issue_type is not INITIATIVE]
        if len(candidates) < 2:
            return
        seen: set[tuple[int, int]] = set()
        for kind, count in ((BLOCKS, max(1, size // 20)), (RELATES, max(1, size // 100))):
            for _ in range(count):
                outward_id, inward_id = rng.sample(candidates, 2)
                if (outward_id, inward_id) in seen or (inward_id, outward_id) in seen:
                    continue
                seen.add((outward_id, inward_id))
                self._add_link(kind, outward_id, inward_id)


def _project_name(key: str) -> str:
    return {"PLAT": "Platform", "PAY": "Payments"}.get(key, key.title())
