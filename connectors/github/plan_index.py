"""The plan index: what a source's Projects (v2) say of each issue, read once per sync.

Every stream that emits an issue applies the index to it, so each stored record of an issue
carries its plan values whichever stream wrote it last, and no stream undoes another's. The
index keeps each card's issue as GraphQL sent it (JSON text), so that the project's own stream
can map a changed card's issue without asking for it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from connectors.github.client import GitHubClient, OwnerKind
from connectors.github.projects import (
    PlanValues,
    content_id,
    item_plan,
    latest_health,
    planned_issue,
)
from connectors.paging import follow_pages
from connectors.payload import MappingError, parse_datetime
from hub.contract.config import ProjectRef, SourceConfig
from hub.contract.records import HealthUpdate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Card:
    """One issue's card in one project, as this sync read it."""

    item_id: str
    """The card's node id (``PVTI_…``)."""
    updated: datetime
    node_id: str
    """The issue's node id, to ask for it once it leaves the project."""
    issue: bytes
    """The issue as GraphQL sent it (``project_query.ISSUE_FIELDS``), as JSON text."""
    plan: PlanValues | None
    """Its dates and status; None when the card's values could not be read (``error``)."""
    error: str | None = None

    def content(self) -> Mapping[str, Any]:
        value: Mapping[str, Any] = orjson.loads(self.issue)
        return value


@dataclass(slots=True)
class ProjectPlan:
    """One project as this sync read it: its issues' cards and its latest status update."""

    ref: ProjectRef
    cards: dict[str, Card] = field(default_factory=dict)
    """By the issue's external id."""
    health: HealthUpdate | None = None
    health_at: datetime | None = None
    """When the newest status update was posted, even one declaring no status."""
    newest_item: datetime | None = None
    """The newest ``updatedAt`` of any card, drafts and pull requests included."""
    items: list[tuple[datetime, str]] = field(default_factory=list)
    """``(updatedAt, card id)`` of every card read, for the stream's cursor."""


class PlanIndex:
    """The source's projects in the order configured; the first with a value wins."""

    def __init__(self, projects: list[ProjectPlan]) -> None:
        self.projects = projects
        self.emitted: set[str] = set()
        """External ids of planned issues the repositories' streams emitted during this sync,
        with these values: a project's stream need not emit them again."""

    def __contains__(self, external_id: str) -> bool:
        return any(external_id in project.cards for project in self.projects)

    def project(self, ref: ProjectRef) -> ProjectPlan:
        return next(project for project in self.projects if project.ref == ref)

    def plan_for(self, external_id: str) -> PlanValues | None:
        """What the projects say of an issue; None when none holds it. A card whose values
        could not be read raises ``MappingError``: the issue is skipped, not stored without."""
        found: PlanValues | None = None
        for project in self.projects:
            card = project.cards.get(external_id)
            if card is None:
                continue
            if card.plan is None:
                raise MappingError(f"project {project.ref.label}: {card.error}")
            here = PlanValues(
                start=card.plan.start,
                target=card.plan.target,
                status=card.plan.status,
                health=project.health,
            )
            found = here if found is None else found.or_else(here)
        return found


async def read_plans(client: GitHubClient, source: SourceConfig) -> PlanIndex:
    """Every configured project, page by page (100 cards a request)."""
    return PlanIndex([await read_project(client, source, ref) for ref in source.projects_v2])


async def read_project(client: GitHubClient, source: SourceConfig, ref: ProjectRef) -> ProjectPlan:
    plan = ProjectPlan(ref)
    kind: OwnerKind | None = None

    async def read(after: str | None) -> tuple[Mapping[str, Any], str | None]:
        nonlocal kind
        project, kind = await client.project_page(ref, after, kind)
        connection = project.get("items") or {}
        info = connection.get("pageInfo") or {}
        return project, info.get("endCursor") if info.get("hasNextPage") else None

    pages = follow_pages(
        read,
        f"{source.name}: GitHub returned the same items cursor twice for project "
        f"{ref.label}; stopped paging to avoid a loop",
    )
    first = True
    async for page in pages:
        if first:
            plan.health, plan.health_at = _health(source, ref, page)
            first = False
        for item in _items(page):
            _take(plan, source, item)
    return plan


def _items(project: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    connection = project.get("items")
    nodes = connection.get("nodes") if isinstance(connection, Mapping) else None
    return (node for node in nodes or () if isinstance(node, Mapping))


def _take(plan: ProjectPlan, source: SourceConfig, item: Mapping[str, Any]) -> None:
    """One card into the project's plan; a card without an id or date is left out (it could
    never be compared with the cursor)."""
    try:
        item_id = str(item["id"])
        updated = parse_datetime(item.get("updatedAt"), "updatedAt")
    except (KeyError, MappingError):
        return
    plan.items.append((updated, item_id))
    if plan.newest_item is None or updated > plan.newest_item:
        plan.newest_item = updated
    content = planned_issue(item, source.repos)
    if content is None:
        return
    try:
        external_id = content_id(content)
    except MappingError as exc:
        log.warning("%s: project %s: card %s: %s", source.name, plan.ref.label, item_id, exc)
        return
    try:
        values, error = item_plan(item, plan.ref), None
    except MappingError as exc:
        values, error = None, str(exc)
    plan.cards[external_id] = Card(
        item_id=item_id,
        updated=updated,
        node_id=str(content.get("id") or ""),
        issue=orjson.dumps(content),
        plan=values,
        error=error,
    )


def _health(
    source: SourceConfig, ref: ProjectRef, project: Mapping[str, Any]
) -> tuple[HealthUpdate | None, datetime | None]:
    try:
        return latest_health(project)
    except MappingError as exc:
        # A status GitHub adds later must not hide the project's dates.
        log.warning("%s: project %s: status update ignored: %s", source.name, ref.label, exc)
        return None, None
