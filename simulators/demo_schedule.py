"""The demo world's plans, dated from the day it is built, so its roadmap tells today's story.

The trackers' worlds date their items from a fixed reference time, which drifts into the past
as the calendar moves on: every epic ends up late. This step re-plans the open epics and
initiatives around ``today`` with the tools' own edits, the way teams keep their dates:

- most open epics started lately and are due next quarter or later: on track;
- about a quarter are due within weeks after a long run: at risk unless nearly done;
- about one in seven slipped past its date (off track), one in twenty has no date yet;
- closed epics keep a window that ended in the past.

Health is the hub's to judge (``hub/views/health.py``); these dates only give it a plausible
mix. The draws are seeded, so a world is the same for the same size, seed and day.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Protocol

from simulators.github_world import GitHubWorld
from simulators.jira_world import JiraWorld
from simulators.linear_world import LinearWorld


class Plan(Enum):
    AHEAD = "ahead"
    CLOSING = "closing"
    SLIPPED = "slipped"
    UNDATED = "undated"


PLAN_WEIGHTS = {Plan.AHEAD: 55, Plan.CLOSING: 26, Plan.SLIPPED: 14, Plan.UNDATED: 5}
"""Shares of the open epics; closed epics (about a quarter) dilute them further."""


class Worlds(Protocol):
    @property
    def jira(self) -> JiraWorld: ...
    @property
    def github(self) -> GitHubWorld: ...
    @property
    def linear(self) -> LinearWorld: ...


def quarter_end(day: date, quarters_later: int = 0) -> date:
    """The last day of ``day``'s quarter, or of the quarter that many quarters later."""
    index = day.year * 4 + (day.month - 1) // 3 + quarters_later + 1
    return date(index // 4, index % 4 * 3 + 1, 1) - timedelta(days=1)


class Planner:
    def __init__(self, today: date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(f"demo-schedule-{seed}")

    def plan(self) -> Plan:
        return self.rng.choices(list(PLAN_WEIGHTS), list(PLAN_WEIGHTS.values()))[0]

    def days(self, low: int, high: int) -> date:
        """A day between ``low`` and ``high`` days from today (negative: in the past)."""
        return self.today + timedelta(days=self.rng.randint(low, high))

    def window(self, plan: Plan | None) -> tuple[date | None, date | None]:
        """(start, target) for an epic of that plan; None for a closed epic."""
        if plan is None:
            start = self.days(-420, -150)
            return start, start + timedelta(days=self.rng.randint(45, 140))
        if plan is Plan.UNDATED:
            return None, None
        if plan is Plan.SLIPPED:
            target = self.days(-75, -3)
            return target - timedelta(days=self.rng.randint(60, 150)), target
        if plan is Plan.CLOSING:
            return self.days(-200, -110), self.days(7, 30)
        return self.days(-20, -3), self.days(100, 270)


def schedule(world: Worlds, today: date, seed: int) -> None:
    planner = Planner(today, seed)
    _schedule_jira(world.jira, planner)
    _schedule_github(world.github, planner)
    _schedule_linear(world.linear, planner)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _schedule_jira(jira: JiraWorld, planner: Planner) -> None:
    for row in sorted(jira, key=lambda row: row.id):
        level = row.issue_type.hierarchy_level
        if level < 1:
            continue
        closed = row.status.category == "done"
        if level == 1:
            start, target = planner.window(None if closed else planner.plan())
        elif closed:
            start, target = planner.window(None)
        else:  # an open initiative spans most of a year around today
            start, target = planner.days(-240, -90), planner.days(90, 330)
        # Re-planned over an afternoon, not in one instant: a sync's overlap window (minutes)
        # would otherwise hold every re-planned epic and read them all again on each re-sync.
        jira.clock.advance(minutes=2)
        jira.touch(row.key, start_date=_iso(start), due_date=_iso(target))


def _schedule_github(github: GitHubWorld, planner: Planner) -> None:
    """GitHub epics are due with their milestone: last quarter's, this one's or the next."""
    today = planner.today
    ends = [quarter_end(today, n) for n in (-1, 0, 1)]
    github.replan_milestones(
        [
            (
                f"{end.year}.Q{(end.month - 1) // 3 + 1}",
                int(datetime.combine(end, time(7), UTC).timestamp()),
            )
            for end in ends
        ]
    )
    milestone = {Plan.SLIPPED: 1, Plan.CLOSING: 2, Plan.AHEAD: 3, Plan.UNDATED: None}
    for row in sorted(github, key=lambda row: row.id):
        is_epic = "epic" in row.labels or github.children(row)
        if row.is_pull or not is_epic or row.state == "closed":
            continue
        github.touch(github.key(row), milestone=milestone[planner.plan()])


def _schedule_linear(linear: LinearWorld, planner: Planner) -> None:
    for project in sorted(linear.projects.values(), key=lambda project: project.slug_id):
        closed = project.status[1] in ("completed", "canceled")
        start, target = planner.window(None if closed else planner.plan())
        linear.touch_project(project.id, start_date=_iso(start), target_date=_iso(target))
    for initiative in sorted(linear.initiatives.values(), key=lambda row: row.slug_id):
        closed = initiative.status in ("Completed", "Canceled")
        target = planner.days(-200, -30) if closed else planner.days(90, 330)
        linear.touch_initiative(initiative.id, target_date=_iso(target))
