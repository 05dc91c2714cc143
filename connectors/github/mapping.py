"""GitHub issue payloads (REST, as the issue listing returns them) to ``hub.contract.records``.

Pure functions: no HTTP, no clock, no database. Ids are ``owner/repo#number`` lowercased, built
from the payload alone, so parent and dependency references need no lookups (GitHub treats
owner and repository names case-insensitively). Anything we cannot map raises ``MappingError``
so the connector can skip that one issue and report it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from connectors.payload import MAPPINGS, MappingError, optional_datetime, parse_datetime
from hub.contract.records import (
    DateSource,
    ItemRecord,
    Level,
    PersonRecord,
    StatusCategory,
    raw_json,
)

_CLOSED_REASONS = {
    None: ("Closed", StatusCategory.DONE),
    "completed": ("Closed", StatusCategory.DONE),
    "reopened": ("Closed", StatusCategory.DONE),
    "not_planned": ("Closed (not planned)", StatusCategory.CANCELED),
    "duplicate": ("Closed (duplicate)", StatusCategory.CANCELED),
}


@dataclass(frozen=True, slots=True)
class Dependencies:
    """External ids an issue blocks and is blocked by, as GraphQL reported them."""

    blocks: tuple[str, ...] = ()
    blocked_by: tuple[str, ...] = ()


def item_key(name_with_owner: str, number: int) -> str:
    """``owner/repo#number`` as GitHub spells it (the human-facing key)."""
    return f"{name_with_owner}#{number}"


def external_id(name_with_owner: str, number: int) -> str:
    """``owner/repo#number`` lowercased: the same issue however a payload spells its repo."""
    return item_key(name_with_owner, number).lower()


def repo_of(repository_url: Any) -> str:
    """``owner/repo`` from ``.../repos/owner/repo`` (api.github.com or GHES ``/api/v3``)."""
    if isinstance(repository_url, str) and repository_url:
        return _repo_of_url(repository_url)
    raise MappingError("repository_url is missing")


@lru_cache(maxsize=1024)
def _repo_of_url(repository_url: str) -> str:
    """Cached: every issue of a repository names the same URL, read several times per sync."""
    parts = _path_parts(repository_url, "repository_url")
    if len(parts) < 3 or parts[-3] != "repos":
        raise MappingError(f"repository_url: not a repository URL: {repository_url!r}")
    return f"{parts[-2]}/{parts[-1]}"


def parent_id(parent_issue_url: Any) -> str | None:
    """The parent's external id from ``.../repos/owner/repo/issues/12``; None without a parent."""
    if parent_issue_url is None:
        return None
    if isinstance(parent_issue_url, str):
        # The repository part is parsed once per repository, not once per child.
        issues, _, number = parent_issue_url.rpartition("/")
        repo = _repo_of_issues_url(issues) if number.isdigit() else None
        if repo is not None:
            return external_id(repo, _number(number, "parent_issue_url"))
    parts = _path_parts(parent_issue_url, "parent_issue_url")
    if len(parts) < 5 or parts[-5] != "repos" or parts[-2] != "issues":
        raise MappingError(f"parent_issue_url: not an issue URL: {parent_issue_url!r}")
    return external_id(f"{parts[-4]}/{parts[-3]}", _number(parts[-1], "parent_issue_url"))


@lru_cache(maxsize=1024)
def _repo_of_issues_url(issues_url: str) -> str | None:
    """``owner/repo`` from ``.../repos/owner/repo/issues``; None for any other URL."""
    parts = [part for part in urlsplit(issues_url).path.split("/") if part]
    if len(parts) < 4 or parts[-4] != "repos" or parts[-1] != "issues":
        return None
    return f"{parts[-3]}/{parts[-2]}"


def issue_id(issue: Mapping[str, Any]) -> str:
    """The external id of a listed issue (or pull request)."""
    return external_id(repo_of(issue.get("repository_url")), _number(issue.get("number")))


def needs_dependencies(issue: Mapping[str, Any]) -> bool:
    """Whether the issue's dependency summary says it blocks anything (open or closed)."""
    summary = issue.get("issue_dependencies_summary")
    if not isinstance(summary, MAPPINGS):
        return False
    return _count(summary.get("total_blocking")) > 0


def dependencies(node: Mapping[str, Any]) -> Dependencies:
    """The dependency lists a GraphQL ``Issue`` node carries, as external ids."""

    def ends(connection: Any) -> tuple[str, ...]:
        nodes = connection.get("nodes") if isinstance(connection, MAPPINGS) else None
        found: dict[str, None] = {}
        for other in nodes or ():
            if not isinstance(other, MAPPINGS):
                continue
            repository = other.get("repository")
            name = repository.get("nameWithOwner") if isinstance(repository, MAPPINGS) else None
            if isinstance(name, str) and name:
                found[external_id(name, _number(other.get("number")))] = None
        return tuple(found)

    return Dependencies(blocks=ends(node.get("blocking")), blocked_by=ends(node.get("blockedBy")))


def status_of(
    issue: Mapping[str, Any], overrides: Mapping[str, StatusCategory] | None = None
) -> tuple[str, StatusCategory]:
    """``(status_name, category)`` from ``state`` and ``state_reason``.

    A source's ``statuses`` override the category by status name, and also let an operator
    map a closing reason GitHub adds after this code was written ("Closed (<reason>)").
    """
    overrides = overrides or {}
    state, reason = issue.get("state"), issue.get("state_reason")
    if state == "open":
        name, category = "Open", StatusCategory.TODO
    elif state == "closed" and reason in _CLOSED_REASONS:
        name, category = _CLOSED_REASONS[reason]
    elif state == "closed" and isinstance(reason, str):
        name = f"Closed ({reason.replace('_', ' ')})"
        if name not in overrides:
            raise MappingError(
                f"unknown state_reason {reason!r}: map status '{name}' in the source's statuses"
            )
        category = overrides[name]
    else:
        raise MappingError(f"unknown state {state!r}")
    return name, overrides.get(name, category)


def level_of(
    issue: Mapping[str, Any], epic_label: str, names: tuple[str, ...] | None = None
) -> Level:
    """EPIC with sub-issues or the epic label, else ISSUE (GitHub has no initiatives).

    ``names`` are the issue's ``labels``, when the caller has read them already."""
    summary = issue.get("sub_issues_summary")
    if isinstance(summary, MAPPINGS) and _count(summary.get("total")) > 0:
        return Level.EPIC
    wanted = epic_label.casefold()
    names = labels(issue) if names is None else names
    return Level.EPIC if any(n.casefold() == wanted for n in names) else Level.ISSUE


def labels(issue: Mapping[str, Any]) -> tuple[str, ...]:
    """Label names; the REST description allows a label to be a bare string too."""
    names: list[str] = []
    for label in issue.get("labels") or ():
        name = label.get("name") if isinstance(label, MAPPINGS) else label
        if isinstance(name, str) and name:
            names.append(name)
    return tuple(names)


def map_issue(
    issue: Mapping[str, Any],
    *,
    epic_label: str = "epic",
    statuses: Mapping[str, StatusCategory] | None = None,
    relations: Dependencies | None = None,
    raw: bytes | None = None,
) -> ItemRecord:
    """One GitHub issue as an ``ItemRecord``; ``relations`` come from the GraphQL batch, and
    ``raw`` is the issue's JSON text as listed (``connectors.body.element``), when it was read
    as text."""
    number = _number(issue.get("number"))
    repo = repo_of(issue.get("repository_url"))
    key = item_key(repo, number)
    try:
        status_name, category = status_of(issue, statuses)
        relations = relations or Dependencies()
        names = labels(issue)
        milestone = issue.get("milestone")
        due = _due_date(milestone)
        return ItemRecord(
            external_id=external_id(repo, number),
            key=key,
            url=_text(issue.get("html_url"), "html_url"),
            title=_text(issue.get("title"), "title"),
            level=level_of(issue, epic_label, names),
            status_name=status_name,
            status_category=category,
            created_at=parse_datetime(issue.get("created_at"), "created_at"),
            updated_at=parse_datetime(issue.get("updated_at"), "updated_at"),
            body=issue.get("body") or "",
            parent_external_id=parent_id(issue.get("parent_issue_url")),
            target_date=due,
            target_date_source=DateSource.MILESTONE if due else None,
            target_date_field=_title(milestone) if due else None,
            completed_at=(
                optional_datetime(issue.get("closed_at"), "closed_at")
                if category is StatusCategory.DONE
                else None
            ),
            assignee=assignee(issue),
            labels=names,
            components=(repo,),
            blocks=relations.blocks,
            blocked_by=relations.blocked_by,
            raw=raw_json(issue) if raw is None else raw,
        )
    except MappingError as exc:
        raise MappingError(f"{key}: {exc}") from None
    except (AttributeError, TypeError) as exc:
        raise MappingError(f"{key}: unexpected payload shape ({exc})") from None


def assignee(issue: Mapping[str, Any]) -> PersonRecord | None:
    """The first of ``assignees`` (API version 2026-03-10 drops the singular ``assignee``)."""
    users = issue.get("assignees") or ([issue["assignee"]] if issue.get("assignee") else [])
    for user in users:
        if isinstance(user, MAPPINGS) and isinstance(user.get("login"), str):
            return PersonRecord(external_id=user["login"], name=user["login"], email=None)
    return None


def _due_date(milestone: Any) -> date | None:
    if milestone is None:  # most issues: no call into ``Mapping.__instancecheck__``
        return None
    due = milestone.get("due_on") if isinstance(milestone, MAPPINGS) else None
    return None if due is None else parse_datetime(due, "milestone.due_on").date()


def _title(milestone: Any) -> str | None:
    title = milestone.get("title") if isinstance(milestone, MAPPINGS) else None
    return title if isinstance(title, str) and title else None


def _path_parts(url: Any, name: str) -> list[str]:
    if not isinstance(url, str) or not url:
        raise MappingError(f"{name} is missing")
    return [part for part in urlsplit(url).path.split("/") if part]


def _number(value: Any, name: str = "number") -> int:
    if isinstance(value, bool):
        raise MappingError(f"{name}: not an issue number: {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise MappingError(f"{name}: not an issue number: {value!r}") from None
    if number <= 0:
        raise MappingError(f"{name}: not an issue number: {value!r}")
    return number


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or value == "":
        raise MappingError(f"{name} is missing")
    return value
