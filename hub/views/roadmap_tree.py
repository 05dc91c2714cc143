"""Initiatives nested in initiatives, as the roadmap draws them: each one's parent among the
live initiatives, with the parent cycles a bad tracker may report cut.

Pure functions over ids, so the rules are testable without a database. A parent that is not
a live initiative (deleted, an epic, not synced yet) makes its child a top-level one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence


def acyclic_parents(parent_of: Mapping[str, str | None]) -> dict[str, str]:
    """Each item's parent among the items of ``parent_of``, with every cycle cut: walking up
    from each item in id order, the link that would close a loop is dropped, so the item it
    leads from becomes a top-level one. Items without a parent are left out."""
    parents = {
        item: parent
        for item, parent in parent_of.items()
        if parent is not None and parent != item and parent in parent_of
    }
    settled: set[str] = set()
    """Items whose chain of parents is known to end."""
    for start in sorted(parents):
        path: set[str] = set()
        item = start
        while item in parents and item not in settled:
            path.add(item)
            if parents[item] in path:
                del parents[item]
                break
            item = parents[item]
        settled |= path
    return parents


def with_descendants(items: Collection[str], children: Mapping[str, Sequence[str]]) -> set[str]:
    """``items`` and everything under them at any depth; a cycle ends where it closes."""
    found = set(items)
    frontier = list(found)
    while frontier:
        below = [
            child for item in frontier for child in children.get(item, ()) if child not in found
        ]
        found.update(below)
        frontier = below
    return found
