"""GitHub Projects (v2) payloads to plan values: pure functions, no HTTP, no clock.

A project card (``ProjectV2Item``) dates its issue through the project's date fields or its
iteration, names its status through a single-select field, and the project's latest status
update (``ProjectV2StatusUpdate``) is the health its team declares for the epics it holds.
``rest_issue`` reads the issue a card holds into the shape of REST's issue listing, so the
same ``map_issue`` maps an issue whichever stream read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from connectors.github.mapping import external_id
from connectors.payload import MAPPINGS, MappingError, parse_date, parse_datetime
from hub.contract.config import ProjectRef
from hub.contract.records import (
    DateSource,
    DeclaredHealth,
    HealthUpdate,
    ItemRecord,
    Level,
    StatusCategory,
)

ISSUE = "ISSUE"
"""The one ``ProjectV2ItemType`` planned here: DRAFT_ISSUE, PULL_REQUEST and REDACTED cards
are no work items of the hub (or cannot be seen)."""
STATUS_CATEGORIES = {
    "Todo": StatusCategory.TODO,
    "In Progress": StatusCategory.IN_PROGRESS,
    "Done": StatusCategory.DONE,
}
"""The options of the Status field every new project starts with; a source's ``statuses``
map others (and may override these)."""


@dataclass(frozen=True, slots=True)
class Dated:
    """A day and where it came from."""

    day: date
    source: DateSource
    field: str


@dataclass(frozen=True, slots=True)
class PlanValues:
    """What the projects holding an issue say of it; None where none says anything."""

    start: Dated | None = None
    target: Dated | None = None
    status: str | None = None
    health: HealthUpdate | None = None

    def or_else(self, other: PlanValues) -> PlanValues:
        """These values, each missing one taken from ``other`` (a later project)."""
        return PlanValues(
            start=self.start or other.start,
            target=self.target or other.target,
            status=self.status or other.status,
            health=self.health or other.health,
        )


def planned_issue(item: Mapping[str, Any], repos: Iterable[str]) -> Mapping[str, Any] | None:
    """The issue a card holds when it is one of ``repos`` (compared without case); None for
    drafts, pull requests, redacted cards and issues of other repositories."""
    if item.get("type") != ISSUE:
        return None
    content = item.get("content")
    if not isinstance(content, MAPPINGS) or content.get("__typename", "Issue") != "Issue":
        return None
    wanted = {repo.lower() for repo in repos}
    return content if repo_name(content).lower() in wanted else None


def item_plan(item: Mapping[str, Any], ref: ProjectRef) -> PlanValues:
    """A card's dates and status by the field names ``ref`` gives.

    A date field dates the issue (PROJECT_FIELD); either date missing is taken from the
    iteration (ITERATION): its first day, and its last, ``duration`` days after the first
    counting the first. The status field's option is the status name.
    """
    dates: dict[str, date] = {}
    status: str | None = None
    iteration: tuple[str, date, int] | None = None
    for value in _field_values(item):
        name = _field_name(value)
        kind = value.get("__typename")
        if kind == "ProjectV2ItemFieldDateValue" and name in (ref.start_field, ref.target_field):
            day = parse_date(value.get("date"), f"{name}.date")
            if day is not None:
                dates[name] = day
        elif kind == "ProjectV2ItemFieldIterationValue" and name == ref.iteration_field:
            iteration = _iteration(value)
        elif kind == "ProjectV2ItemFieldSingleSelectValue" and name == ref.status_field:
            option = value.get("name")
            status = option if isinstance(option, str) and option else None
    start = _dated(dates, ref.start_field)
    target = _dated(dates, ref.target_field)
    if iteration is not None:
        title, first, duration = iteration
        start = start or Dated(first, DateSource.ITERATION, title)
        last = first + timedelta(days=duration - 1)
        target = target or Dated(last, DateSource.ITERATION, title)
    return PlanValues(start=start, target=target, status=status)


def latest_health(project: Mapping[str, Any]) -> tuple[HealthUpdate | None, datetime | None]:
    """The declared health of the project's newest status update and when it was posted; an
    update without a status declares nothing but is still the newest seen."""
    connection = project.get("statusUpdates")
    nodes = connection.get("nodes") if isinstance(connection, MAPPINGS) else None
    update = next((node for node in nodes or () if isinstance(node, MAPPINGS)), None)
    if update is None:
        return None, None
    at = parse_datetime(update.get("createdAt"), "statusUpdates.createdAt")
    status = update.get("status")
    if status is None:
        return None, at
    try:
        declared = DeclaredHealth(status)
    except ValueError:
        raise MappingError(f"statusUpdates.status: unknown status {status!r}") from None
    creator = update.get("creator")
    login = creator.get("login") if isinstance(creator, MAPPINGS) else None
    body = update.get("body")
    return HealthUpdate(
        status=declared,
        at=at,
        by=login if isinstance(login, str) else None,
        note=body if isinstance(body, str) else "",
    ), at


def apply_plan(
    record: ItemRecord,
    plan: PlanValues | None,
    *,
    is_open: bool,
    statuses: Mapping[str, StatusCategory] | None = None,
) -> ItemRecord:
    """``record`` with what its projects say: their dates over its milestone's, their status
    over "Open" (a closed issue keeps its closed status) and, for an epic, the declared health.

    The status's category comes from the source's ``statuses``, else a new project's default
    options (Todo, In Progress, Done), else stays the issue's own.
    """
    if plan is None:
        return record
    changes: dict[str, Any] = {}
    if plan.start is not None:
        changes |= _date_changes("start", plan.start)
    if plan.target is not None:
        changes |= _date_changes("target", plan.target)
    if plan.status is not None and is_open:
        known = (statuses or {}).get(plan.status) or STATUS_CATEGORIES.get(plan.status)
        changes["status_name"] = plan.status
        changes["status_category"] = known or record.status_category
    if plan.health is not None and record.level is Level.EPIC:
        changes["declared_health"] = plan.health
    return replace(record, **changes) if changes else record


def rest_issue(content: Mapping[str, Any], base: str) -> dict[str, Any]:
    """An issue as GraphQL gives it (``project_query.ISSUE_FIELDS``) in the shape of REST's
    issue listing, as far as ``map_issue`` reads it; ``base`` is the REST base URL its URLs
    are built on."""
    repo = repo_name(content)
    parent = content.get("parent")
    return {
        "node_id": content.get("id"),
        "number": content.get("number"),
        "repository_url": f"{base}/repos/{repo}",
        "html_url": content.get("url"),
        "title": content.get("title"),
        "body": content.get("body"),
        "state": _lower(content.get("state")),
        "state_reason": _lower(content.get("stateReason")),
        "labels": [{"name": node.get("name")} for node in _nodes(content.get("labels"))],
        "assignees": [{"login": node.get("login")} for node in _nodes(content.get("assignees"))],
        "milestone": _milestone(content.get("milestone")),
        "created_at": content.get("createdAt"),
        "updated_at": content.get("updatedAt"),
        "closed_at": content.get("closedAt"),
        "parent_issue_url": (
            f"{base}/repos/{repo_name(parent)}/issues/{parent.get('number')}"
            if isinstance(parent, MAPPINGS)
            else None
        ),
        "sub_issues_summary": _summary(
            content.get("subIssuesSummary"),
            total="total",
            completed="completed",
            percent_completed="percentCompleted",
        ),
        "issue_dependencies_summary": _summary(
            content.get("issueDependenciesSummary"),
            blocked_by="blockedBy",
            blocking="blocking",
            total_blocked_by="totalBlockedBy",
            total_blocking="totalBlocking",
        ),
    }


def content_id(content: Mapping[str, Any]) -> str:
    """The external id of the issue a card holds."""
    number = content.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise MappingError(f"content.number: not an issue number: {number!r}")
    return external_id(repo_name(content), number)


def repo_name(content: Mapping[str, Any]) -> str:
    repository = content.get("repository")
    name = repository.get("nameWithOwner") if isinstance(repository, MAPPINGS) else None
    if not isinstance(name, str) or "/" not in name:
        raise MappingError("repository.nameWithOwner is missing")
    return name


def _field_values(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [node for node in _nodes(item.get("fieldValues")) if isinstance(node, MAPPINGS)]


def _field_name(value: Mapping[str, Any]) -> str | None:
    field = value.get("field")
    name = field.get("name") if isinstance(field, MAPPINGS) else None
    return name if isinstance(name, str) else None


def _iteration(value: Mapping[str, Any]) -> tuple[str, date, int] | None:
    title, duration = value.get("title"), value.get("duration")
    first = parse_date(value.get("startDate"), "iteration.startDate")
    if not isinstance(title, str) or not isinstance(duration, int) or first is None:
        raise MappingError(f"iteration value without title, startDate or duration: {value!r}")
    return title, first, max(duration, 1)


def _dated(dates: Mapping[str, date], name: str) -> Dated | None:
    return Dated(dates[name], DateSource.PROJECT_FIELD, name) if name in dates else None


def _date_changes(which: str, dated: Dated) -> dict[str, Any]:
    return {
        f"{which}_date": dated.day,
        f"{which}_date_source": dated.source,
        f"{which}_date_field": dated.field,
    }


def _nodes(connection: Any) -> list[Any]:
    nodes = connection.get("nodes") if isinstance(connection, MAPPINGS) else None
    return [node for node in nodes or () if isinstance(node, MAPPINGS)]


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _milestone(milestone: Any) -> dict[str, Any] | None:
    if not isinstance(milestone, MAPPINGS):
        return None
    return {"title": milestone.get("title"), "due_on": milestone.get("dueOn")}


def _summary(summary: Any, **names: str) -> dict[str, Any] | None:
    if not isinstance(summary, MAPPINGS):
        return None
    return {rest: summary.get(graphql) for rest, graphql in names.items()}
