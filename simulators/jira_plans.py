"""What Jira Plans (Advanced Roadmaps) adds to a site: its field ids, sprints, checked dates.

A real site gets ``Target start``, ``Target end`` and ``Sprint`` custom fields whose ids differ
from site to site, so each world draws its own (``plan_fields_for(seed)``): a connector has to
find them in ``GET /rest/api/3/field`` by their ``schema.custom`` type, not by a known id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

TARGET_START_TYPE = "com.atlassian.jpo:jpo-custom-field-baseline-start"
TARGET_END_TYPE = "com.atlassian.jpo:jpo-custom-field-baseline-end"
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
SPRINT_STATES = ("future", "active", "closed")

_TAKEN_FIELD_NUMBERS = frozenset({10015, 10016})
"""Start date and Story point estimate keep their usual ids."""


@dataclass(frozen=True, slots=True)
class PlanFields:
    """The custom field numbers of one site's Plans fields (``customfield_<number>``)."""

    target_start: int
    target_end: int
    sprint: int

    def __post_init__(self) -> None:
        numbers = {self.target_start, self.target_end, self.sprint}
        if len(numbers) < 3 or numbers & _TAKEN_FIELD_NUMBERS:
            raise ValueError(f"plan field numbers must be distinct and free: {sorted(numbers)}")

    @property
    def target_start_id(self) -> str:
        return f"customfield_{self.target_start}"

    @property
    def target_end_id(self) -> str:
        return f"customfield_{self.target_end}"

    @property
    def sprint_id(self) -> str:
        return f"customfield_{self.sprint}"


def plan_fields_for(seed: int) -> PlanFields:
    """Distinct field numbers for a site, the same for the same seed, different across seeds."""
    rng = random.Random(f"jira-plan-fields:{seed}")
    free = [n for n in range(10017, 10400) if n not in _TAKEN_FIELD_NUMBERS]
    start, end, sprint = rng.sample(free, 3)
    return PlanFields(target_start=start, target_end=end, sprint=sprint)


@dataclass(frozen=True, slots=True)
class Sprint:
    """A board's sprint; times are epoch milliseconds, absent until the sprint has them."""

    id: int
    name: str
    state: str
    board_id: int
    goal: str
    start_ms: int | None
    end_ms: int | None
    complete_ms: int | None


def checked_sprint(sprint: Sprint) -> Sprint:
    """``sprint`` if Jira would accept it, else a ValueError saying why."""
    if sprint.state not in SPRINT_STATES:
        raise ValueError(
            f"sprint state must be one of {', '.join(SPRINT_STATES)}: {sprint.state!r}"
        )
    if not sprint.name.strip():
        raise ValueError("a sprint needs a name")
    if sprint.state != "future" and (sprint.start_ms is None or sprint.end_ms is None):
        raise ValueError(f"an {sprint.state} sprint needs a start and an end")
    if (
        sprint.start_ms is not None
        and sprint.end_ms is not None
        and sprint.end_ms < sprint.start_ms
    ):
        raise ValueError("a sprint cannot end before it starts")
    if (sprint.state == "closed") != (sprint.complete_ms is not None):
        raise ValueError("a sprint has a complete time exactly when it is closed")
    return sprint


def epoch_ms(moment: datetime | int | None) -> int | None:
    """An aware datetime or epoch milliseconds as epoch milliseconds."""
    if moment is None or isinstance(moment, int):
        return moment
    if moment.tzinfo is None:
        raise ValueError(f"a sprint time needs a time zone: {moment.isoformat()}")
    return int(moment.timestamp() * 1000)


def calendar_date(value: date | str | None) -> str | None:
    """A date or ``YYYY-MM-DD`` text as Jira's ``YYYY-MM-DD``, or a ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        raise ValueError(f"expected a calendar date, not a date-time: {value.isoformat()}")
    if isinstance(value, date):
        return value.isoformat()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD: {value!r}") from None
