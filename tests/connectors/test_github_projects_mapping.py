"""Projects (v2) cards and status updates, in the shape GitHub's GraphQL returns them, to plan
values; the first configured project with a value wins."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from connectors.github.mapping import map_issue
from connectors.github.plan_index import Card, PlanIndex, ProjectPlan
from connectors.github.projects import (
    Dated,
    apply_plan,
    item_plan,
    latest_health,
    planned_issue,
    rest_issue,
)
from connectors.payload import MappingError
from hub.contract.config import ProjectRef
from hub.contract.records import DateSource, DeclaredHealth, HealthUpdate, Level, StatusCategory

REF = ProjectRef(owner="acme", number=7)
REPOS = ("Acme/Identity",)
BASE = "https://api.github.com"


def field(name: str) -> dict[str, Any]:
    return {"name": name}


def date_value(name: str, day: str) -> dict[str, Any]:
    return {"__typename": "ProjectV2ItemFieldDateValue", "date": day, "field": field(name)}


def iteration_value(title: str, start: str, duration: int) -> dict[str, Any]:
    return {
        "__typename": "ProjectV2ItemFieldIterationValue",
        "title": title,
        "startDate": start,
        "duration": duration,
        "field": field("Iteration"),
    }


def select_value(name: str, option: str) -> dict[str, Any]:
    return {
        "__typename": "ProjectV2ItemFieldSingleSelectValue",
        "name": option,
        "field": field(name),
    }


def title_value() -> dict[str, Any]:
    return {"__typename": "ProjectV2ItemFieldTextValue"}


def issue(number: int = 12, **overrides: Any) -> dict[str, Any]:
    content = {
        "__typename": "Issue",
        "id": f"I_kwDOAbc{number:04d}",
        "number": number,
        "title": "Rotate signing keys",
        "body": "Keys rotate hourly.",
        "url": f"https://github.com/Acme/Identity/issues/{number}",
        "state": "OPEN",
        "stateReason": None,
        "createdAt": "2026-10-01T08:00:00Z",
        "updatedAt": "2026-11-29T10:00:00Z",
        "closedAt": None,
        "repository": {"nameWithOwner": "Acme/Identity"},
        "labels": {"nodes": [{"name": "epic"}]},
        "assignees": {"nodes": [{"login": "hubot"}]},
        "milestone": {"title": "v2.0", "dueOn": "2027-06-30T07:00:00Z"},
        "parent": None,
        "subIssuesSummary": {"total": 0, "completed": 0, "percentCompleted": 0},
        "issueDependenciesSummary": {
            "blockedBy": 0,
            "blocking": 0,
            "totalBlockedBy": 0,
            "totalBlocking": 0,
        },
        "blocking": {"nodes": []},
    }
    content.update(overrides)
    return content


def card(*values: dict[str, Any], kind: str = "ISSUE", content: Any = None) -> dict[str, Any]:
    return {
        "id": "PVTI_lADOAbc",
        "type": kind,
        "isArchived": False,
        "updatedAt": "2026-11-30T09:00:00Z",
        "fieldValues": {"nodes": [title_value(), *values]},
        "content": issue() if content is None and kind == "ISSUE" else content,
    }


def _day(dated: Dated | None) -> date:
    assert dated is not None
    return dated.day


def _source(dated: Dated | None) -> DateSource:
    assert dated is not None
    return dated.source


def _field(dated: Dated | None) -> str:
    assert dated is not None
    return dated.field


def test_date_fields_status_and_iteration_by_their_configured_names() -> None:
    plan = item_plan(
        card(
            date_value("Start date", "2027-01-11"),
            date_value("Target date", "2027-03-31"),
            select_value("Status", "In Progress"),
            select_value("Team", "Edge"),
            iteration_value("Sprint 3", "2027-01-04", 14),
        ),
        REF,
    )
    assert (_day(plan.start), _source(plan.start), _field(plan.start)) == (
        date(2027, 1, 11),
        DateSource.PROJECT_FIELD,
        "Start date",
    )
    assert (_day(plan.target), _source(plan.target), _field(plan.target)) == (
        date(2027, 3, 31),
        DateSource.PROJECT_FIELD,
        "Target date",
    )
    assert plan.status == "In Progress"

    renamed = ProjectRef(owner="acme", number=7, target_field="Due", status_field="Stage")
    other = item_plan(
        card(date_value("Due", "2027-02-01"), select_value("Stage", "Review")), renamed
    )
    assert (other.start, _day(other.target), other.status) == (None, date(2027, 2, 1), "Review")


def test_an_iteration_dates_what_the_date_fields_leave_open() -> None:
    plan = item_plan(card(iteration_value("Sprint 3", "2027-01-04", 14)), REF)
    assert (_day(plan.start), _source(plan.start), _field(plan.start)) == (
        date(2027, 1, 4),
        DateSource.ITERATION,
        "Sprint 3",
    )
    assert _day(plan.target) == date(2027, 1, 17)  # 14 days, the first counted
    both = item_plan(
        card(
            iteration_value("Sprint 3", "2027-01-04", 14), date_value("Target date", "2027-02-01")
        ),
        REF,
    )
    assert (_source(both.start), _source(both.target)) == (
        DateSource.ITERATION,
        DateSource.PROJECT_FIELD,
    )


def test_unreadable_values_are_mapping_errors() -> None:
    with pytest.raises(MappingError, match="Target date"):
        item_plan(card(date_value("Target date", "soon")), REF)
    broken = {**iteration_value("Sprint", "2027-01-04", 14), "startDate": None}
    with pytest.raises(MappingError, match="iteration"):
        item_plan(card(broken), REF)


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("DRAFT_ISSUE", {"__typename": "DraftIssue", "id": "DI_1", "title": "Idea"}),
        ("PULL_REQUEST", {"__typename": "PullRequest", "id": "PR_1", "number": 3}),
        ("REDACTED", None),
        ("ISSUE", issue(repository={"nameWithOwner": "Acme/Elsewhere"})),
    ],
)
def test_drafts_pull_requests_redacted_cards_and_other_repositories_are_not_planned(
    kind: str, content: Any
) -> None:
    assert planned_issue(card(kind=kind, content=content), REPOS) is None


def test_an_issue_of_a_synced_repository_is_planned_whatever_its_case() -> None:
    assert planned_issue(card(), ("acme/identity",)) is not None


def test_the_latest_status_update_is_the_declared_health() -> None:
    project = {
        "statusUpdates": {
            "nodes": [
                {
                    "status": "OFF_TRACK",
                    "body": "Blocked on the vendor.",
                    "startDate": "2026-10-01",
                    "targetDate": "2027-03-31",
                    "createdAt": "2026-11-30T12:00:00Z",
                    "creator": {"login": "mia-patel"},
                }
            ]
        }
    }
    health, at = latest_health(project)
    assert health == HealthUpdate(
        status=DeclaredHealth.OFF_TRACK,
        at=datetime(2026, 11, 30, 12, tzinfo=UTC),
        by="mia-patel",
        note="Blocked on the vendor.",
    )
    assert at == health.at
    silent = {
        "statusUpdates": {"nodes": [{**project["statusUpdates"]["nodes"][0], "status": None}]}
    }
    assert latest_health(silent) == (None, datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert latest_health({"statusUpdates": {"nodes": []}}) == (None, None)
    wrong = {
        "statusUpdates": {"nodes": [{**project["statusUpdates"]["nodes"][0], "status": "RED"}]}
    }
    with pytest.raises(MappingError, match="RED"):
        latest_health(wrong)


def mapped(content: dict[str, Any]) -> Any:
    return map_issue(rest_issue(content, BASE))


def test_project_values_win_over_the_milestone_and_health_goes_to_epics_only() -> None:
    said = HealthUpdate(status=DeclaredHealth.AT_RISK, note="Late.")
    plan = item_plan(
        card(date_value("Target date", "2027-03-31"), select_value("Status", "Done")), REF
    )
    plan = type(plan)(start=plan.start, target=plan.target, status=plan.status, health=said)
    epic = apply_plan(mapped(issue()), plan, is_open=True)
    assert epic.level is Level.EPIC
    assert (epic.target_date, epic.target_date_source, epic.target_date_field) == (
        date(2027, 3, 31),
        DateSource.PROJECT_FIELD,
        "Target date",
    )
    assert (epic.status_name, epic.status_category, epic.declared_health) == (
        "Done",
        StatusCategory.DONE,
        said,
    )
    story = apply_plan(mapped(issue(labels={"nodes": []})), plan, is_open=True)
    assert story.level is Level.ISSUE and story.declared_health is None


def test_without_a_project_date_the_milestone_stays_the_target() -> None:
    record = apply_plan(mapped(issue()), item_plan(card(), REF), is_open=True)
    assert (record.target_date, record.target_date_source, record.target_date_field) == (
        date(2027, 6, 30),
        DateSource.MILESTONE,
        "v2.0",
    )


def test_a_closed_issue_keeps_its_closed_status_and_statuses_name_categories() -> None:
    plan = item_plan(card(select_value("Status", "In Review")), REF)
    closed = issue(state="CLOSED", stateReason="NOT_PLANNED", closedAt="2026-12-01T08:00:00Z")
    kept = apply_plan(mapped(closed), plan, is_open=False)
    assert (kept.status_name, kept.status_category) == (
        "Closed (not planned)",
        StatusCategory.CANCELED,
    )
    unknown = apply_plan(mapped(issue()), plan, is_open=True)
    assert (unknown.status_name, unknown.status_category) == ("In Review", StatusCategory.TODO)
    named = apply_plan(
        mapped(issue()), plan, is_open=True, statuses={"In Review": StatusCategory.IN_PROGRESS}
    )
    assert named.status_category is StatusCategory.IN_PROGRESS


def plan_of(
    ref: ProjectRef, *values: dict[str, Any], health: HealthUpdate | None = None
) -> ProjectPlan:
    project = ProjectPlan(ref, health=health)
    project.cards["acme/identity#12"] = Card(
        item_id="PVTI_1",
        updated=datetime(2026, 11, 30, tzinfo=UTC),
        node_id="I_kwDOAbc0012",
        issue=orjson.dumps(issue()),
        plan=item_plan(card(*values), ref),
    )
    return project


def test_in_two_projects_the_first_configured_with_a_value_wins_per_value() -> None:
    roadmap, team = ProjectRef(owner="acme", number=7), ProjectRef(owner="acme", number=9)
    said = HealthUpdate(status=DeclaredHealth.ON_TRACK)
    index = PlanIndex(
        [
            plan_of(roadmap, date_value("Target date", "2027-03-31")),
            plan_of(
                team,
                date_value("Target date", "2027-01-31"),
                date_value("Start date", "2026-12-01"),
                select_value("Status", "In Progress"),
                health=said,
            ),
        ]
    )
    plan = index.plan_for("acme/identity#12")
    assert plan is not None
    assert (_day(plan.start), _day(plan.target), plan.status, plan.health) == (
        date(2026, 12, 1),
        date(2027, 3, 31),
        "In Progress",
        said,
    )
    assert index.plan_for("acme/identity#13") is None


def test_a_card_whose_values_cannot_be_read_skips_its_issue() -> None:
    project = plan_of(REF)
    project.cards["acme/identity#12"] = Card(
        item_id="PVTI_1",
        updated=datetime(2026, 11, 30, tzinfo=UTC),
        node_id="I_1",
        issue=b"{}",
        plan=None,
        error="Target date.date: not a date: 'soon'",
    )
    with pytest.raises(MappingError, match="project acme/7: Target date"):
        PlanIndex([project]).plan_for("acme/identity#12")


def test_rest_issue_builds_the_listing_shape_map_issue_reads() -> None:
    child = issue(
        13,
        parent={"number": 12, "repository": {"nameWithOwner": "Acme/Identity"}},
        stateReason="DUPLICATE",
        state="CLOSED",
        closedAt="2026-12-01T08:00:00Z",
        blocking={"nodes": [{"number": 40, "repository": {"nameWithOwner": "Acme/Search"}}]},
    )
    shaped = rest_issue(child, BASE)
    assert shaped["repository_url"] == f"{BASE}/repos/Acme/Identity"
    assert shaped["parent_issue_url"] == f"{BASE}/repos/Acme/Identity/issues/12"
    assert (shaped["state"], shaped["state_reason"]) == ("closed", "duplicate")
    record = map_issue(shaped)
    assert (record.parent_external_id, record.status_name) == (
        "acme/identity#12",
        "Closed (duplicate)",
    )
    with pytest.raises(MappingError, match="nameWithOwner"):
        rest_issue(issue(repository=None), BASE)
