"""Jira issue payloads (REST v3, as ``/search/jql`` returns them) to ``hub.contract.records``.

Pure functions: no HTTP, no clock, no database. Anything the payload does not let us map
raises ``MappingError`` so the connector can skip that one issue and report it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connectors.jira.dates import DEFAULT_ORDER, issue_dates
from connectors.jira.fields import CustomFields as CustomFields
from connectors.jira.fields import find_custom_fields as find_custom_fields
from connectors.payload import (
    MAPPINGS,
    MappingError,
    optional_datetime,
    optional_number,
    parse_datetime,
)
from connectors.payload import require_mapping as _mapping
from connectors.payload import require_text as _text
from hub.contract.records import ItemRecord, Level, PersonRecord, StatusCategory, raw_json

SYSTEM_FIELDS = (
    "summary",
    "description",
    "status",
    "resolution",
    "issuetype",
    "parent",
    "duedate",
    "resolutiondate",
    "assignee",
    "labels",
    "components",
    "issuelinks",
    "created",
    "updated",
)
"""What we ask search for: it returns only ``id`` unless told otherwise."""
NO_CUSTOM_FIELDS = CustomFields()
"""A site with none of our custom fields (or one not asked yet)."""

_CATEGORIES = {
    "new": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}
_CANCELLATIONS = frozenset(
    {"wont do", "wont fix", "cancelled", "canceled", "declined", "duplicate"}
)
_INLINE_NODES = frozenset(
    {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "placeholder"}
)


def requested_fields(custom: CustomFields, dates: Sequence[str] = DEFAULT_ORDER) -> tuple[str, ...]:
    """The fields a search asks for: ours, this site's custom ones, and what ``dates`` reads."""
    optional = {"plans": (custom.target_start, custom.target_end), "sprint": (custom.sprint,)}
    unread = {i for name, ids in optional.items() if name not in dates for i in ids}
    release = ("fixVersions",) if "release" in dates else ()
    return (*SYSTEM_FIELDS, *release, *(i for i in custom.ids if i not in unread))


def map_issue(
    issue: Mapping[str, Any],
    *,
    base: str,
    custom: CustomFields = NO_CUSTOM_FIELDS,
    dates: Sequence[str] = DEFAULT_ORDER,
    raw: bytes | None = None,
) -> ItemRecord:
    """One Jira issue as an ``ItemRecord``, keyed by its immutable ``id`` (keys change on moves).
    ``dates`` orders where its dates are read from (``SourceConfig.dates``); ``raw`` is the
    issue's JSON text as the search returned it, when it was read as text."""
    external_id = _text(issue.get("id"), "id")
    key = _text(issue.get("key"), "key")
    fields = issue.get("fields")
    if not isinstance(fields, MAPPINGS):
        raise MappingError(f"{key}: the issue has no 'fields' object")
    try:
        status = _mapping(fields.get("status"), "fields.status")
        status_name = _text(status.get("name"), "fields.status.name")
        parent = fields.get("parent")
        blocks, blocked_by = block_links(fields.get("issuelinks") or ())
        start, target = issue_dates(fields, custom, dates)
        return ItemRecord(
            external_id=external_id,
            key=key,
            url=f"{base.rstrip('/')}/browse/{key}",
            title=_text(fields.get("summary"), "fields.summary"),
            level=level_of(_mapping(fields.get("issuetype"), "fields.issuetype")),
            status_name=status_name,
            status_category=status_category(status, fields.get("resolution")),
            created_at=parse_datetime(fields.get("created"), "fields.created"),
            updated_at=parse_datetime(fields.get("updated"), "fields.updated"),
            body=adf_to_text(fields.get("description")),
            parent_external_id=_text(parent.get("id"), "fields.parent.id") if parent else None,
            start_date=start.day if start else None,
            start_date_source=start.source if start else None,
            start_date_field=start.field if start else None,
            target_date=target.day if target else None,
            target_date_source=target.source if target else None,
            target_date_field=target.field if target else None,
            completed_at=optional_datetime(fields.get("resolutiondate"), "fields.resolutiondate"),
            assignee=person(fields.get("assignee")),
            labels=tuple(str(label) for label in fields.get("labels") or ()),
            estimate=optional_number(
                _field(fields, custom.story_points), f"fields.{custom.story_points}"
            ),
            components=tuple(
                _text(c.get("name"), "fields.components[].name")
                for c in fields.get("components") or ()
            ),
            blocks=blocks,
            blocked_by=blocked_by,
            raw=raw_json(issue) if raw is None else raw,
        )
    except MappingError as exc:
        raise MappingError(f"{key}: {exc}") from None
    except (AttributeError, TypeError) as exc:
        raise MappingError(f"{key}: unexpected payload shape ({exc})") from None


def level_of(issuetype: Mapping[str, Any]) -> Level:
    """Level from ``hierarchyLevel``: 2+ initiative, 1 epic, 0 and -1 (sub-task) issue.
    Levels above 2 (Plans' themes and the like) are initiatives too; each keeps its ``parent``,
    so initiatives nest as deep as the site's hierarchy goes."""
    level = issuetype.get("hierarchyLevel")
    if isinstance(level, bool) or not isinstance(level, int):
        if issuetype.get("subtask") is True:
            return Level.ISSUE
        return Level.EPIC if issuetype.get("name") == "Epic" else Level.ISSUE
    if level >= 2:
        return Level.INITIATIVE
    return Level.EPIC if level == 1 else Level.ISSUE


def status_category(
    status: Mapping[str, Any], resolution: Mapping[str, Any] | None = None
) -> StatusCategory:
    """Jira's three categories, with "done" split into DONE and CANCELED by resolution or name."""
    category = status.get("statusCategory")
    key = category.get("key") if isinstance(category, MAPPINGS) else None
    if key not in _CATEGORIES:
        raise MappingError(f"unknown status category {key!r} for status {status.get('name')!r}")
    mapped = _CATEGORIES[key]
    if mapped is StatusCategory.DONE:
        names = [status.get("name"), resolution.get("name") if resolution else None]
        if any(_normalize(n) in _CANCELLATIONS for n in names if isinstance(n, str)):
            return StatusCategory.CANCELED
    return mapped


def block_links(links: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(blocks, blocked_by)`` ids from "Blocks" links; the side present says the direction."""
    blocks: dict[str, None] = {}
    blocked_by: dict[str, None] = {}
    for link in links:
        link_type = link.get("type") or {}
        if str(link_type.get("name", "")).casefold() != "blocks":
            continue
        if link.get("inwardIssue"):
            blocked_by[_text(link["inwardIssue"].get("id"), "issuelinks[].inwardIssue.id")] = None
        elif link.get("outwardIssue"):
            blocks[_text(link["outwardIssue"].get("id"), "issuelinks[].outwardIssue.id")] = None
    return tuple(blocks), tuple(blocked_by)


def person(user: Mapping[str, Any] | None) -> PersonRecord | None:
    if not user:
        return None
    return PersonRecord(
        external_id=_text(user.get("accountId"), "accountId"),
        name=user.get("displayName"),
        email=user.get("emailAddress") or None,
    )


def adf_to_text(description: Any) -> str:
    """Plain text of an Atlassian Document Format body: block nodes on their own lines.

    Mentions, emoji and links keep their visible text (and card URLs), so references to other
    trackers in a description stay findable.
    """
    if description is None:
        return ""
    if isinstance(description, str):
        return description
    if not isinstance(description, MAPPINGS):
        return ""
    return "\n".join(line for line in _lines(description) if line.strip())


def _lines(node: Mapping[str, Any]) -> list[str]:
    """Text of ``node`` as lines: inline children run together, block children break lines."""
    kind = node.get("type")
    if kind in _INLINE_NODES:
        return [_inline(node)]
    lines: list[str] = []
    run: list[str] = []
    for child in node.get("content") or ():
        if not isinstance(child, MAPPINGS):
            continue
        if child.get("type") in _INLINE_NODES:
            run.append(_inline(child))
            continue
        if run:
            lines.extend("".join(run).split("\n"))
            run = []
        lines.extend(_lines(child))
    if run:
        lines.extend("".join(run).split("\n"))
    return lines


def _inline(node: Mapping[str, Any]) -> str:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind == "inlineCard":
        return str(attrs.get("url", ""))
    return str(attrs.get("text") or attrs.get("shortName") or "")


def _normalize(name: str) -> str:
    return " ".join(name.casefold().replace("'", "").replace("\u2019", "").split())


def _field(fields: Mapping[str, Any], field_id: str | None) -> Any:
    """A custom field's value; None where the site has no such field."""
    return fields.get(field_id) if field_id else None
