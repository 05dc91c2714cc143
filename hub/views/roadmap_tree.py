"""Initiatives nested in initiatives, as the roadmap draws them: each one's parent among the
live initiatives, with the parent cycles a bad tracker may report cut.

Pure functions over ids, so the rules are testable without a database. A parent that is not
a live initiative (deleted, an epic, not synced yet) makes its child a top-level one.
"""

from __future__ import annotations

from collections.abc import Mapping


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
