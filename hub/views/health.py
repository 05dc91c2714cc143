"""Delivery health of roadmap items, from dates, progress and blockers.

Pure functions over plain values, so every rule is testable without a database and the
date health is judged on (``today``) is always passed in. The rules, first match wins:

1. DONE — the item's status category is DONE or CANCELED: closed work needs no attention.
   (The roadmap hides canceled epics unless a filter asks for them.)
2. NO_DATES — the item has no target date: nothing to be late against.
3. OFF_TRACK — the target date is before today and the item is not done.
4. AT_RISK — any of:
   - pace: the share of the window [start, target] already elapsed exceeds the share of
     children done by more than ``PACE_MARGIN``; skipped when nothing is countable or the
     window is empty;
   - a slipping blocker: an open blocker whose target date is after this item's target, or
     an open blocker with no target date while this item's target is at most
     ``UNDATED_BLOCKER_HORIZON`` away.
5. ON_TRACK — otherwise.

An initiative is judged by the same rules on its own dates and its epics' rolled-up progress
(its epics' blockers count through its epics); an OFF_TRACK epic makes an ON_TRACK or NO_DATES
initiative AT_RISK. A nested initiative counts for the one above it as an epic does: its
epics' progress rolls up, and its being OFF_TRACK, or any epic's at any depth, puts the
parent AT_RISK.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from hub.contract.records import DeclaredHealth, StatusCategory

PACE_MARGIN = 0.25
"""How far progress may trail the elapsed share of the window before an item is at risk."""
UNDATED_BLOCKER_HORIZON = timedelta(days=14)
"""An undated open blocker puts an item at risk once its target is this close."""

CLOSED = frozenset({StatusCategory.DONE, StatusCategory.CANCELED})


class Health(StrEnum):
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    DONE = "DONE"
    NO_DATES = "NO_DATES"


SEVERITY = (Health.DONE, Health.ON_TRACK, Health.NO_DATES, Health.AT_RISK, Health.OFF_TRACK)
"""Least to most in need of attention; a group of items shows its worst."""


@dataclass(frozen=True, slots=True)
class Blocker:
    """An item that blocks another, with what health needs to know about it."""

    id: str
    key: str
    status_category: StatusCategory
    target_date: date | None


@dataclass(frozen=True, slots=True)
class Schedule:
    """What an item's health is judged on, besides its blockers."""

    status_category: StatusCategory
    start: date | None
    target: date | None
    progress_ratio: float | None


def elapsed_share(start: date, target: date, today: date) -> float | None:
    """Share of [start, target] behind us, between 0 and 1; None for an empty window."""
    length = (target - start).days
    if length <= 0:
        return None
    return min(1.0, max(0.0, (today - start).days / length))


def is_behind_pace(schedule: Schedule, today: date) -> bool:
    if schedule.start is None or schedule.target is None or schedule.progress_ratio is None:
        return False
    elapsed = elapsed_share(schedule.start, schedule.target, today)
    return elapsed is not None and elapsed - schedule.progress_ratio > PACE_MARGIN


def slipping_blockers(
    target: date | None, blockers: Iterable[Blocker], today: date
) -> list[Blocker]:
    """Open blockers that threaten ``target``: due after it, or undated when it is close."""
    if target is None:
        return []
    near = target - today <= UNDATED_BLOCKER_HORIZON
    return [
        blocker
        for blocker in blockers
        if blocker.status_category not in CLOSED
        and (blocker.target_date > target if blocker.target_date is not None else near)
    ]


def health_of(schedule: Schedule, today: date, blockers: Iterable[Blocker] = ()) -> Health:
    """The health of one item by the rules in this module's docstring."""
    if schedule.status_category in CLOSED:
        return Health.DONE
    if schedule.target is None:
        return Health.NO_DATES
    if schedule.target < today:
        return Health.OFF_TRACK
    if is_behind_pace(schedule, today) or slipping_blockers(schedule.target, blockers, today):
        return Health.AT_RISK
    return Health.ON_TRACK


def initiative_health(schedule: Schedule, today: date, epics: Iterable[Health]) -> Health:
    """An initiative's own health, raised to AT_RISK when one of its epics is off track."""
    own = health_of(schedule, today)
    if own in (Health.ON_TRACK, Health.NO_DATES) and Health.OFF_TRACK in set(epics):
        return Health.AT_RISK
    return own


def worst(healths: Iterable[Health], default: Health = Health.NO_DATES) -> Health:
    """The health most in need of attention, or ``default`` for no items."""
    return max(healths, key=SEVERITY.index, default=default)


CONTRADICTED = {
    DeclaredHealth.ON_TRACK: frozenset({Health.AT_RISK, Health.OFF_TRACK}),
    DeclaredHealth.AT_RISK: frozenset(),
    DeclaredHealth.OFF_TRACK: frozenset({Health.ON_TRACK}),
    DeclaredHealth.COMPLETE: frozenset({Health.ON_TRACK, Health.AT_RISK, Health.OFF_TRACK}),
    DeclaredHealth.INACTIVE: frozenset(),
}
"""The computed healths that contradict what the team declared: work called on track that
the dates show at risk or late, called off track that the dates show on track, or called
complete while still open. A team more cautious than the dates (AT_RISK on ON_TRACK) knows
something the dates do not; INACTIVE (paused) claims nothing about delivery; NO_DATES gives
nothing to compare; and once work is DONE its last update is history, not a claim."""


def disagrees(declared: DeclaredHealth | None, computed: Health) -> bool:
    """Whether the team's word and the hub's judgement contradict each other."""
    return declared is not None and computed in CONTRADICTED[declared]
