"""Keyset order over a repository's issues and the opaque cursors GitHub hands out for it.

A cursor is base64 of ``cursor:v2:`` plus the (sort value, database id) of the last item served,
so paging stays correct while the world changes underneath, as it does on the real service.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from simulators.github_world import GitHubWorld, IssueRow, Repo

Position = tuple[int, int]
SORT_KEYS: dict[str, Callable[[IssueRow], int]] = {
    "created": lambda row: row.created_at,
    "updated": lambda row: row.updated_at,
    "comments": lambda row: row.comments,
}
_PREFIX = b"cursor:v2:"


def encode_cursor(position: Position) -> str:
    return base64.b64encode(
        _PREFIX + json.dumps(list(position), separators=(",", ":")).encode()
    ).decode()


def decode_cursor(cursor: str) -> Position:
    """The position inside a cursor; ValueError when it is not one this simulator made."""
    try:
        raw = base64.b64decode(cursor.replace(" ", "+"), validate=True)
        if not raw.startswith(_PREFIX):
            raise ValueError(cursor)
        value, issue_id = json.loads(raw[len(_PREFIX) :])
        return int(value), int(issue_id)
    except (binascii.Error, TypeError, json.JSONDecodeError) as error:
        raise ValueError(cursor) from error


def encode_offset(offset: int) -> str:
    """A cursor for small in-memory lists (sub-issues, dependencies, labels): the index served."""
    return encode_cursor((offset, 0))


def decode_offset(cursor: str | None) -> int:
    return 0 if cursor is None else decode_cursor(cursor)[0] + 1


@dataclass(frozen=True, slots=True)
class Filters:
    states: frozenset[str] = frozenset({"open"})
    since: int | None = None
    labels: frozenset[str] = frozenset()
    pulls: bool = True

    def match(self, row: IssueRow) -> bool:
        return (
            row.state in self.states
            and (self.since is None or row.updated_at >= self.since)
            and self.labels.issubset(row.labels)
            and (self.pulls or not row.is_pull)
        )


class Ordering:
    """Sorted (key, id) lists per repository and sort, rebuilt when the world's version moves."""

    def __init__(self, world: GitHubWorld) -> None:
        self.world = world
        self._cache: dict[tuple[int, str], list[Position]] = {}
        self._version = -1

    def scan(
        self, repo: Repo, sort: str, descending: bool, after: Position | None, filters: Filters
    ) -> Iterator[tuple[Position, IssueRow]]:
        """Matching rows strictly past ``after`` in (sort key, id) order, with their positions."""
        order = self._order(repo, sort)
        if descending:
            stop = bisect.bisect_left(order, after) if after else len(order)
            positions: Iterator[Position] = reversed(order[:stop])
        else:
            start = bisect.bisect_right(order, after) if after else 0
            if sort == "updated" and filters.since is not None:
                start = max(start, bisect.bisect_left(order, (filters.since, 0)))
            positions = iter(order[start:])
        for position in positions:
            row = self.world.by_id(position[1])
            if row is not None and row.repo is repo and filters.match(row):
                yield position, row

    def _order(self, repo: Repo, sort: str) -> list[Position]:
        if self._version != self.world.version:
            self._cache.clear()
            self._version = self.world.version
        cached = self._cache.get((repo.id, sort))
        if cached is None:
            key = SORT_KEYS[sort]
            cached = sorted((key(row), row.id) for row in self.world.rows(repo))
            self._cache[(repo.id, sort)] = cached
        return cached
