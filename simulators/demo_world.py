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

from simulators.demo_schedule import schedule
from simulators.github_world import GitHubWorld
from simulators.jira_world import JiraWorld
from simulators.linear_world import LinearWorld
from simulators.world_common import COMPONENT_NAMES

LINEAR_WORKSPACE = "acme"
GITHUB_REPOS = ("payments-api", "identity", "search")
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
    return world


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
