"""A deterministic GitHub organisation, for the GitHub simulator and tests.

``GitHubWorld(size=n, seed=s)`` builds the same organisation for the same arguments:

- owner ``acme`` (an organisation) with repositories ``payments-api``, ``identity`` and ``search``
  by default, repository ids from 700000001;
- ``n`` issues plus about 8% as many pull requests, sharing each repository's number sequence
  (numbers grow with ``created_at``, as on GitHub); database ids grow with creation too;
- about 5% of issues are epics: most have 2–8 sub-issues in the same repository, some only carry
  the ``epic`` label so far (and not every epic with sub-issues has the label);
- about 5% of issues are blocked by one or two others, some in other repositories, some closed;
- labels ``bug``, ``enhancement``, ``documentation``, ``epic``, the ``initiative:*`` labels and
  ``component:<name>`` for every name in ``COMPONENT_NAMES``; three milestones per repository;
- states open/closed with ``state_reason`` completed, not_planned, duplicate, reopened or null;
- no Projects (v2) until a test or the demo adds them: ``add_project``, ``add_project_field``,
  ``add_to_project`` (issues and pull requests), ``add_draft``, ``set_field_value``,
  ``add_status_update`` (see ``github_projects``);
- times in whole seconds before ``REFERENCE_NOW`` (2026-11-01T00:00:00Z), rendered like
  ``2026-10-30T12:34:56Z``.

Rows are compact; the simulator renders JSON per request. Every mutation stamps ``updated_at``
from ``clock`` (strictly later seconds) and bumps ``version`` so cached orderings are rebuilt.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar, cast

from simulators.github_ids import decode_node_id as decode_node_id
from simulators.github_ids import iso as iso
from simulators.github_ids import node_id as node_id
from simulators.github_projects import (
    FieldValueData,
    Project,
    ProjectField,
    ProjectItem,
    ProjectStore,
    StatusUpdate,
)
from simulators.github_rows import REFERENCE_NOW as _REFERENCE_NOW
from simulators.github_rows import GitHubClock as GitHubClock
from simulators.github_rows import IssueRow as IssueRow
from simulators.github_rows import Label as Label
from simulators.github_rows import Milestone as Milestone
from simulators.github_rows import Repo as Repo
from simulators.github_rows import User as User
from simulators.world_common import COMPONENT_NAMES, Announcer

T = TypeVar("T")

REFERENCE_NOW = _REFERENCE_NOW
DAY = 86_400
FIRST_REPO_ID = 700_000_001
FIRST_ISSUE_ID = 1_900_000_000

INITIATIVE_LABELS: tuple[str, ...] = ("initiative:payments-v2", "initiative:identity-next")
LABEL_COLORS: dict[str, tuple[str, str | None, bool]] = {
    "bug": ("d73a4a", "Something isn't working", True),
    "enhancement": ("a2eeef", "New feature or request", True),
    "documentation": ("0075ca", "Improvements or additions to documentation", True),
    "epic": ("3e4b9e", "A large piece of work split into sub-issues", False),
    **{name: ("5319e7", None, False) for name in INITIATIVE_LABELS},
    **{f"component:{name}": ("c5def5", None, False) for name in COMPONENT_NAMES},
}
LABEL_NAMES: tuple[str, ...] = tuple(LABEL_COLORS)

_LOGINS = (
    "ava-nguyen", "noah-smith", "mia-patel", "liam-kowalski", "zoe-okafor", "ethan-garcia",
    "isla-chen", "leo-muller", "chloe-haddad", "kai-brown", "ruby-tanaka", "arjun-silva",
    "mei-lin", "tomas-ruiz", "priya-iyer", "olu-adeyemi",
)  # fmt: skip
_VERBS = ("Migrate", "Harden", "Add", "Fix", "Refactor", "Instrument", "Deprecate", "Speed up")
_OBJECTS = (
    "retry policy", "token refresh", "webhook delivery", "rate limiter", "schema migration",
    "audit log", "cache layer", "settlement batch", "search index", "idempotency keys",
)  # fmt: skip


def _pick(rng: random.Random, choices: Sequence[T]) -> T:
    """``rng.choice`` as one ``random()`` draw: cheaper per call, and the worlds are built on it."""
    return choices[int(rng.random() * len(choices))]


def parse_key(key: str, owner: str) -> tuple[str, int]:
    """``"acme/payments-api#12"`` (or ``"payments-api#12"``) as (repository name, number)."""
    path, _, number = key.partition("#")
    repo_owner, _, name = path.rpartition("/")
    if (repo_owner and repo_owner != owner) or not number.isdigit():
        raise KeyError(f"not an issue key of {owner!r}: {key!r}")
    return name, int(number)


class GitHubWorld:
    """The repositories, issues, pull requests and relations of one organisation."""

    def __init__(
        self,
        size: int = 1000,
        *,
        seed: int = 7,
        owner: str = "acme",
        repos: Sequence[str] = ("payments-api", "identity", "search"),
    ) -> None:
        self.owner = owner
        self.changes = Announcer()
        """Told every change made through the methods below (``simulators.webhooks``)."""
        self.clock = GitHubClock()
        self.version = 0
        self.repos: dict[str, Repo] = {
            name: Repo(FIRST_REPO_ID + index, owner, name) for index, name in enumerate(repos)
        }
        self.repos_by_id = {repo.id: repo for repo in self.repos.values()}
        self._rng = random.Random(seed)
        self.users = [User(1_000_001 + 37 * index, login) for index, login in enumerate(_LOGINS)]
        self.labels: dict[tuple[int, str], Label] = {}
        self.milestones: dict[int, list[Milestone]] = {}
        self._rows: dict[int, IssueRow] = {}
        self._numbers: dict[tuple[int, int], int] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._moved: dict[tuple[int, int], int] = {}
        self._children: dict[int, list[int]] = {}
        self._blocked_by: dict[int, list[int]] = {}
        self._blocking: dict[int, list[int]] = {}
        self._next_number = dict.fromkeys(self.repos_by_id, 1)
        self._next_id = FIRST_ISSUE_ID
        self._milestone_counts: dict[int, list[int]] = {}
        self._counted_version = -1
        self._make_catalogues()
        self._generate(size)
        self.projects = ProjectStore(self.clock, self.users[0])

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[IssueRow]:
        return iter(list(self._rows.values()))

    def rows(self, repo: Repo) -> Iterator[IssueRow]:
        return (row for row in self._rows.values() if row.repo is repo)

    def by_id(self, issue_id: int) -> IssueRow | None:
        return self._rows.get(issue_id)

    def lookup(self, repo: Repo, number: int) -> IssueRow | None:
        issue_id = self._numbers.get((repo.id, number))
        return self._rows.get(issue_id) if issue_id is not None else None

    def is_deleted(self, repo: Repo, number: int) -> bool:
        return (repo.id, number) in self._deleted

    def moved_to(self, repo: Repo, number: int) -> IssueRow | None:
        """Where a transferred issue lives now, or None if it never moved out of ``repo``."""
        issue_id = self._moved.get((repo.id, number))
        return self._rows.get(issue_id) if issue_id is not None else None

    def issue(self, key: str) -> IssueRow | None:
        name, number = parse_key(key, self.owner)
        repo = self.repos.get(name)
        return self.lookup(repo, number) if repo else None

    def require(self, key: str) -> IssueRow:
        row = self.issue(key)
        if row is None:
            raise KeyError(f"no live issue {key!r}")
        return row

    def key(self, row: IssueRow) -> str:
        return f"{row.repo.full_name}#{row.number}"

    def label(self, repo: Repo, name: str) -> Label:
        """The repository's label of that name, created on first use as GitHub does on edit."""
        label = self.labels.get((repo.id, name))
        if label is None:
            label_id = 4_100_000_000 + len(self.labels)
            label = Label(label_id, repo.id, name, "ededed", None, False)
            self.labels[(repo.id, name)] = label
        return label

    def children(self, row: IssueRow) -> list[IssueRow]:
        return [self._rows[child] for child in self._children.get(row.id, ())]

    def parent(self, row: IssueRow) -> IssueRow | None:
        return self._rows.get(row.parent_id) if row.parent_id is not None else None

    def blocked_by(self, row: IssueRow) -> list[IssueRow]:
        return [self._rows[other] for other in self._blocked_by.get(row.id, ())]

    def blocking(self, row: IssueRow) -> list[IssueRow]:
        return [self._rows[other] for other in self._blocking.get(row.id, ())]

    def sub_issues_summary(self, row: IssueRow) -> tuple[int, int]:
        """(total, completed) sub-issues; completed means closed."""
        children = self._children.get(row.id, ())
        return len(children), sum(self._rows[c].state == "closed" for c in children)

    def dependencies_summary(self, row: IssueRow) -> tuple[int, int, int, int]:
        """(open blockers, open blocked, all blockers, all blocked), as GitHub counts them."""
        blockers, blocked = self.blocked_by(row), self.blocking(row)
        return (
            sum(other.state == "open" for other in blockers),
            sum(other.state == "open" for other in blocked),
            len(blockers),
            len(blocked),
        )

    def milestone_counts(self, milestone: Milestone) -> tuple[int, int]:
        """(open, closed) issues in the milestone."""
        if self._counted_version != self.version:
            self._milestone_counts.clear()
            for row in self._rows.values():
                if row.milestone is not None:
                    counts = self._milestone_counts.setdefault(row.milestone.id, [0, 0])
                    counts[row.state == "closed"] += 1
            self._counted_version = self.version
        open_count, closed_count = self._milestone_counts.get(milestone.id, (0, 0))
        return open_count, closed_count

    def touch(self, key: str, **changes: object) -> IssueRow:
        """Edit an issue as a user would and bump its ``updated_at``.

        Accepted changes: title, body, state, state_reason, labels (names), assignees (logins),
        milestone (number or None). Closing sets ``closed_at``; reopening clears it.
        """
        row = self.require(key)
        was = row.state
        for name, value in changes.items():
            self._apply(row, name, value)
        self._bump(row)
        action = "edited" if row.state == was else "closed" if row.state == "closed" else "reopened"
        self.changes.announce("issue", action, row)
        return row

    def replan_milestones(self, plan: Sequence[tuple[str, int]]) -> None:
        """Give every repository's milestones new titles and due times (epoch seconds), in
        order of number, as a maintainer would at the start of a quarter; issues keep theirs."""
        for repo_id, milestones in self.milestones.items():
            replanned = [
                replace(milestone, title=title, due_on=due_on, updated_at=self.clock.stamp())
                for milestone, (title, due_on) in zip(milestones, plan, strict=True)
            ]
            self.milestones[repo_id] = replanned
            by_id = {milestone.id: milestone for milestone in replanned}
            for row in self._rows.values():
                if row.milestone is not None and row.milestone.id in by_id:
                    row.milestone = by_id[row.milestone.id]
        self.version += 1

    def add_dependency(self, blocker_key: str, blocked_key: str) -> None:
        """Record that ``blocker_key`` blocks ``blocked_key``; both count as updated."""
        blocker, blocked = self.require(blocker_key), self.require(blocked_key)
        self._link(blocker.id, blocked.id)
        self._bump(blocker)
        self._bump(blocked)
        self.changes.announce("dependency", "added", (blocker, blocked))

    def remove_dependency(self, blocker_key: str, blocked_key: str) -> None:
        blocker, blocked = self.require(blocker_key), self.require(blocked_key)
        self._blocked_by[blocked.id].remove(blocker.id)
        self._blocking[blocker.id].remove(blocked.id)
        self._bump(blocker)
        self._bump(blocked)
        self.changes.announce("dependency", "removed", (blocker, blocked))

    def delete(self, key: str) -> None:
        """Delete an issue: its number answers 410, relations to it vanish.

        Nothing else is stamped, so a deletion never shows up in a ``since`` listing.
        """
        row = self.require(key)
        self.changes.announce("issue", "deleted", row)
        for child in self.children(row):
            child.parent_id = None
        if row.parent_id is not None:
            self._children[row.parent_id].remove(row.id)
        for other in self._blocked_by.pop(row.id, []):
            self._blocking[other].remove(row.id)
        for other in self._blocking.pop(row.id, []):
            self._blocked_by[other].remove(row.id)
        self._children.pop(row.id, None)
        del self._rows[row.id]
        del self._numbers[(row.repo.id, row.number)]
        self._deleted.add((row.repo.id, row.number))
        self.version += 1

    def transfer(self, key: str, to_repo: str) -> IssueRow:
        """Move an issue to another repository: new number, same ids, milestone and labels dropped
        where the target lacks them; the old number answers 301 to the new one."""
        row = self.require(key)
        target = self.repos[to_repo]
        old = (row.repo.id, row.number)
        del self._numbers[old]
        row.repo, row.number = target, self._take_number(target)
        row.milestone = None
        self._numbers[(target.id, row.number)] = row.id
        self._moved[old] = row.id
        self._bump(row)
        self.changes.announce(
            "issue", "transferred", row, repo=self.repos_by_id[old[0]], number=old[1]
        )
        return row

    def add_project(self, owner: str, number: int, title: str, *, org: bool = True) -> Project:
        """A project of the organisation (``org=True``) or of one of its users, with GitHub's
        built-in ``Title`` and ``Status`` (Todo, In Progress, Done) fields."""
        logins = {user.login for user in self.users}
        if (org and owner != self.owner) or (not org and owner not in logins):
            kind = "organisation" if org else "user"
            raise KeyError(f"no {kind} {owner!r} in this world")
        return self.projects.add_project(owner, number, title, org=org)

    def close_project(self, owner: str, number: int) -> None:
        project = self.projects.get(owner, number)
        project.closed_at = project.updated_at = self.clock.stamp()

    def add_project_field(
        self,
        owner: str,
        number: int,
        name: str,
        data_type: str,
        *,
        options: Sequence[str] = (),
        iterations: Sequence[tuple[str, date, int]] = (),
    ) -> ProjectField:
        """A custom field: DATE, TEXT, NUMBER, SINGLE_SELECT (with ``options``) or ITERATION
        (with ``iterations`` as (title, start date, duration in days))."""
        project = self.projects.get(owner, number)
        return self.projects.add_field(project, name, data_type, options, iterations)

    def add_to_project(self, owner: str, number: int, repo: str, issue_number: int) -> ProjectItem:
        """Add an issue or pull request (by its number in ``repo``); the item's type follows."""
        project = self.projects.get(owner, number)
        row = self.lookup(self.repos[repo], issue_number) if repo in self.repos else None
        if row is None:
            raise KeyError(f"no live issue or pull request {repo}#{issue_number}")
        kind = "PULL_REQUEST" if row.is_pull else "ISSUE"
        item = self.projects.add_item(project, kind, row, None)
        self.changes.announce("project_item", "created", item)
        return item

    def add_draft(self, owner: str, number: int, title: str, body: str = "") -> ProjectItem:
        project = self.projects.get(owner, number)
        draft = self.projects.new_draft(title, body)
        return self.projects.add_item(project, "DRAFT_ISSUE", None, draft)

    def add_redacted_item(self, owner: str, number: int) -> ProjectItem:
        """An item whose content the token may not see (a private repository's issue)."""
        return self.projects.add_item(self.projects.get(owner, number), "REDACTED", None, None)

    def project_item(self, owner: str, number: int, item: str) -> ProjectItem:
        """An item by its node id (``PVTI_...``) or by its issue's key (``acme/search#4``)."""
        project = self.projects.get(owner, number)
        if item.startswith("PVTI_"):
            found = next((each for each in project.items if each.node_id == item), None)
        else:
            row = self.require(item)
            found = next((each for each in project.items if each.row is row), None)
        if found is None:
            raise KeyError(f"project {owner}/{number} has no item {item!r}")
        return found

    def set_field_value(
        self, owner: str, number: int, item: str, field: str, value: FieldValueData | None
    ) -> None:
        """Set (or with None clear) a field of an item: a date or ``YYYY-MM-DD`` for DATE, the
        option's name for SINGLE_SELECT, the iteration's title or id for ITERATION."""
        found = self.project_item(owner, number, item)
        self.projects.set_value(found, field, value)
        self.changes.announce("project_item", "edited", found)

    def archive_project_item(
        self, owner: str, number: int, item: str, *, archived: bool = True
    ) -> None:
        found = self.project_item(owner, number, item)
        found.archived = archived
        self.projects.touch(found)
        self.changes.announce("project_item", "archived" if archived else "restored", found)

    def add_status_update(
        self,
        owner: str,
        number: int,
        status: str | None,
        *,
        body: str = "",
        start_date: date | None = None,
        target_date: date | None = None,
        creator: str | None = None,
    ) -> StatusUpdate:
        """A project status update (ON_TRACK, AT_RISK, OFF_TRACK, COMPLETE, INACTIVE)."""
        author = next((user for user in self.users if user.login == creator), None)
        if creator is not None and author is None:
            raise KeyError(f"no user {creator!r} in this world")
        project = self.projects.get(owner, number)
        return self.projects.add_status_update(
            project, status, body, start_date, target_date, author
        )

    def _apply(self, row: IssueRow, name: str, value: object) -> None:
        if name == "state":
            row.state = str(value)
            row.closed_at = self.clock.now + 1 if value == "closed" else None
            if value == "closed" and row.state_reason in (None, "reopened"):
                row.state_reason = "completed"
            elif value == "open":
                row.state_reason = "reopened" if row.state_reason else None
        elif name == "state_reason":
            row.state_reason = cast(str | None, value)
        elif name in ("title", "body"):
            setattr(row, name, value)
        elif name == "labels":
            row.labels = tuple(cast(Iterable[str], value))
        elif name == "assignees":
            logins = set(cast(Iterable[str], value))
            row.assignees = tuple(user for user in self.users if user.login in logins)
        elif name == "milestone":
            choices = self.milestones[row.repo.id]
            row.milestone = next(m for m in choices if m.number == value) if value else None
        else:
            raise TypeError(f"touch() cannot change {name!r}")

    def _bump(self, row: IssueRow) -> None:
        row.updated_at = self.clock.stamp()
        self.version += 1

    def _link(self, blocker_id: int, blocked_id: int) -> None:
        if blocker_id == blocked_id or blocker_id in self._blocked_by.get(blocked_id, ()):
            return
        self._blocked_by.setdefault(blocked_id, []).append(blocker_id)
        self._blocking.setdefault(blocker_id, []).append(blocked_id)

    def _take_number(self, repo: Repo) -> int:
        number = self._next_number[repo.id]
        self._next_number[repo.id] = number + 1
        return number

    def _new_row(
        self, repo: Repo, title: str, created_at: int, updated_at: int, *, is_pull: bool
    ) -> IssueRow:
        self._next_id += 1 + int(self._rng.random() * 40)
        row = IssueRow(
            id=self._next_id,
            origin_repo_id=repo.id,
            repo=repo,
            number=self._take_number(repo),
            title=title,
            body=None,
            state="open",
            state_reason=None,
            labels=(),
            assignees=(),
            milestone=None,
            author=self.users[0],
            comments=0,
            created_at=created_at,
            updated_at=updated_at,
            closed_at=None,
            is_pull=is_pull,
        )
        self._rows[row.id] = row
        self._numbers[(repo.id, row.number)] = row.id
        return row

    def _make_catalogues(self) -> None:
        for repo in self.repos.values():
            for index, name in enumerate(LABEL_NAMES):
                color, description, default = LABEL_COLORS[name]
                label_id = 4_000_000_000 + repo.id % 1000 * 1000 + index
                self.labels[(repo.id, name)] = Label(
                    label_id, repo.id, name, color, description, default
                )
            self.milestones[repo.id] = [
                Milestone(
                    id=9_000_000 + repo.id % 1000 * 10 + number,
                    repo_id=repo.id,
                    number=number,
                    title=title,
                    description=f"{title} scope for {repo.name}" if number != 2 else None,
                    due_on=int(datetime.fromisoformat(due).timestamp()),
                    created_at=REFERENCE_NOW - 400 * DAY + number * 3_607,
                    updated_at=REFERENCE_NOW - 20 * DAY + number * 3_607,
                )
                for number, (title, due) in enumerate(
                    (
                        ("2026.Q3", "2026-09-30T07:00:00+00:00"),
                        ("2026.Q4", "2026-12-31T08:00:00+00:00"),
                        ("2027.Q1", "2027-03-31T07:00:00+00:00"),
                    ),
                    start=1,
                )
            ]

    def _generate(self, size: int) -> None:
        rng = self._rng
        pulls = round(size * 0.08)
        total = size + pulls
        created: set[int] = set()
        while len(created) < total:
            created.add(REFERENCE_NOW - 1 - int(rng.random() * 730 * DAY))
        pull_flags = [True] * pulls + [False] * size
        rng.shuffle(pull_flags)
        repos = list(self.repos.values())
        issues: list[IssueRow] = []
        for created_at, is_pull in zip(sorted(created), pull_flags, strict=True):
            age = REFERENCE_NOW - created_at
            updated_at = created_at + int(age * rng.random() ** 2)
            component = _pick(rng, COMPONENT_NAMES)
            title = f"{_pick(rng, _VERBS)} {_pick(rng, _OBJECTS)} in {component}"
            repo = _pick(rng, repos)
            row = self._new_row(repo, title, created_at, updated_at, is_pull=is_pull)
            self._decorate(row, component)
            if not is_pull:
                issues.append(row)
        self._generate_epics(issues)
        self._generate_dependencies(issues)

    def _decorate(self, row: IssueRow, component: str) -> None:
        rng = self._rng
        draw = rng.random
        row.body = f"Work on {component} before rollout." if draw() < 0.9 else None
        row.author = _pick(rng, self.users)
        share = draw()
        if share < 0.7:
            first = _pick(rng, self.users)
            second = _pick(rng, self.users) if share < 0.15 else first
            row.assignees = (first,) if second is first else (first, second)
        row.comments = int(draw() * 12)
        row.locked = draw() < 0.01
        labels = [name for name in ("bug", "enhancement") if draw() < 0.25]
        if draw() < 0.1:
            labels.append(_pick(rng, INITIATIVE_LABELS))
        if draw() < 0.6:
            labels.append(f"component:{component}")
        row.labels = tuple(labels)
        if draw() < 0.4:
            row.milestone = _pick(rng, self.milestones[row.repo.id])
        if draw() < (0.7 if row.is_pull else 0.45):
            row.state = "closed"
            row.closed_at = row.updated_at
            reason = draw()
            if row.is_pull:
                row.merged_at = row.closed_at if reason < 0.8 else None
            else:
                row.state_reason = (
                    "completed" if reason < 0.75 else "not_planned" if reason < 0.9 else "duplicate"
                )
        elif not row.is_pull and draw() < 0.05:
            row.state_reason = "reopened"

    def _generate_epics(self, issues: list[IssueRow]) -> None:
        rng = self._rng
        epics = rng.sample(issues, min(len(issues), max(1, len(issues) // 20)))
        epic_ids = {row.id for row in epics}
        pools: dict[int, list[IssueRow]] = {}
        for row in issues:
            if row.id not in epic_ids:
                pools.setdefault(row.repo.id, []).append(row)
        for pool in pools.values():
            rng.shuffle(pool)
        for epic in epics:
            label_only = rng.random() < 0.2
            if label_only or rng.random() < 0.7:
                epic.labels = ("epic", *epic.labels)
            if label_only:
                continue
            pool = pools.get(epic.repo.id, [])
            for _ in range(min(len(pool), rng.randint(2, 8))):
                child = pool.pop()
                child.parent_id = epic.id
                self._children.setdefault(epic.id, []).append(child.id)

    def _generate_dependencies(self, issues: list[IssueRow]) -> None:
        rng = self._rng
        if len(issues) < 2:
            return
        by_repo: dict[int, list[IssueRow]] = {}
        for row in issues:
            by_repo.setdefault(row.repo.id, []).append(row)
        for blocked in rng.sample(issues, max(1, len(issues) // 20)):
            for _ in range(rng.choice((1, 1, 2))):
                same_repo = by_repo[blocked.repo.id]
                pool = same_repo if rng.random() < 0.7 and len(same_repo) > 1 else issues
                self._link(rng.choice(pool).id, blocked.id)
