"""GitHub Projects (v2) inside the simulated organisation: projects, fields, items, status updates.

A project belongs to the organisation or to one of its users and is found by (owner, number).
Every project starts with GitHub's built-in ``Title`` and ``Status`` (Todo, In Progress, Done)
fields; custom fields are DATE, TEXT, NUMBER, SINGLE_SELECT or ITERATION. Items keep the order
they were added in (GitHub's POSITION order). Every edit stamps the item's and the project's
``updated_at`` from the world's clock; status updates stamp the project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from simulators.github_ids import node_id
from simulators.github_rows import GitHubClock, IssueRow, User

FIELD_TYPES = ("DATE", "TEXT", "NUMBER", "SINGLE_SELECT", "ITERATION")
STATUSES = ("ON_TRACK", "AT_RISK", "OFF_TRACK", "COMPLETE", "INACTIVE")
COLORS = ("GRAY", "BLUE", "GREEN", "YELLOW", "ORANGE", "RED", "PINK", "PURPLE")
DEFAULT_STATUS_OPTIONS = ("Todo", "In Progress", "Done")
_FIELD_PREFIX = {"SINGLE_SELECT": "PVTSSF", "ITERATION": "PVTIF"}
FieldValueData = date | str | float


def short_id(seq: int) -> str:
    """The 8-hex-digit ids GitHub gives single-select options and iterations."""
    return f"{seq * 2_654_435_761 % 2**32:08x}"


@dataclass(frozen=True, slots=True)
class FieldOption:
    id: str
    name: str
    color: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Iteration:
    id: str
    title: str
    start_date: date
    duration: int

    def ended_by(self, today: date) -> bool:
        return self.start_date + timedelta(days=self.duration) <= today


StoredValue = date | str | float | FieldOption | Iteration


@dataclass(slots=True)
class ProjectField:
    id: int
    project_id: int
    name: str
    data_type: str
    created_at: int
    updated_at: int
    options: list[FieldOption] = field(default_factory=list)
    iterations: list[Iteration] = field(default_factory=list)
    duration: int = 14

    @property
    def node_id(self) -> str:
        return node_id(_FIELD_PREFIX.get(self.data_type, "PVTF"), self.project_id, self.id)


@dataclass(slots=True)
class FieldValue:
    id: int
    field: ProjectField
    value: StoredValue
    created_at: int
    updated_at: int


@dataclass(slots=True)
class Draft:
    id: int
    title: str
    body: str
    creator: User
    created_at: int
    updated_at: int


@dataclass(slots=True)
class ProjectItem:
    """One card: an issue, a pull request, a draft, or content the viewer may not see."""

    id: int
    project: Project
    type: str
    row: IssueRow | None
    draft: Draft | None
    creator: User
    created_at: int
    updated_at: int
    archived: bool = False
    values: dict[int, FieldValue] = field(default_factory=dict)

    @property
    def node_id(self) -> str:
        return node_id("PVTI", self.project.id, self.id)


@dataclass(slots=True)
class StatusUpdate:
    id: int
    project_id: int
    status: str | None
    body: str
    start_date: date | None
    target_date: date | None
    creator: User
    created_at: int
    updated_at: int


@dataclass(slots=True)
class Project:
    id: int
    owner: str
    org: bool
    number: int
    title: str
    creator: User
    created_at: int
    updated_at: int
    closed_at: int | None = None
    short_description: str | None = None
    fields: list[ProjectField] = field(default_factory=list)
    items: list[ProjectItem] = field(default_factory=list)
    status_updates: list[StatusUpdate] = field(default_factory=list)

    @property
    def node_id(self) -> str:
        return node_id("PVT", self.id)

    def field_named(self, name: str) -> ProjectField | None:
        return next((each for each in self.fields if each.name == name), None)


class ProjectStore:
    """The projects of one world; the world's clock stamps every change."""

    def __init__(self, clock: GitHubClock, creator: User) -> None:
        self.clock = clock
        self.creator = creator
        self.projects: dict[tuple[str, int], Project] = {}
        self._next_id = 30_000_000

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock.now, UTC).date()

    def get(self, owner: str, number: int) -> Project:
        project = self.projects.get((owner, number))
        if project is None:
            raise KeyError(f"no project {owner}/{number}")
        return project

    def add_project(self, owner: str, number: int, title: str, *, org: bool) -> Project:
        if (owner, number) in self.projects:
            raise ValueError(f"project {owner}/{number} already exists")
        now = self.clock.stamp()
        project = Project(self._take(), owner, org, number, title, self.creator, now, now)
        self.projects[(owner, number)] = project
        self._new_field(project, "Title", "TITLE", now)
        status = self._new_field(project, "Status", "SINGLE_SELECT", now)
        status.options = self._options(DEFAULT_STATUS_OPTIONS)
        return project

    def add_field(
        self,
        project: Project,
        name: str,
        data_type: str,
        options: Sequence[str],
        iterations: Sequence[tuple[str, date, int]],
    ) -> ProjectField:
        if data_type not in FIELD_TYPES:
            raise ValueError(f"field type {data_type!r} is not one of {', '.join(FIELD_TYPES)}")
        if project.field_named(name) is not None:
            raise ValueError(f"project {project.owner}/{project.number} already has {name!r}")
        if (data_type == "SINGLE_SELECT") != bool(options):
            raise ValueError("options are given for, and only for, a SINGLE_SELECT field")
        if data_type != "ITERATION" and iterations:
            raise ValueError("iterations are given only for an ITERATION field")
        if any(duration < 1 for _, _, duration in iterations):
            raise ValueError("an iteration lasts at least one day")
        now = self.clock.stamp()
        created = self._new_field(project, name, data_type, now)
        created.options = self._options(options)
        created.iterations = [
            Iteration(short_id(self._take()), title, start, duration)
            for title, start, duration in iterations
        ]
        if iterations:
            created.duration = iterations[0][2]
        project.updated_at = now
        return created

    def add_item(
        self, project: Project, kind: str, row: IssueRow | None, draft: Draft | None
    ) -> ProjectItem:
        if row is not None and any(item.row is row for item in project.items):
            raise ValueError(f"{row.repo.full_name}#{row.number} is already in the project")
        now = self.clock.stamp() if draft is None else draft.created_at
        item = ProjectItem(self._take(), project, kind, row, draft, self.creator, now, now)
        project.items.append(item)
        project.updated_at = now
        return item

    def new_draft(self, title: str, body: str) -> Draft:
        now = self.clock.stamp()
        return Draft(self._take(), title, body, self.creator, now, now)

    def set_value(self, item: ProjectItem, name: str, value: FieldValueData | None) -> None:
        target = item.project.field_named(name)
        if target is None:
            raise KeyError(f"project {item.project.owner}/{item.project.number} has no {name!r}")
        stored = None if value is None else _coerce(target, value)
        now = self.clock.stamp()
        if stored is None:
            item.values.pop(target.id, None)
        elif target.id in item.values:
            existing = item.values[target.id]
            existing.value, existing.updated_at = stored, now
        else:
            item.values[target.id] = FieldValue(self._take(), target, stored, now, now)
        self.touch(item, now)

    def touch(self, item: ProjectItem, now: int | None = None) -> None:
        stamp = now if now is not None else self.clock.stamp()
        item.updated_at = item.project.updated_at = stamp

    def add_status_update(
        self,
        project: Project,
        status: str | None,
        body: str,
        start_date: date | None,
        target_date: date | None,
        creator: User | None,
    ) -> StatusUpdate:
        if status is not None and status not in STATUSES:
            raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        now = self.clock.stamp()
        update = StatusUpdate(
            self._take(),
            project.id,
            status,
            body,
            start_date,
            target_date,
            creator or self.creator,
            now,
            now,
        )
        project.status_updates.append(update)
        project.updated_at = now
        return update

    def _new_field(self, project: Project, name: str, data_type: str, now: int) -> ProjectField:
        created = ProjectField(self._take(), project.id, name, data_type, now, now)
        project.fields.append(created)
        return created

    def _options(self, names: Sequence[str]) -> list[FieldOption]:
        return [
            FieldOption(short_id(self._take()), name, COLORS[index % len(COLORS)])
            for index, name in enumerate(names)
        ]

    def _take(self) -> int:
        self._next_id += 1
        return self._next_id


def _coerce(target: ProjectField, value: FieldValueData) -> StoredValue:
    """The stored form of a value for ``target``, or ValueError saying what it expects."""
    kind = target.data_type
    parsers: dict[str, Callable[[FieldValueData], StoredValue | None]] = {
        "DATE": _as_date,
        "TEXT": lambda v: v if isinstance(v, str) else None,
        "NUMBER": lambda v: float(v) if isinstance(v, int | float) else None,
        "SINGLE_SELECT": lambda v: next((o for o in target.options if o.name == v), None),
        "ITERATION": lambda v: next(
            (it for it in target.iterations if v in (it.title, it.id)), None
        ),
    }
    parser = parsers.get(kind)
    parsed = parser(value) if parser else None
    if parsed is None:
        raise ValueError(f"{value!r} is not a value of the {kind} field {target.name!r}")
    return parsed


def _as_date(value: FieldValueData) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
