"""One platform organisation spread over the three simulated trackers, for demo, tests, benches.

The Jira, GitHub and Linear worlds are generated independently (same component names, the
same ``initiative:*`` labels), then woven together the way people actually link work across
tools: in text. About one item in a hundred per tool gains a sentence naming an item of another
tool — "Blocked by PAY-12", "Depends on https://linear.app/acme/issue/ENG-7/…", "This blocks
acme/identity#34" — and some Linear projects depend on Jira epics. The hub turns those into
cross-tool dependencies and links. Then the open work is re-planned around the day the world is
built (``simulators.demo_schedule``), so the roadmap shows a plausible mix of health today.
Everything is deterministic for a given size, seed and day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from simulators.demo_schedule import Planner, quarter_end, schedule
from simulators.github_world import GitHubWorld
from simulators.jira_world import JiraWorld
from simulators.linear_world import LinearWorld
from simulators.world_common import COMPONENT_NAMES

LINEAR_WORKSPACE = "acme"
GITHUB_REPOS = ("payments-api", "identity", "search")
GITHUB_PROJECT = 1
"""The number of the organisation's Projects (v2) roadmap that dates the GitHub epics."""
WEAVE_EVERY = 100
"""One item in this many per tool gains a cross-tool reference."""


@dataclass(frozen=True, slots=True)
class DemoWorld:
    jira: JiraWorld
    github: GitHubWorld
    linear: LinearWorld
    today: date
    """The day the world's plans are dated from."""

    @property
    def components(self) -> tuple[str, ...]:
        return COMPONENT_NAMES


def build_demo_world(
    items_per_tracker: int = 2000, *, seed: int = 7, today: date | None = None
) -> DemoWorld:
    """The demo's three trackers, planned around ``today`` (the UTC date unless given)."""
    world = DemoWorld(
        jira=JiraWorld(items_per_tracker, seed=seed),
        github=GitHubWorld(items_per_tracker, seed=seed + 1, repos=GITHUB_REPOS),
        linear=LinearWorld(items_per_tracker, seed=seed + 2),
        today=today or datetime.now(UTC).date(),
    )
    _weave(world)
    schedule(world, world.today, seed)
    _plan_github_project(world, seed)
    return world


def _plan_github_project(world: DemoWorld, seed: int) -> None:
    """The GitHub epics on a Projects (v2) roadmap, as GitHub teams plan: Start date and
    Target date fields dated around today (their milestones stay, outranked), and the
    team's latest word in a status update."""
    github, owner = world.github, world.github.owner
    github.add_project(owner, GITHUB_PROJECT, "Platform roadmap")
    github.add_project_field(owner, GITHUB_PROJECT, "Start date", "DATE")
    github.add_project_field(owner, GITHUB_PROJECT, "Target date", "DATE")
    planner = Planner(world.today, seed + 1)
    epics = [
        row
        for row in sorted(github, key=lambda row: row.id)
        if not row.is_pull and ("epic" in row.labels or github.children(row))
    ]
    for row in epics:
        github.add_to_project(owner, GITHUB_PROJECT, row.repo.name, row.number)
        start, target = planner.window(None if row.state == "closed" else planner.plan())
        key = github.key(row)
        for name, day in (("Start date", start), ("Target date", target)):
            if day is not None:
                github.set_field_value(owner, GITHUB_PROJECT, key, name, day)
        github.set_field_value(
            owner, GITHUB_PROJECT, key, "Status", "Done" if row.state == "closed" else "In Progress"
        )
    github.add_status_update(
        owner,
        GITHUB_PROJECT,
        "AT_RISK",
        body="Identity migration waits on the vendor's SSO release; search is on track.",
        start_date=planner.days(-90, -60),
        target_date=quarter_end(world.today, 1),
    )


def _weave(world: DemoWorld) -> None:
    jira_issues = sorted(
        (r for r in world.jira if r.issue_type.hierarchy_level <= 0), key=lambda r: r.id
    )
    jira_epics = sorted(
        (r for r in world.jira if r.issue_type.hierarchy_level == 1), key=lambda r: r.id
    )
    github_issues = sorted((r for r in world.github if not r.is_pull), key=lambda r: r.id)
    linear_issues = sorted(
        (r for r in world.linear.issues.values() if not r.trashed), key=lambda r: r.number
    )
    linear_projects = sorted(world.linear.projects.values(), key=lambda p: p.slug_id)

    for n, linear_issue in enumerate(linear_issues[::WEAVE_EVERY]):
        jira = jira_issues[(n * 7) % len(jira_issues)]
        text = _append(linear_issue.description, f"Blocked by {jira.key}.")
        world.linear.touch(linear_issue.id, description=text)
    for n, github_issue in enumerate(github_issues[3::WEAVE_EVERY]):
        linear = linear_issues[(n * 11) % len(linear_issues)]
        url = f"https://linear.app/{LINEAR_WORKSPACE}/issue/{linear.identifier}/follow-up"
        key = world.github.key(github_issue)
        world.github.touch(key, body=_append(github_issue.body, f"Depends on {url}"))
    for n, issue in enumerate(jira_issues[5::WEAVE_EVERY]):
        github = github_issues[(n * 13) % len(github_issues)]
        sentence = (
            f"This blocks {world.github.key(github)}; see also {linear_issues[n].identifier}."
        )
        world.jira.touch(issue.key, description=_append(issue.description, sentence))
    for n, project in enumerate(linear_projects[::4]):
        epic = jira_epics[(n * 3) % len(jira_epics)]
        world.linear.touch_project(
            project.id, description=_append(project.description, f"Depends on {epic.key}.")
        )


def _append(text: str | None, sentence: str) -> str:
    return f"{text}\n\n{sentence}" if text else sentence
