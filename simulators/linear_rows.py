"""Rows of a Linear workspace: teams, users, issues, projects and initiatives, and their plans
(milestones, cycles, status updates, project relations).

Rows are compact; times are epoch milliseconds, dates ``yyyy-mm-dd`` strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEALTHS: tuple[str, ...] = ("onTrack", "atRisk", "offTrack")
ANCHORS: tuple[str, ...] = ("start", "end", "milestone")


@dataclass(slots=True)
class Milestone:
    id: str
    name: str
    project_id: str
    target_date: str | None
    created_ms: int
    updated_ms: int = 0
    description: str | None = None
    sort_order: float = 0.0
    archived_ms: int | None = None
    trashed: bool = False

    def __post_init__(self) -> None:
        self.updated_ms = self.updated_ms or self.created_ms


@dataclass(slots=True)
class Cycle:
    """A team's time box ``[starts_ms, ends_ms)``; ``completed_ms`` once it has closed."""

    id: str
    team_id: str
    number: int
    name: str | None
    starts_ms: int
    ends_ms: int
    created_ms: int
    updated_ms: int
    description: str | None = None
    completed_ms: int | None = None
    archived_ms: int | None = None
    trashed: bool = False


@dataclass(slots=True)
class StatusUpdate:
    """A project's or initiative's status update: where Linear's declared health comes from."""

    id: str
    subject_id: str
    health: str
    body: str
    user_id: str
    slug_id: str
    created_ms: int
    updated_ms: int
    archived_ms: int | None = None
    trashed: bool = False


@dataclass(slots=True)
class ProjectRelation:
    """``project_id`` <type> ``related_id``; by default its end anchors the related one's start.

    An end anchored at a milestone has anchor type ``milestone`` and names that milestone.
    """

    id: str
    project_id: str
    related_id: str
    created_ms: int
    user_id: str
    type: str = "blocks"
    anchor_type: str = "end"
    related_anchor_type: str = "start"
    milestone_id: str | None = None
    related_milestone_id: str | None = None
    updated_ms: int = 0
    archived_ms: int | None = None
    trashed: bool = False

    def __post_init__(self) -> None:
        self.updated_ms = self.updated_ms or self.created_ms


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    key: str
    name: str
    created_ms: int
    timezone: str = "America/Los_Angeles"
    """Where the team's days (and its cycles' midnights) are; Linear's default."""


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class State:
    id: str
    name: str
    type: str
    position: float
    team_id: str


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    name: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class Relation:
    """``issue_id`` <type> ``related_id``; for blocks, the blocker is ``issue_id``."""

    id: str
    type: str
    issue_id: str
    related_id: str
    created_ms: int


@dataclass(slots=True)
class IssueRow:
    """One issue; dates are ``yyyy-mm-dd`` strings, times epoch milliseconds."""

    id: str
    number: int
    team: Team
    title: str
    description: str | None
    priority: int
    estimate: float | None
    due_date: str | None
    state: State
    parent_id: str | None
    project_id: str | None
    milestone_id: str | None
    assignee_id: str | None
    label_ids: tuple[str, ...]
    created_ms: int
    updated_ms: int
    started_ms: int | None = None
    completed_ms: int | None = None
    canceled_ms: int | None = None
    archived_ms: int | None = None
    trashed: bool = False
    cycle_id: str | None = None
    relation_ids: list[str] = field(default_factory=list)
    inverse_ids: list[str] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return f"{self.team.key}-{self.number}"


@dataclass(slots=True)
class ProjectRow:
    id: str
    name: str
    slug_id: str
    description: str
    status: tuple[str, str]
    health: str | None
    start_date: str | None
    target_date: str | None
    lead_id: str | None
    team_ids: tuple[str, ...]
    initiative_ids: tuple[str, ...]
    created_ms: int
    updated_ms: int
    completed_ms: int | None = None
    canceled_ms: int | None = None
    archived_ms: int | None = None
    trashed: bool = False
    health_updated_ms: int | None = None
    milestone_ids: list[str] = field(default_factory=list)
    issue_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class InitiativeRow:
    id: str
    name: str
    slug_id: str
    description: str | None
    status: str
    health: str | None
    target_date: str | None
    owner_id: str | None
    parent_id: str | None
    created_ms: int
    updated_ms: int
    completed_ms: int | None = None
    canceled_ms: int | None = None
    archived_ms: int | None = None
    trashed: bool = False
    health_updated_ms: int | None = None
