from __future__ import annotations

from datetime import date

import pytest

from hub.contract.records import DeclaredHealth, StatusCategory
from hub.views.health import (
    CONTRADICTED,
    Blocker,
    Health,
    Schedule,
    disagrees,
    elapsed_share,
    health_of,
    initiative_health,
    slipping_blockers,
    worst,
)

TODAY = date(2026, 4, 1)
T, P, D, C = (
    StatusCategory.TODO,
    StatusCategory.IN_PROGRESS,
    StatusCategory.DONE,
    StatusCategory.CANCELED,
)


def schedule(
    category: StatusCategory = P,
    start: date | None = date(2026, 1, 1),
    target: date | None = date(2026, 7, 1),
    ratio: float | None = 0.5,
) -> Schedule:
    return Schedule(category, start, target, ratio)


def blocker(category: StatusCategory = T, target: date | None = None) -> Blocker:
    return Blocker("jira:B", "B-1", category, target)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (schedule(D, target=date(2026, 1, 1)), Health.DONE),
        (schedule(C, target=None), Health.DONE),
        (schedule(target=None), Health.NO_DATES),
        (schedule(target=date(2026, 3, 31), ratio=0.99), Health.OFF_TRACK),
        (schedule(target=TODAY, ratio=1.0), Health.ON_TRACK),
        (schedule(ratio=0.5), Health.ON_TRACK),
        # half the window elapsed: 0.25 behind is tolerated, more is at risk
        (schedule(ratio=0.25), Health.ON_TRACK),
        (schedule(ratio=0.2), Health.AT_RISK),
        # nothing to count, or no window: pace says nothing
        (schedule(ratio=None), Health.ON_TRACK),
        (schedule(start=None, ratio=0.0), Health.ON_TRACK),
        (schedule(start=date(2026, 8, 1), ratio=0.0), Health.ON_TRACK),
    ],
)
def test_rules_without_blockers(item: Schedule, expected: Health) -> None:
    assert health_of(item, TODAY) is expected


def test_elapsed_share_is_clamped_and_none_for_an_empty_window() -> None:
    assert elapsed_share(date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 6)) == 0.5
    assert elapsed_share(date(2026, 1, 1), date(2026, 1, 11), date(2025, 1, 1)) == 0.0
    assert elapsed_share(date(2026, 1, 1), date(2026, 1, 11), date(2027, 1, 1)) == 1.0
    assert elapsed_share(date(2026, 1, 1), date(2026, 1, 1), TODAY) is None


def test_an_open_blocker_due_after_the_target_slips() -> None:
    late = blocker(target=date(2026, 7, 2))
    assert health_of(schedule(), TODAY, [late]) is Health.AT_RISK
    assert slipping_blockers(date(2026, 7, 1), [late], TODAY) == [late]
    on_time = blocker(target=date(2026, 7, 1))
    assert health_of(schedule(), TODAY, [on_time]) is Health.ON_TRACK
    closed = [blocker(D, date(2026, 12, 1)), blocker(C, date(2026, 12, 1))]
    assert health_of(schedule(), TODAY, closed) is Health.ON_TRACK


def test_an_undated_blocker_slips_only_when_the_target_is_near() -> None:
    undated = blocker(target=None)
    near = schedule(start=date(2026, 3, 20), target=date(2026, 4, 15), ratio=1.0)
    far = schedule(start=date(2026, 3, 20), target=date(2026, 4, 16), ratio=1.0)
    assert health_of(near, TODAY, [undated]) is Health.AT_RISK
    assert health_of(far, TODAY, [undated]) is Health.ON_TRACK
    assert slipping_blockers(None, [undated], TODAY) == []


def test_blockers_do_not_outrank_done_dates_or_lateness() -> None:
    late = [blocker(target=date(2027, 1, 1))]
    assert health_of(schedule(D), TODAY, late) is Health.DONE
    assert health_of(schedule(target=None), TODAY, late) is Health.NO_DATES
    assert health_of(schedule(target=date(2026, 3, 1)), TODAY, late) is Health.OFF_TRACK


def test_an_off_track_epic_puts_an_initiative_at_least_at_risk() -> None:
    off = [Health.ON_TRACK, Health.OFF_TRACK]
    assert initiative_health(schedule(), TODAY, off) is Health.AT_RISK
    assert initiative_health(schedule(target=None), TODAY, off) is Health.AT_RISK
    assert initiative_health(schedule(target=date(2026, 3, 1)), TODAY, off) is Health.OFF_TRACK
    assert initiative_health(schedule(D), TODAY, off) is Health.DONE
    assert initiative_health(schedule(), TODAY, [Health.AT_RISK]) is Health.ON_TRACK


def test_worst_orders_by_need_of_attention() -> None:
    assert worst([Health.DONE, Health.ON_TRACK]) is Health.ON_TRACK
    assert worst([Health.ON_TRACK, Health.NO_DATES]) is Health.NO_DATES
    assert worst([Health.NO_DATES, Health.AT_RISK, Health.DONE]) is Health.AT_RISK
    assert worst([Health.AT_RISK, Health.OFF_TRACK]) is Health.OFF_TRACK
    assert worst([]) is Health.NO_DATES


@pytest.mark.parametrize(
    ("declared", "computed", "flagged"),
    [
        (DeclaredHealth.ON_TRACK, Health.AT_RISK, True),
        (DeclaredHealth.ON_TRACK, Health.OFF_TRACK, True),
        (DeclaredHealth.ON_TRACK, Health.ON_TRACK, False),
        (DeclaredHealth.ON_TRACK, Health.NO_DATES, False),
        (DeclaredHealth.OFF_TRACK, Health.ON_TRACK, True),
        (DeclaredHealth.OFF_TRACK, Health.AT_RISK, False),
        (DeclaredHealth.AT_RISK, Health.ON_TRACK, False),
        (DeclaredHealth.AT_RISK, Health.OFF_TRACK, False),
        (DeclaredHealth.COMPLETE, Health.AT_RISK, True),
        (DeclaredHealth.COMPLETE, Health.DONE, False),
        (DeclaredHealth.INACTIVE, Health.OFF_TRACK, False),
        (None, Health.OFF_TRACK, False),
    ],
)
def test_declared_and_computed_health_disagree_only_where_they_contradict(
    declared: DeclaredHealth | None, computed: Health, flagged: bool
) -> None:
    assert disagrees(declared, computed) is flagged


def test_every_declared_health_has_a_rule() -> None:
    assert set(CONTRADICTED) == set(DeclaredHealth)
