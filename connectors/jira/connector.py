"""The Jira connector: one ``issues`` stream read through JQL search, newest changes last.

Incremental syncs filter on ``updated`` in epoch milliseconds, because a bare JQL date-time is
read in the searching account's time zone. The window starts five minutes before the cursor:
Jira compares at minute precision and its search is eventually consistent.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from connectors.base import Batch, Fetched, Skipped, TrackerConnector
from connectors.jira.client import MAX_BULK_FETCH, JiraClient
from connectors.jira.dates import DEFAULT_ORDER
from connectors.jira.mapping import (
    CustomFields,
    find_custom_fields,
    map_issue,
    requested_fields,
)
from connectors.paging import page_objects
from connectors.payload import MAPPINGS, MappingError, parse_datetime
from hub.contract.config import SourceConfig
from hub.contract.errors import ConfigError, HubError
from hub.contract.records import ItemRecord

ISSUES = "issues"
OVERLAP_MS = 5 * 60 * 1000
MAX_PAGE = 100
"""Jira caps search pages at 100 issues when fields beyond the id are requested."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


class JiraConnector(TrackerConnector[JiraClient]):
    kind = "jira"
    has_census = True

    custom: CustomFields | None = None
    """This site's custom field ids, found by ``prepare``."""

    def new_client(self, source: SourceConfig, **http: Any) -> JiraClient:
        return JiraClient(source, **http)

    def streams(self) -> Sequence[str]:
        return (ISSUES,)

    async def prepare(self) -> None:
        """Find this site's start date, story point, Plans and Sprint field ids (they differ
        per site)."""
        self.custom = find_custom_fields(
            await self.client.fields(), start_date_names=(self.source.start_date_field,)
        )

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        if stream != ISSUES:
            raise ValueError(f"jira has no stream {stream!r}; streams: {ISSUES}")
        if self.custom is None:
            await self.prepare()
        custom = self.custom or CustomFields()
        high = decode_cursor(cursor)
        jql = issue_jql(self.source, high)
        dates = self.source.dates
        fields = requested_fields(custom, dates)
        pages = self.client.search_pages(jql, fields, max_results=self.source.page_size or MAX_PAGE)
        async for page in pages:
            items, skipped, page_high = map_page(
                page.issues, base=self.source.base, custom=custom, dates=dates
            )
            if page_high is not None and (high is None or page_high > high):
                high = page_high
            yield Batch(
                items=items,
                cursor=encode_cursor(high) if high is not None else None,
                skipped=skipped,
            )

    async def fetch_items(self, refs: Sequence[str]) -> Fetched:
        """The issues ``refs`` names (ids, or keys), 100 per bulk fetch, mapped as a sync maps
        them. Bulk fetch rather than ``id in (...)`` search: search may lag behind a write
        the webhook announces, and refuses the whole query when one id no longer exists.

        An issue Jira no longer returns (deleted, or hidden from the account), or one outside
        the source's scope (moved to a project the source does not read), is ``gone``, as the
        id census would find it. One Jira could not return this time is ``skipped``, not gone.
        A source scoped by ``jql`` costs one id search more per call, to check that scope.
        """
        if self.custom is None:
            await self.prepare()
        custom = self.custom or CustomFields()
        fields = requested_fields(custom, self.source.dates)
        wanted = list(dict.fromkeys(refs))
        items: list[ItemRecord] = []
        skipped: list[Skipped] = []
        answered: set[str] = set()
        for start in range(0, len(wanted), MAX_BULK_FETCH):
            answer = await self.client.bulk_fetch(wanted[start : start + MAX_BULK_FETCH], fields)
            mapped, unmapped, _ = map_page(
                answer.issues, base=self.source.base, custom=custom, dates=self.source.dates
            )
            items += mapped
            skipped += unmapped
            answered |= {str(error.id) for error in answer.issue_errors if error.id}
            skipped += [
                Skipped(
                    key=str(error.id), reason=f"Jira could not return it: {error.error_message}"
                )
                for error in answer.issue_errors
                if error.id
            ]
            answered |= _answered(answer.issues)
        in_scope = await self._in_scope(items)
        gone = [ref for ref in wanted if ref not in answered]
        gone += [item.external_id for item in items if item.external_id not in in_scope]
        return Fetched(
            items=[item for item in items if item.external_id in in_scope],
            gone=gone,
            skipped=skipped,
        )

    async def _in_scope(self, items: Sequence[ItemRecord]) -> set[str]:
        """The ids of ``items`` the source reads: by project key, else by its JQL."""
        if self.source.projects:
            projects = {p.casefold() for p in self.source.projects}
            return {
                item.external_id
                for item in items
                if item.key.rpartition("-")[0].casefold() in projects
            }
        if not items:
            return set()
        ids = ", ".join(item.external_id for item in items)
        found: set[str] = set()
        async for page in self.client.id_pages(f"({scope_jql(self.source)}) AND id in ({ids})"):
            found.update(page)
        return found

    def census(self) -> AsyncIterator[Sequence[str]]:
        """Every live issue id in scope: incremental JQL never shows deletions."""
        return self.client.id_pages(f"({scope_jql(self.source)})")


def map_page(
    issues: Sequence[msgspec.Raw],
    *,
    base: str,
    custom: CustomFields,
    dates: Sequence[str] = DEFAULT_ORDER,
) -> tuple[list[ItemRecord], list[Skipped], int | None]:
    """Mapped items, skipped issues and the newest ``updated`` (epoch ms) of one search page.

    Each issue is parsed right before it is mapped, and its text kept as its raw payload
    (``connectors.body.element``). An issue listed twice in a page is kept once. Skipped issues
    still move the high-water mark: they were seen, and re-reading them would only skip them
    again.
    """
    items: list[ItemRecord] = []
    skipped: list[Skipped] = []
    high: int | None = None
    for issue, text in page_objects(issues, skipped, "search returned a non-object issue"):
        try:
            item = map_issue(issue, base=base, custom=custom, dates=dates, raw=text)
        except MappingError as exc:
            key = issue.get("key") or str(issue.get("id", "")) or "?"
            skipped.append(Skipped(key=str(key), reason=str(exc)))
            updated = _updated_ms(issue)
        else:
            items.append(item)
            updated = None
        if updated is not None and (high is None or updated > high):
            high = updated
    if items:
        # Mapped items hold ``fields.updated`` parsed: compared as datetimes, converted once.
        latest = _epoch_ms(max(item.updated_at for item in items))
        high = latest if high is None else max(high, latest)
    return items, skipped, high


def issue_jql(source: SourceConfig, cursor_ms: int | None) -> str:
    """``(<scope>) [AND updated >= <ms>] ORDER BY updated ASC`` for this source."""
    clause = f"({scope_jql(source)})"
    if cursor_ms is not None:
        clause += f" AND updated >= {max(0, cursor_ms - OVERLAP_MS)}"
    return f"{clause} ORDER BY updated ASC"


def scope_jql(source: SourceConfig) -> str:
    """The source's bound: its projects, else its own JQL without a trailing ORDER BY."""
    if source.projects:
        return "project in (" + ", ".join(_quote(p) for p in source.projects) + ")"
    scope = strip_order_by(source.jql or "")
    if not scope:
        raise ConfigError(
            f"source '{source.name}': key 'jql': needs a search condition "
            "(Jira refuses unbounded queries)"
        )
    return scope


def strip_order_by(jql: str) -> str:
    """``jql`` without its ORDER BY clause; an ORDER BY inside quotes is text, not a clause."""
    for match in _ORDER_BY.finditer(jql):
        if not _inside_quotes(jql[: match.start()]):
            return jql[: match.start()].strip()
    return jql.strip()


def encode_cursor(updated_ms: int) -> str:
    return json.dumps({"updated_ms": updated_ms}, separators=(",", ":"))


def decode_cursor(cursor: str | None) -> int | None:
    """The ``updated_ms`` of a stored cursor; a cursor we cannot read asks for a full sync."""
    if cursor is None:
        return None
    try:
        value = json.loads(cursor)["updated_ms"]
    except (ValueError, TypeError, KeyError):
        value = None
    if isinstance(value, bool) or not isinstance(value, int):
        raise HubError(f"stored Jira cursor {cursor!r} is not readable; run a full sync")
    return value


class _Identified(msgspec.Struct):
    id: Any = None
    key: Any = None


_IDENTIFIED = msgspec.json.Decoder(_Identified)


def _answered(issues: Sequence[msgspec.Raw]) -> set[str]:
    """The ids and keys of the issues an answer holds, mapped or not."""
    names: set[str] = set()
    for raw in issues:
        try:
            issue = _IDENTIFIED.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue
        names.update(str(name) for name in (issue.id, issue.key) if name is not None)
    return names


def _updated_ms(issue: Mapping[str, Any]) -> int | None:
    fields = issue.get("fields")
    if not isinstance(fields, MAPPINGS):
        return None
    try:
        updated = parse_datetime(fields.get("updated"))
    except MappingError:
        return None
    return _epoch_ms(updated)


def _epoch_ms(moment: datetime) -> int:
    since = moment - _EPOCH
    return (since.days * 86_400 + since.seconds) * 1000 + since.microseconds // 1000


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inside_quotes(text: str) -> bool:
    quote: str | None = None
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
    return quote is not None
