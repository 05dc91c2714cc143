"""Linear GraphQL nodes (initiatives, projects, issues as ``queries`` selects them) to records.

Pure functions: no HTTP, no clock, no database. Anything a node does not let us map raises
``MappingError`` so the connector can skip that one node and report it. Archived is not
deleted (Linear auto-archives finished issues); only ``trashed`` marks a deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.linear.plans import (
    TARGET_DATE,
    declared_health,
    dependencies,
    issue_dates,
    milestones,
    project_dates,
)
from connectors.linear.plans import nodes as _nodes
from connectors.payload import (
    MappingError,
    optional_datetime,
    optional_number,
    parse_date,
    parse_datetime,
)
from connectors.payload import require_mapping as _mapping
from connectors.payload import require_text as _text
from hub.contract.records import (
    DateSource,
    ItemRecord,
    Level,
    PersonRecord,
    StatusCategory,
    raw_json,
)

INITIATIVE_STATUSES = {
    "Proposed": StatusCategory.TODO,
    "Planned": StatusCategory.TODO,
    "Active": StatusCategory.IN_PROGRESS,
    "Completed": StatusCategory.DONE,
    "Canceled": StatusCategory.CANCELED,
}
PROJECT_STATUS_TYPES = {
    "backlog": StatusCategory.TODO,
    "planned": StatusCategory.TODO,
    "started": StatusCategory.IN_PROGRESS,
    "paused": StatusCategory.IN_PROGRESS,
    "completed": StatusCategory.DONE,
    "canceled": StatusCategory.CANCELED,
}
ISSUE_STATE_TYPES = {
    "triage": StatusCategory.TODO,
    "backlog": StatusCategory.TODO,
    "unstarted": StatusCategory.TODO,
    "started": StatusCategory.IN_PROGRESS,
    "completed": StatusCategory.DONE,
    "canceled": StatusCategory.CANCELED,
    "duplicate": StatusCategory.CANCELED,
}
BLOCKS = "blocks"
"""The one issue relation type that is a dependency; "A blocks B" is stored on A only."""

Overrides = Mapping[str, StatusCategory]


def map_initiative(
    node: Mapping[str, Any], statuses: Overrides | None = None, raw: bytes | None = None
) -> ItemRecord:
    """An initiative as an INITIATIVE; its parent is the parent initiative, if any."""
    external_id = _text(node.get("id"), "id")
    name = _text(node.get("name"), "name")
    try:
        status = _text(node.get("status"), "status")
        target = parse_date(node.get("targetDate"), "targetDate")
        return ItemRecord(
            external_id=external_id,
            key=f"initiative:{node.get('slugId') or name}",
            url=_text(node.get("url"), "url"),
            title=name,
            level=Level.INITIATIVE,
            status_name=status,
            status_category=category(status, INITIATIVE_STATUSES.get(status), statuses),
            created_at=parse_datetime(node.get("createdAt"), "createdAt"),
            updated_at=parse_datetime(node.get("updatedAt"), "updatedAt"),
            body=_body(node),
            parent_external_id=_id_of(node.get("parentInitiative"), "parentInitiative.id"),
            target_date=target,
            target_date_source=DateSource.FIELD if target else None,
            target_date_field=TARGET_DATE if target else None,
            completed_at=optional_datetime(node.get("completedAt"), "completedAt"),
            assignee=person(node.get("owner")),
            declared_health=declared_health(node),
            deleted=node.get("trashed") is True,
            raw=raw_json(node) if raw is None else raw,
        )
    except MappingError as exc:
        raise MappingError(f"initiative {name!r}: {exc}") from None
    except (AttributeError, TypeError) as exc:
        raise MappingError(f"initiative {name!r}: unexpected payload shape ({exc})") from None


def map_project(
    node: Mapping[str, Any], statuses: Overrides | None = None, raw: bytes | None = None
) -> ItemRecord:
    """A project as an EPIC under its first initiative; its teams are its components."""
    external_id = _text(node.get("id"), "id")
    key = f"project:{_text(node.get('slugId'), 'slugId')}"
    try:
        status = _mapping(node.get("status"), "status")
        status_name = _text(status.get("name"), "status.name")
        initiatives = _ids(node.get("initiatives"), "initiatives")
        blocks, blocked_by = dependencies(node)
        return ItemRecord(
            external_id=external_id,
            key=key,
            url=_text(node.get("url"), "url"),
            title=_text(node.get("name"), "name"),
            level=Level.EPIC,
            status_name=status_name,
            status_category=category(
                status_name, PROJECT_STATUS_TYPES.get(str(status.get("type"))), statuses
            ),
            created_at=parse_datetime(node.get("createdAt"), "createdAt"),
            updated_at=parse_datetime(node.get("updatedAt"), "updatedAt"),
            body=_body(node),
            parent_external_id=initiatives[0] if initiatives else None,
            **project_dates(node),
            completed_at=optional_datetime(node.get("completedAt"), "completedAt"),
            assignee=person(node.get("lead")),
            components=tuple(
                _text(team.get("key"), "teams.nodes[].key") for team in _nodes(node.get("teams"))
            ),
            blocks=blocks,
            blocked_by=blocked_by,
            declared_health=declared_health(node),
            milestones=milestones(node.get("projectMilestones")),
            deleted=node.get("trashed") is True,
            raw=raw_json(node) if raw is None else raw,
        )
    except MappingError as exc:
        raise MappingError(f"{key}: {exc}") from None
    except (AttributeError, TypeError) as exc:
        raise MappingError(f"{key}: unexpected payload shape ({exc})") from None


def map_issue(
    node: Mapping[str, Any], statuses: Overrides | None = None, raw: bytes | None = None
) -> ItemRecord:
    """An issue as an ISSUE under its parent issue, else under its project."""
    external_id = _text(node.get("id"), "id")
    key = _text(node.get("identifier"), "identifier")
    try:
        state = _mapping(node.get("state"), "state")
        state_name = _text(state.get("name"), "state.name")
        team = _mapping(node.get("team"), "team")
        parent = _id_of(node.get("parent"), "parent.id") or _id_of(
            node.get("project"), "project.id"
        )
        return ItemRecord(
            external_id=external_id,
            key=key,
            url=_text(node.get("url"), "url"),
            title=_text(node.get("title"), "title"),
            level=Level.ISSUE,
            status_name=state_name,
            status_category=category(
                state_name, ISSUE_STATE_TYPES.get(str(state.get("type"))), statuses
            ),
            created_at=parse_datetime(node.get("createdAt"), "createdAt"),
            updated_at=parse_datetime(node.get("updatedAt"), "updatedAt"),
            body=str(node.get("description") or ""),
            parent_external_id=parent,
            **issue_dates(node),
            completed_at=optional_datetime(node.get("completedAt"), "completedAt"),
            assignee=person(node.get("assignee")),
            labels=tuple(
                _text(label.get("name"), "labels.nodes[].name")
                for label in _nodes(node.get("labels"))
            ),
            estimate=optional_number(node.get("estimate"), "estimate"),
            components=(_text(team.get("key"), "team.key"),),
            blocks=blocked_ids(node.get("relations"), "relatedIssue"),
            deleted=node.get("trashed") is True,
            raw=raw_json(node) if raw is None else raw,
        )
    except MappingError as exc:
        raise MappingError(f"{key}: {exc}") from None
    except (AttributeError, TypeError) as exc:
        raise MappingError(f"{key}: unexpected payload shape ({exc})") from None


def category(
    name: str, mapped: StatusCategory | None, overrides: Overrides | None = None
) -> StatusCategory:
    """The source's override for ``name``, else Linear's own category; neither is an error.

    An override also rescues a status type Linear adds after this code was written.
    """
    if overrides and name in overrides:
        return overrides[name]
    if mapped is None:
        raise MappingError(f"status {name!r} has an unknown type: map it in the source's statuses")
    return mapped


def blocked_ids(relations: Any, side: str) -> tuple[str, ...]:
    """Ids this node blocks: the ``side`` end of its relations of type "blocks"."""
    blocked: dict[str, None] = {}
    for relation in _nodes(relations):
        if relation.get("type") == BLOCKS:
            blocked[_text(_mapping(relation.get(side), side).get("id"), f"{side}.id")] = None
    return tuple(blocked)


def truncated(node: Mapping[str, Any], limits: Mapping[str, int]) -> tuple[str, ...]:
    """Names of the nested lists of ``node`` that came back full, so may have been cut."""
    names = []
    for name, limit in limits.items():
        value = node.get(name)
        nodes = value.get("nodes") if isinstance(value, Mapping) else None
        if isinstance(nodes, list) and len(nodes) >= limit:
            names.append(name)
    return tuple(names)


def person(user: Any) -> PersonRecord | None:
    if not isinstance(user, Mapping):
        return None
    return PersonRecord(
        external_id=_text(user.get("id"), "user.id"),
        name=user.get("name") or None,
        email=user.get("email") or None,
    )


def _body(node: Mapping[str, Any]) -> str:
    """The long ``content`` where a payload has it, else the short ``description``."""
    return str(node.get("content") or node.get("description") or "")


def _ids(connection: Any, name: str) -> list[str]:
    return [_text(n.get("id"), f"{name}.nodes[].id") for n in _nodes(connection)]


def _id_of(value: Any, name: str) -> str | None:
    return None if value is None else _text(_mapping(value, name).get("id"), name)
