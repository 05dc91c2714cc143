"""The Linear connector: three streams (initiatives, projects, issues), each with its own cursor.

Linear lists ``orderBy: updatedAt`` newest first and has no public ascending order (the
``sort`` argument is marked internal in its schema). A pass over ``updatedAt > since`` therefore
sees the newest change on its first page, and the high-water mark may only move once the pass
is over. Until then the cursor records the pass itself, so a sync killed mid-stream resumes at
the next page of the same pass:

    {"since": <hwm or null>, "after": <endCursor>, "max": <newest updatedAt seen>}   mid-pass
    {"since": <newest updatedAt>}                                                    finished

The same scheme is also correct should Linear ever return oldest first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from connectors.base import Batch, Fetched, Skipped, TrackerConnector
from connectors.body import element
from connectors.linear.client import LinearClient
from connectors.linear.mapping import (
    Overrides,
    map_initiative,
    map_issue,
    map_project,
    truncated,
)
from connectors.linear.queries import (
    FETCH_FIRST,
    FETCH_QUERY,
    INITIATIVES,
    ISSUES,
    MAX_FIRST,
    NESTED_FIRST,
    PROJECTS,
    QUERIES,
    TEAMS,
    TEAMS_PAGE,
    TEAMS_QUERY,
)
from connectors.paging import page_objects
from connectors.payload import MappingError, parse_datetime
from hub.contract.config import SourceConfig, fold_name
from hub.contract.errors import HubError, TrackerDataError, TrackerRequestError
from hub.contract.records import ItemRecord

STREAMS = (INITIATIVES, PROJECTS, ISSUES)
"""Parents before children, so a first sync stores initiatives before the epics under them."""

_MAPPERS: dict[str, Callable[[Mapping[str, Any], Overrides | None, bytes], ItemRecord]] = {
    INITIATIVES: map_initiative,
    PROJECTS: map_project,
    ISSUES: map_issue,
}

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamCursor:
    """Where a stream stands: its committed high-water mark and, mid-pass, where the pass is."""

    since: datetime | None = None
    after: str | None = None
    max: datetime | None = None


class LinearConnector(TrackerConnector[LinearClient]):
    kind = "linear"

    def new_client(self, source: SourceConfig, **http: Any) -> LinearClient:
        return LinearClient(source, **http)

    def streams(self) -> Sequence[str]:
        return STREAMS

    async def prepare(self) -> None:
        """Fail, naming them, when some of the source's teams do not exist (or the key cannot
        see them): Linear filters by them without complaint, so a typo would sync nothing."""
        found = await self._team_keys()
        missing = [team for team in self.source.teams if fold_name(self.kind, team) not in found]
        if missing:
            raise TrackerRequestError(
                f"{self.source.name}: Linear teams not found: {', '.join(missing)}; check the "
                "keys in 'teams' and that the API key's user is a member of those teams"
            )

    async def _team_keys(self) -> set[str]:
        variables = {"first": TEAMS_PAGE, "filter": {"key": {"in": list(self.source.teams)}}}
        keys: set[str] = set()
        after: str | None = None
        while True:
            nodes, has_next, end = await self.client.connection(
                TEAMS_QUERY, TEAMS, {**variables, "after": after}
            )
            for node, _ in page_objects(nodes, [], "teams returned a non-object node"):
                if isinstance(node.get("key"), str):
                    keys.add(fold_name(self.kind, node["key"]))
            if not has_next or not end or end == after:
                return keys
            after = end

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        if stream not in QUERIES:
            raise ValueError(f"linear has no stream {stream!r}; streams: {', '.join(STREAMS)}")
        state = decode_cursor(cursor)
        since, after, high = state.since, state.after, state.max
        variables: dict[str, Any] = {
            "first": page_size(self.source, stream),
            "filter": stream_filter(self.source, stream, since),
        }
        seen: set[str] = set()
        next_cursor: str | None
        while True:
            nodes, has_next, end = await self.client.connection(
                QUERIES[stream], stream, {**variables, "after": after}
            )
            items, skipped, page_high = map_nodes(stream, nodes, self.source.statuses)
            high = _later(high, page_high)
            if has_next:
                if not end or end == after or end in seen:
                    raise TrackerDataError(
                        f"{self.source.name}: Linear returned no new endCursor for {stream} "
                        "with hasNextPage; stopped paging to avoid a loop"
                    )
                seen.add(end)
                after = end
                next_cursor = encode_cursor(StreamCursor(since=since, after=after, max=high))
            else:
                done = _later(since, high)
                next_cursor = encode_cursor(StreamCursor(since=done)) if done else None
            yield Batch(items=items, cursor=next_cursor, skipped=skipped)
            if not has_next:
                return

    async def fetch_items(self, refs: Sequence[str]) -> Fetched:
        """The initiatives, projects and issues ``refs`` names (bare ids, whatever their kind),
        40 ids per request (``FETCH_QUERY``), archived and trashed ones included, mapped as
        each stream maps them: a trashed item comes back mapped as deleted.

        Gone: an id Linear returns under no kind (purged, or hidden from the key), and an issue
        of a team the source does not read, or a project none of its teams can see, as the
        streams would leave them. Initiatives belong to the workspace: always in scope.
        """
        wanted = list(dict.fromkeys(refs))
        items: list[ItemRecord] = []
        skipped: list[Skipped] = []
        present: set[str] = set()
        teams = {fold_name(self.kind, team) for team in self.source.teams}
        for start in range(0, len(wanted), FETCH_FIRST):
            chunk = wanted[start : start + FETCH_FIRST]
            lists = await self.client.lists(
                FETCH_QUERY, STREAMS, {"ids": chunk, "first": len(chunk)}
            )
            for stream in STREAMS:
                kept = []
                for raw in lists[stream]:
                    node_id, in_scope = _scope_of(stream, raw, teams)
                    if in_scope:
                        kept.append(raw)
                        present.add(node_id)
                mapped, unmapped, _ = map_nodes(stream, kept, self.source.statuses)
                items += mapped
                skipped += unmapped
        gone = [ref for ref in wanted if ref not in present]
        return Fetched(items=items, gone=gone, skipped=skipped)


def _scope_of(stream: str, raw: msgspec.Raw, teams: set[str]) -> tuple[str, bool]:
    """A node's id, and whether the source's streams read it (``stream_filter`` in Python).
    A node that cannot be read is kept, to be skipped by the mapping with its reason."""
    try:
        node, _ = element(raw)
    except ValueError:
        return "", True
    if not isinstance(node, dict):
        return "", True
    node_id = str(node.get("id") or "")
    if stream == INITIATIVES:
        return node_id, True
    if stream == ISSUES:
        team = node.get("team")
        keys = [team.get("key")] if isinstance(team, dict) else []
    else:
        listed = node.get("teams")
        nodes = listed.get("nodes") if isinstance(listed, dict) else None
        keys = [t.get("key") for t in nodes or () if isinstance(t, dict)]
    return node_id, any(isinstance(k, str) and fold_name("linear", k) in teams for k in keys)


def page_size(source: SourceConfig, stream: str) -> int:
    """The source's page size, capped where the stream's query would grow too complex."""
    return max(1, min(source.page_size or MAX_FIRST[stream], MAX_FIRST[stream]))


def stream_filter(source: SourceConfig, stream: str, since: datetime | None) -> dict[str, Any]:
    """The stream's scope (issues: the source's teams; projects: those the teams can see;
    initiatives: the whole workspace), plus ``updatedAt > since`` when there is a mark."""
    scope: dict[str, Any] = {}
    teams = {"key": {"in": list(source.teams)}}
    if stream == ISSUES:
        scope["team"] = teams
    elif stream == PROJECTS:
        scope["accessibleTeams"] = {"some": teams}
    if since is not None:
        scope["updatedAt"] = {"gt": format_datetime(since)}
    return scope


def map_nodes(
    stream: str, nodes: Sequence[msgspec.Raw], statuses: Overrides | None = None
) -> tuple[list[ItemRecord], list[Skipped], datetime | None]:
    """Mapped items, skipped nodes and the newest ``updatedAt`` of one page.

    Each node is parsed right before it is mapped, and its text kept as its raw payload
    (``connectors.body.element``). A node listed twice in a page is kept once. Skipped nodes
    still move the high-water mark: they were seen, and re-reading them would only skip them
    again.
    """
    mapper = _MAPPERS[stream]
    items: list[ItemRecord] = []
    skipped: list[Skipped] = []
    high: datetime | None = None
    for node, text in page_objects(nodes, skipped, f"{stream} returned a non-object node"):
        high = _later(high, _updated(node))
        try:
            items.append(mapper(node, statuses, text))
        except MappingError as exc:
            skipped.append(Skipped(key=_key(stream, node), reason=str(exc)))
            continue
        cut = truncated(node, NESTED_FIRST[stream])
        if cut:
            log.warning(
                "linear %s %s: more %s than the query reads; only the first ones are kept",
                stream,
                _key(stream, node),
                ", ".join(cut),
            )
    return items, skipped, high


def format_datetime(value: datetime) -> str:
    """UTC ISO 8601 with milliseconds and ``Z``, as Linear writes ``updatedAt``."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode_cursor(cursor: StreamCursor) -> str:
    state: dict[str, Any] = {"since": _iso(cursor.since)}
    if cursor.after is not None:
        state.update(after=cursor.after, max=_iso(cursor.max))
    return json.dumps(state, separators=(",", ":"))


def decode_cursor(cursor: str | None) -> StreamCursor:
    """A stored cursor; one we cannot read asks for a full sync rather than guessing."""
    if cursor is None:
        return StreamCursor()
    try:
        state = json.loads(cursor)
        if not isinstance(state, dict) or "since" not in state:
            raise ValueError("no 'since'")
        after = state.get("after")
        if after is not None and not isinstance(after, str):
            raise ValueError("'after' is not text")
        return StreamCursor(
            since=_datetime_or_none(state["since"]),
            after=after,
            max=_datetime_or_none(state.get("max")),
        )
    except (ValueError, TypeError, MappingError):
        raise HubError(
            f"stored Linear cursor {cursor!r} is not readable; run a full sync"
        ) from None


def _datetime_or_none(value: Any) -> datetime | None:
    return None if value is None else parse_datetime(value, "cursor")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def _updated(node: Mapping[str, Any]) -> datetime | None:
    try:
        return parse_datetime(node.get("updatedAt"), "updatedAt")
    except MappingError:
        return None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None or a >= b else b


def _key(stream: str, node: Mapping[str, Any]) -> str:
    if stream == ISSUES:
        return str(node.get("identifier") or node.get("id") or "?")
    prefix = "initiative" if stream == INITIATIVES else "project"
    return f"{prefix}:{node.get('slugId') or node.get('id') or '?'}"
