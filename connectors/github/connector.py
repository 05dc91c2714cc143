"""The GitHub connector: one stream per repository, issues listed oldest change first, and one
per configured Project (v2), re-emitting the issues whose plan changed there
(``project_stream``). Every stream applies the same plan index (``plan_index``) to each issue.

Each ``Batch`` covers up to twenty listing pages (≤ 2,000 issues) plus one GraphQL call per
100 of them that have dependencies, so relations never cost a request per issue. Incremental syncs
send ``since`` (inclusive, second precision) and drop what the cursor's ``seen`` list says was
already stored at that second: a sync with nothing changed costs one request per repository.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import UTC
from typing import Any

import orjson

from connectors.base import Batch, Fetched, Skipped, TrackerConnector
from connectors.body import element
from connectors.github.client import MAX_NODE_IDS, MAX_PER_PAGE, GitHubClient
from connectors.github.cursor import Cursor, decode_cursor, encode_cursor, iso_seconds
from connectors.github.mapping import (
    Dependencies,
    dependencies,
    issue_id,
    map_issue,
    needs_dependencies,
)
from connectors.github.plan_index import PlanIndex, read_plans
from connectors.github.project_stream import project_batches
from connectors.github.projects import apply_plan, content_id, planned_issue, rest_issue
from connectors.github.webhooks import NODE_REF
from connectors.payload import MappingError, parse_datetime
from hub.contract.config import ProjectRef, SourceConfig
from hub.contract.errors import ConfigError
from hub.contract.records import ItemRecord

MAX_PAGES_PER_BATCH = 20
"""Listing pages gathered at most into one batch; until then the batch grows as
long as its issues with dependencies fit one GraphQL lookup, so lookups run near full."""


class GitHubConnector(TrackerConnector[GitHubClient]):
    kind = "github"

    def __init__(self, source: SourceConfig, **http: Any) -> None:
        for repo in source.repos:
            _check_repo(source, repo)
        super().__init__(source, **http)

        self._project_streams = {f"project:{ref.label}": ref for ref in source.projects_v2}
        self._plan_index: PlanIndex | None = None

    def new_client(self, source: SourceConfig, **http: Any) -> GitHubClient:
        return GitHubClient(source, **http)

    async def _plans(self) -> PlanIndex:
        """The projects' plans, read on first need and kept for the rest of this sync (one
        connector serves one sync), so every stream applies the same values."""
        if self._plan_index is None:
            self._plan_index = await read_plans(self.client, self.source)
        return self._plan_index

    def streams(self) -> Sequence[str]:
        return (*self.source.repos, *self._project_streams)

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        if stream in self._project_streams:
            async for planned in self._project_batches(self._project_streams[stream], cursor):
                yield planned
            return
        if stream not in self.source.repos:
            raise ValueError(f"github has no stream {stream!r}; streams: {self.streams()}")
        await self._plans()
        start = decode_cursor(cursor)
        progress = start.copy()
        listed = self.client.issue_pages(
            stream,
            since=iso_seconds(start.since) if start.since else None,
            per_page=self.source.page_size or MAX_PER_PAGE,
        )
        batch = IssueBatch(self._map)
        pages = 0
        yielded = False
        async for entries in listed:
            for raw in entries:
                entry, text = element(raw)
                if isinstance(entry, dict) and is_fresh(entry, start, progress):
                    batch.add(entry, text)
            pages += 1
            if pages == MAX_PAGES_PER_BATCH or len(batch.waiting) >= MAX_NODE_IDS:
                yield await self._finish(batch, progress, start, cursor)
                batch, pages, yielded = IssueBatch(self._map), 0, True
        if pages or not yielded:
            yield await self._finish(batch, progress, start, cursor)

    async def _project_batches(self, ref: ProjectRef, cursor: str | None) -> AsyncIterator[Batch]:
        plans = await self._plans()
        listed = project_batches(
            plans.project(ref),
            plans,
            self.source.repos,
            cursor,
            self._map_content,
            self.client.issues_by_id,
        )
        async for batch in listed:
            yield batch

    async def _finish(
        self, batch: IssueBatch, progress: Cursor, start: Cursor, incoming: str | None
    ) -> Batch:
        """The batch, its waiting issues mapped with dependencies from GraphQL calls of 100."""
        relations = await self._dependencies(entry for entry, _ in batch.waiting.values())
        unchanged = progress.since == start.since and progress.seen == start.seen
        return batch.finish(relations, incoming if unchanged else encode_cursor(progress))

    async def fetch_items(self, refs: Sequence[str]) -> Fetched:
        """The issues ``refs`` names, read again: one REST GET per ``owner/repo#number``, one
        GraphQL call per 100 for ``node:<id>`` refs (a project card's issue) and per 100
        issues that block others, and the projects' plans read again when the source has any
        (their pages, as a sync's first stream reads them), all mapped as a sync maps them.

        Gone: an issue GitHub answers 404, 410 or 301 for (hidden, deleted, transferred:
        the new one comes as a ref of its own), and one outside the source's ``repos``, as a
        full sync would leave it. Skipped: a pull request, a ref that names no issue, a node
        GitHub does not resolve (it has no external id to tombstone).
        """
        scope = {repo.lower(): repo for repo in self.source.repos}
        gone: list[str] = []
        skipped: list[Skipped] = []
        nodes: list[str] = []
        batch = IssueBatch(self._map)
        if self.source.projects_v2:
            self._plan_index = await read_plans(self.client, self.source)
        for ref in dict.fromkeys(refs):
            if ref.startswith(NODE_REF):
                nodes.append(ref.removeprefix(NODE_REF))
                continue
            repo, _, number = ref.rpartition("#")
            if not number.isdigit() or "/" not in repo:
                skipped.append(Skipped(key=ref, reason="not an owner/repo#number issue ref"))
                continue
            configured = scope.get(repo.lower())
            read = None if configured is None else await self.client.issue(configured, int(number))
            if read is None:
                gone.append(ref)
            elif "pull_request" in read[0]:
                skipped.append(Skipped(key=ref, reason="a pull request, not an issue"))
            else:
                batch.add(*read)
        fetched = await self._finish_fetch(batch)
        by_node = await self._fetch_nodes(nodes, gone, skipped)
        return Fetched(
            items=[*fetched.items, *by_node],
            gone=gone,
            skipped=[*skipped, *fetched.skipped],
        )

    async def _finish_fetch(self, batch: IssueBatch) -> Batch:
        relations = await self._dependencies(entry for entry, _ in batch.waiting.values())
        return batch.finish(relations, None)

    async def _fetch_nodes(
        self, node_ids: Sequence[str], gone: list[str], skipped: list[Skipped]
    ) -> list[ItemRecord]:
        """Issues by node id, mapped from GraphQL's shape; those outside the source's repos
        go to ``gone`` by their external id, unresolved ones to ``skipped``."""
        items: list[ItemRecord] = []
        for start in range(0, len(node_ids), MAX_NODE_IDS):
            chunk = node_ids[start : start + MAX_NODE_IDS]
            found = await self.client.issues_by_id(chunk)
            resolved = {node.get("id") for node in found}
            skipped += [
                Skipped(key=NODE_REF + node, reason="GitHub resolves no issue by this node id")
                for node in chunk
                if node not in resolved
            ]
            for node in found:
                try:
                    content = planned_issue({"type": "ISSUE", "content": node}, self.source.repos)
                    if content is None:
                        if node.get("__typename") == "Issue":
                            gone.append(content_id(node))
                        continue
                except MappingError as exc:
                    skipped.append(Skipped(key=NODE_REF + str(node.get("id")), reason=str(exc)))
                    continue
                mapped = self._map_content(content, orjson.dumps(content))
                if isinstance(mapped, ItemRecord):
                    items.append(mapped)
                else:
                    skipped.append(mapped)
        return items

    def _map(
        self, issue: Mapping[str, Any], text: bytes, relations: Dependencies | None
    ) -> ItemRecord | Skipped:
        try:
            record = map_issue(
                issue,
                epic_label=self.source.epic_label,
                statuses=self.source.statuses,
                relations=relations,
                raw=text,
            )
            plans = self._plan_index
            if plans is None or record.external_id not in plans:
                return record
            planned = apply_plan(
                record,
                plans.plan_for(record.external_id),
                is_open=issue.get("state") == "open",
                statuses=self.source.statuses,
            )
            plans.emitted.add(record.external_id)
            return planned
        except MappingError as exc:
            return Skipped(key=_label(issue), reason=str(exc))

    def _map_content(self, content: Mapping[str, Any], text: bytes) -> ItemRecord | Skipped:
        """An issue a project's card holds (GraphQL's shape), mapped as the REST listing's."""
        try:
            issue = rest_issue(content, self.source.base)
        except MappingError as exc:
            return Skipped(key=str(content.get("url") or content.get("id") or "?"), reason=str(exc))
        return self._map(issue, text, dependencies(content))

    async def _dependencies(self, issues: Iterable[Mapping[str, Any]]) -> dict[str, Dependencies]:
        """Dependencies by node id; issues GitHub no longer resolves are left without."""
        ids = [i["node_id"] for i in issues if isinstance(i.get("node_id"), str)]
        found: dict[str, Dependencies] = {}
        for start in range(0, len(ids), MAX_NODE_IDS):
            for node in await self.client.dependencies(ids[start : start + MAX_NODE_IDS]):
                if isinstance(node.get("id"), str):
                    found[node["id"]] = dependencies(node)
        return found


def is_fresh(entry: Mapping[str, Any], start: Cursor, progress: Cursor) -> bool:
    """Whether a listed issue is not yet stored; ``progress`` advances over every entry.

    Pull requests are dropped but still move the cursor, so a busy PR queue is not listed again
    on every sync; so do entries whose id or date cannot be read (they could never be mapped).
    """
    try:
        item_id = issue_id(entry)
        updated = parse_datetime(entry.get("updated_at"), "updated_at")
    except MappingError:
        return "pull_request" not in entry
    updated = updated.astimezone(UTC).replace(microsecond=0)
    progress.advance(updated, item_id)
    return "pull_request" not in entry and not start.already_read(updated, item_id)


Mapped = ItemRecord | Skipped
MapIssue = Callable[[Mapping[str, Any], bytes, Dependencies | None], Mapped]


class IssueBatch:
    """The issues of one ``Batch`` as they are gathered, each once, as last listed (an issue
    edited mid-sync is listed again, newer). An issue is mapped as soon as it is read, while its
    parsed entry is still in the CPU cache, except one that blocks others: it waits for its
    dependencies' lookup."""

    def __init__(self, map_issue: MapIssue):
        self._map = map_issue
        self._issues: dict[str, Mapped | None] = {}
        self.waiting: dict[str, tuple[Mapping[str, Any], bytes]] = {}
        self._unreadable: list[Mapped] = []

    def add(self, entry: Mapping[str, Any], text: bytes) -> None:
        try:
            key = issue_id(entry)
        except MappingError:
            self._unreadable.append(self._map(entry, text, None))
            return
        self._issues.pop(key, None)
        self.waiting.pop(key, None)
        if needs_dependencies(entry):
            self._issues[key] = None
            self.waiting[key] = (entry, text)
        else:
            self._issues[key] = self._map(entry, text, None)

    def finish(self, relations: Mapping[str, Dependencies], cursor: str | None) -> Batch:
        mapped = [self._resolved(key, m, relations) for key, m in self._issues.items()]
        mapped += self._unreadable
        return Batch(
            items=[m for m in mapped if isinstance(m, ItemRecord)],
            cursor=cursor,
            skipped=[m for m in mapped if isinstance(m, Skipped)],
        )

    def _resolved(
        self, key: str, mapped: Mapped | None, relations: Mapping[str, Dependencies]
    ) -> Mapped:
        if mapped is not None:
            return mapped
        entry, text = self.waiting[key]
        return self._map(entry, text, relations.get(str(entry.get("node_id"))))


def _check_repo(source: SourceConfig, repo: str) -> None:
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name or any(c.isspace() for c in repo):
        raise ConfigError(f"source '{source.name}': key 'repos': {repo!r} is not 'owner/repo'")


def _label(issue: Mapping[str, Any]) -> str:
    try:
        return issue_id(issue)
    except MappingError:
        return str(issue.get("html_url") or issue.get("number") or "?")
