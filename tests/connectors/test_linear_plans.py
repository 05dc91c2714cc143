"""Linear's planning data, mapped from nodes in the shape ``connectors.linear.queries`` selects:
milestones, dates from milestones and cycles, declared health, nested initiatives, project
dependencies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.linear.mapping import map_initiative, map_issue, map_project
from connectors.payload import MappingError
from hub.contract.records import DateSource, DeclaredHealth, HealthUpdate, MilestoneRecord
from tests.connectors.test_linear_mapping import connection, initiative, issue, project

CYCLE_7 = {
    "number": 7,
    "name": None,
    "startsAt": "2025-01-06T08:00:00.000Z",
    "endsAt": "2025-01-20T08:00:00.000Z",
}
"""Two weeks from a Monday midnight in Los Angeles (08:00 UTC) to the next but one."""
LOS_ANGELES = {"key": "ENG", "timezone": "America/Los_Angeles"}
BETA = {"name": "Beta", "targetDate": "2025-02-14"}


def update(health: str, **fields: Any) -> dict[str, Any]:
    return {
        "health": health,
        "body": "Payments provider slipped a week.",
        "createdAt": "2024-11-27T15:04:05.000Z",
        "user": {"name": "Grace Hopper"},
        **fields,
    }


def relation(kind: str, side: str, project_id: str, **anchors: Any) -> dict[str, Any]:
    return {"type": kind, side: {"id": project_id}, **anchors}


# --- milestones -----------------------------------------------------------------------------


def test_project_milestones_are_the_epics_milestones() -> None:
    nodes: list[dict[str, Any]] = [
        {
            "id": "m-1",
            "name": "Beta",
            "targetDate": "2025-02-14",
            "status": "next",
            "progress": 0.4,
            "sortOrder": 1.5,
        },
        {
            "id": "m-2",
            "name": "GA",
            "targetDate": None,
            "status": "unstarted",
            "progress": 0,
            "sortOrder": -3,
        },
    ]
    record = map_project(project(projectMilestones=connection(nodes)))
    assert record.milestones == (
        MilestoneRecord("m-1", "Beta", date(2025, 2, 14), "next", 0.4, 1.5),
        MilestoneRecord("m-2", "GA", None, "unstarted", 0.0, -3.0),
    )


def test_project_without_milestones_has_none() -> None:
    assert map_project(project()).milestones == ()
    assert map_project(project(projectMilestones=connection([]))).milestones == ()


@pytest.mark.parametrize(
    ("milestone", "message"),
    [
        ({"id": "m-1", "name": "", "targetDate": None}, "name is missing"),
        ({"id": "m-1", "name": "Beta", "targetDate": "soon"}, "milestone 'Beta' targetDate"),
        ({"id": "m-1", "name": "Beta", "progress": "half"}, "milestone 'Beta' progress"),
    ],
)
def test_broken_milestone_is_a_mapping_error(milestone: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        map_project(project(projectMilestones=connection([milestone])))


# --- issue dates: own > milestone > cycle ----------------------------------------------------


def dates(record: Any) -> tuple[Any, ...]:
    return (
        (record.start_date, record.start_date_source, record.start_date_field),
        (record.target_date, record.target_date_source, record.target_date_field),
    )


def test_own_due_date_wins_over_milestone_and_cycle() -> None:
    record = map_issue(
        issue(dueDate="2025-01-17", projectMilestone=BETA, cycle=CYCLE_7, team=LOS_ANGELES)
    )
    assert dates(record) == (
        (date(2025, 1, 6), DateSource.CYCLE, "Cycle 7"),
        (date(2025, 1, 17), DateSource.FIELD, "Due date"),
    )


def test_milestone_gives_the_target_when_there_is_no_due_date() -> None:
    record = map_issue(issue(dueDate=None, projectMilestone=BETA, cycle=CYCLE_7, team=LOS_ANGELES))
    assert dates(record) == (
        (date(2025, 1, 6), DateSource.CYCLE, "Cycle 7"),
        (date(2025, 2, 14), DateSource.MILESTONE, "Beta"),
    )


def test_cycle_gives_both_dates_in_the_teams_time_zone() -> None:
    """A cycle ends where the next begins: its last day is the one before, there."""
    record = map_issue(issue(dueDate=None, cycle=CYCLE_7, team=LOS_ANGELES))
    assert dates(record) == (
        (date(2025, 1, 6), DateSource.CYCLE, "Cycle 7"),
        (date(2025, 1, 19), DateSource.CYCLE, "Cycle 7"),
    )


def test_cycle_dates_without_a_known_zone_are_utc_days_and_a_named_cycle_keeps_its_name() -> None:
    cycle = {**CYCLE_7, "name": "Hardening", "endsAt": "2025-01-20T00:00:00.000Z"}
    record = map_issue(
        issue(dueDate=None, cycle=cycle, team={"key": "ENG", "timezone": "Mars/Base"})
    )
    assert dates(record) == (
        (date(2025, 1, 6), DateSource.CYCLE, "Hardening"),
        (date(2025, 1, 19), DateSource.CYCLE, "Hardening"),
    )


def test_milestone_without_a_date_leaves_the_cycle_end() -> None:
    undated = {"name": "Someday", "targetDate": None}
    record = map_issue(
        issue(dueDate=None, projectMilestone=undated, cycle=CYCLE_7, team=LOS_ANGELES)
    )
    assert dates(record)[1] == (date(2025, 1, 19), DateSource.CYCLE, "Cycle 7")


def test_a_cycle_starting_after_the_due_date_gives_no_start() -> None:
    record = map_issue(issue(dueDate="2024-12-20", cycle=CYCLE_7, team=LOS_ANGELES))
    assert dates(record) == (
        (None, None, None),
        (date(2024, 12, 20), DateSource.FIELD, "Due date"),
    )


def test_issue_without_plan_has_only_its_own_date() -> None:
    record = map_issue(issue(dueDate=None, projectMilestone=None, cycle=None))
    assert dates(record) == ((None, None, None), (None, None, None))


def test_broken_cycle_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="cycle.startsAt"):
        map_issue(issue(cycle={**CYCLE_7, "startsAt": None}))


def test_project_and_initiative_dates_are_their_own_fields() -> None:
    assert dates(map_project(project())) == (
        (date(2024, 10, 1), DateSource.FIELD, "Start date"),
        (date(2024, 12, 31), DateSource.FIELD, "Target date"),
    )
    assert dates(map_initiative(initiative()))[1] == (
        date(2025, 3, 31),
        DateSource.FIELD,
        "Target date",
    )


# --- declared health ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("health", "expected"),
    [
        ("onTrack", DeclaredHealth.ON_TRACK),
        ("atRisk", DeclaredHealth.AT_RISK),
        ("offTrack", DeclaredHealth.OFF_TRACK),
    ],
)
def test_project_health_and_its_latest_update_are_declared(
    health: str, expected: DeclaredHealth
) -> None:
    node = project(health=health, healthUpdatedAt=None, lastUpdate=update(health))
    assert map_project(node).declared_health == HealthUpdate(
        expected,
        at=datetime(2024, 11, 27, 15, 4, 5, tzinfo=UTC),
        by="Grace Hopper",
        note="Payments provider slipped a week.",
    )


def test_initiative_health_comes_from_its_latest_update() -> None:
    node = initiative(health="atRisk", lastUpdate=update("atRisk", user={"name": "Linus"}))
    said = map_initiative(node).declared_health
    assert said is not None
    assert (said.status, said.by) == (DeclaredHealth.AT_RISK, "Linus")


def test_health_without_an_update_is_dated_by_health_updated_at() -> None:
    node = project(health="offTrack", healthUpdatedAt="2024-11-02T00:00:00.000Z", lastUpdate=None)
    assert map_project(node).declared_health == HealthUpdate(
        DeclaredHealth.OFF_TRACK, at=datetime(2024, 11, 2, tzinfo=UTC)
    )


def test_no_health_or_an_unknown_one_is_no_declaration() -> None:
    assert map_project(project(health=None, lastUpdate=None)).declared_health is None
    assert map_initiative(initiative(health="blazing", lastUpdate=None)).declared_health is None


# --- nested initiatives ---------------------------------------------------------------------


def test_sub_initiative_is_nested_under_its_parent_initiative() -> None:
    assert (
        map_initiative(initiative(parentInitiative={"id": "i-top"})).parent_external_id == "i-top"
    )
    assert map_initiative(initiative(parentInitiative=None)).parent_external_id is None
    with pytest.raises(MappingError, match="parentInitiative"):
        map_initiative(initiative(parentInitiative={"name": "no id"}))


# --- project dependencies -------------------------------------------------------------------


def test_relations_of_both_types_make_the_project_block_the_related_one() -> None:
    relations = connection(
        [
            relation(
                "blocks", "relatedProject", "p-b", anchorType="end", relatedAnchorType="start"
            ),
            relation("dependency", "relatedProject", "p-c"),
            relation("related", "relatedProject", "p-d"),
        ]
    )
    assert map_project(project(relations=relations)).blocks == ("p-b", "p-c")


def test_inverse_relations_are_the_projects_blocking_this_one() -> None:
    inverse = connection(
        [relation("dependency", "project", "p-x"), relation("blocks", "project", "p-y")]
    )
    assert map_project(project(inverseRelations=inverse)).blocked_by == ("p-x", "p-y")


def test_a_relation_anchored_at_milestones_still_links_the_projects() -> None:
    anchored = relation(
        "dependency",
        "relatedProject",
        "p-b",
        anchorType="milestone",
        relatedAnchorType="milestone",
        projectMilestone={"id": "m-1"},
        relatedProjectMilestone={"id": "m-9"},
    )
    inverse = relation(
        "blocks", "project", "p-z", anchorType="milestone", projectMilestone={"id": "m-4"}
    )
    record = map_project(
        project(relations=connection([anchored]), inverseRelations=connection([inverse]))
    )
    assert (record.blocks, record.blocked_by) == (("p-b",), ("p-z",))


def test_relation_without_its_project_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="project"):
        map_project(project(inverseRelations=connection([{"type": "blocks", "project": None}])))
