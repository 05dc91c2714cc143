"""The blocking graph in memory, and the questions a PM asks of it: what surrounds an item,
cycles, the critical path, open blockers and schedule conflicts.

Pure and cycle-safe: no SQL here; ``hub.views.graph_loading`` reads the part of the graph a
question needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from hub.contract.records import Level, Provenance, StatusCategory

OPEN = frozenset({StatusCategory.TODO, StatusCategory.IN_PROGRESS})


class Direction(StrEnum):
    UPSTREAM = "UPSTREAM"
    """Towards blockers: what this waits on."""
    DOWNSTREAM = "DOWNSTREAM"
    """Towards blocked items: what waits on this."""
    BOTH = "BOTH"


@dataclass(frozen=True, slots=True)
class Node:
    """What the graph needs to know of an item; the rest is loaded when shown."""

    id: str
    key: str
    source_id: int
    level: Level
    status_category: StatusCategory
    target_date: date | None
    parent_id: str | None

    @property
    def is_open(self) -> bool:
        return self.status_category in OPEN

    @property
    def order(self) -> tuple[str, str]:
        return (self.key, self.id)


@dataclass(frozen=True, slots=True)
class Edge:
    blocker: str
    blocked: str
    provenances: tuple[Provenance, ...]
    crosses_tools: bool


@dataclass(frozen=True, slots=True)
class ScheduleConflict:
    """An open blocker planned to finish after the item it blocks is due."""

    blocker: str
    blocked: str
    blocker_target: date
    blocked_target: date


@dataclass(slots=True)
class BlockingGraph:
    """Live items that take part in a dependency, and who blocks whom among them."""

    nodes: dict[str, Node] = field(default_factory=dict)
    blockers: dict[str, list[str]] = field(default_factory=dict)
    blocking: dict[str, list[str]] = field(default_factory=dict)
    provenances: dict[tuple[str, str], list[Provenance]] = field(default_factory=dict)

    def add(self, node: Node) -> None:
        self.nodes.setdefault(node.id, node)

    def link(self, blocker: str, blocked: str, provenance: Provenance) -> None:
        known = self.provenances.get((blocker, blocked))
        if known is None:
            self.provenances[(blocker, blocked)] = [provenance]
            self.blockers.setdefault(blocked, []).append(blocker)
            self.blocking.setdefault(blocker, []).append(blocked)
        elif provenance not in known:
            known.append(provenance)

    def edge(self, blocker: str, blocked: str) -> Edge:
        return Edge(
            blocker=blocker,
            blocked=blocked,
            provenances=tuple(sorted(self.provenances[(blocker, blocked)])),
            crosses_tools=self.nodes[blocker].source_id != self.nodes[blocked].source_id,
        )

    def open_blockers(self, item_id: str) -> list[str]:
        return [b for b in self.blockers.get(item_id, ()) if self.nodes[b].is_open]

    def sorted_ids(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda item_id: self.nodes[item_id].order)


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    nodes: list[str]
    edges: list[Edge]


def neighbourhood(
    graph: BlockingGraph, roots: Iterable[str], direction: Direction, depth: int
) -> Neighbourhood:
    """Items within ``depth`` dependencies of the roots, and every edge among them.

    BOTH is upstream and downstream together, not a walk in any direction: a blocker's
    other victims are no part of what surrounds an item.
    """
    roots = [root for root in roots if root in graph.nodes]
    found: set[str] = set(roots)
    if direction in (Direction.UPSTREAM, Direction.BOTH):
        found |= _reach(roots, graph.blockers, depth)
    if direction in (Direction.DOWNSTREAM, Direction.BOTH):
        found |= _reach(roots, graph.blocking, depth)
    nodes = graph.sorted_ids(found)
    edges = [
        graph.edge(blocker, blocked)
        for blocked in nodes
        for blocker in graph.blockers.get(blocked, ())
        if blocker in found
    ]
    edges.sort(key=lambda e: (graph.nodes[e.blocker].order, graph.nodes[e.blocked].order))
    return Neighbourhood(nodes=nodes, edges=edges)


def _reach(roots: Iterable[str], neighbours: dict[str, list[str]], depth: int) -> set[str]:
    seen = set(roots)
    frontier = list(seen)
    for _ in range(depth):
        frontier = [n for item in frontier for n in neighbours.get(item, ()) if n not in seen]
        seen.update(frontier)
        if not frontier:
            break
    return seen


def strongly_connected(
    starts: Iterable[str], successors: Callable[[str], Iterable[str]]
) -> list[list[str]]:
    """Tarjan's strongly connected components of what ``starts`` reach, without recursion.

    Each component comes after every component it reaches, so walking blockers as
    successors lists blockers before the items they block.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for start in starts:
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(successors(start)))]
        while work:
            node, pending = work[-1]
            advanced = False
            for successor in pending:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(successors(successor))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def cycles(graph: BlockingGraph, among: Iterable[str]) -> list[list[str]]:
    """Groups of items that block each other in a circle, for those touching ``among``.

    Each group lists its items by key, and the groups come in the order of their first key.
    """
    shown = graph.sorted_ids(item for item in among if item in graph.nodes)
    components = strongly_connected(shown, lambda item: graph.blocking.get(item, ()))
    touching = set(shown)
    found = [
        graph.sorted_ids(component)
        for component in components
        if len(component) > 1 and touching.intersection(component)
    ]
    return sorted(found, key=lambda group: graph.nodes[group[0]].order)


def critical_path(graph: BlockingGraph, roots: Iterable[str]) -> list[str]:
    """The longest chain of open blockers ending at a root, first blocker first.

    Chains of equal length are told apart by their latest target date (the later one is the
    one that decides when the root can finish), then by key. Work that blocks itself in a
    circle cannot be ordered: edges inside a cycle are left out, and ``cycles`` reports it.
    """
    roots = [root for root in roots if root in graph.nodes]
    if not roots:
        return []
    components = strongly_connected(graph.sorted_ids(roots), graph.open_blockers)
    component_of = {item: n for n, component in enumerate(components) for item in component}
    best: dict[str, tuple[int, date, str | None]] = {}
    """For each item: length of the best chain ending there, its latest target, previous item."""
    for component in components:
        for item in component:
            length, latest, previous = 1, date.min, None
            for blocker in graph.open_blockers(item):
                if component_of[blocker] == component_of[item]:
                    continue
                chain_length, chain_latest, _ = best[blocker]
                if (chain_length + 1, chain_latest) > (length, latest):
                    length, latest, previous = chain_length + 1, chain_latest, blocker
            target = graph.nodes[item].target_date or date.min
            best[item] = (length, max(latest, target), previous)
    ordered = graph.sorted_ids(set(roots))
    end = ordered[0]
    for root in ordered[1:]:
        if best[root][:2] > best[end][:2]:
            end = root
    path: list[str] = []
    step: str | None = end
    while step is not None:
        path.append(step)
        step = best[step][2]
    return path[::-1]


def blocked_by_open_work(graph: BlockingGraph, among: Iterable[str]) -> list[str]:
    """Items with at least one blocker that is still open."""
    return graph.sorted_ids(item for item in among if graph.open_blockers(item))


def schedule_conflicts(graph: BlockingGraph, edges: Iterable[Edge]) -> list[ScheduleConflict]:
    """Open blockers due after the item they block: that item will slip unless plans change."""
    conflicts = []
    for edge in edges:
        blocker, blocked = graph.nodes[edge.blocker], graph.nodes[edge.blocked]
        if (
            blocker.is_open
            and blocker.target_date is not None
            and blocked.target_date is not None
            and blocker.target_date > blocked.target_date
        ):
            conflicts.append(
                ScheduleConflict(blocker.id, blocked.id, blocker.target_date, blocked.target_date)
            )
    return conflicts
