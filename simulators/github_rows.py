"""The rows of the simulated organisation (repositories, users, labels, milestones, issues) and its
clock; the world and its projects both build on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from simulators.github_ids import node_id
from simulators.world_common import REFERENCE_NOW_MS

REFERENCE_NOW = REFERENCE_NOW_MS // 1000


@dataclass(frozen=True, slots=True)
class Repo:
    id: int
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    login: str


@dataclass(frozen=True, slots=True)
class Label:
    id: int
    repo_id: int
    name: str
    color: str
    description: str | None
    default: bool


@dataclass(frozen=True, slots=True)
class Milestone:
    id: int
    repo_id: int
    number: int
    title: str
    description: str | None
    due_on: int
    created_at: int
    updated_at: int


@dataclass(slots=True)
class IssueRow:
    """One issue or pull request; times are epoch seconds."""

    id: int
    origin_repo_id: int
    repo: Repo
    number: int
    title: str
    body: str | None
    state: str
    state_reason: str | None
    labels: tuple[str, ...]
    assignees: tuple[User, ...]
    milestone: Milestone | None
    author: User
    comments: int
    created_at: int
    updated_at: int
    closed_at: int | None
    is_pull: bool = False
    merged_at: int | None = None
    locked: bool = False
    parent_id: int | None = None

    @property
    def node_id(self) -> str:
        """Fixed at creation: a transferred issue keeps the id it was born with."""
        return node_id("PR" if self.is_pull else "I", self.origin_repo_id, self.id)


class GitHubClock:
    """The organisation's "now" in epoch seconds; every mutation takes a strictly later second."""

    def __init__(self, now: int = REFERENCE_NOW) -> None:
        self.now = now

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0
    ) -> int:
        delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        self.now += int(delta.total_seconds())
        return self.now

    def stamp(self) -> int:
        self.now += 1
        return self.now
