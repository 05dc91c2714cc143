"""A drawing too large for one diagram, cut into several that each fit.

Mermaid refuses a diagram longer than its ``maxTextSize`` (50,000 characters by default), so
a graph of a few hundred items cannot be drawn as one. Clusters (items linked by
dependencies, however indirectly) stay whole and are packed into as few diagrams as fit; a
cluster too large alone is cut by its dependencies, in the order a walk from its first item
meets them, so neighbours stay together and every dependency is drawn exactly once. An item
on both sides of a cut appears in both diagrams.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from hub.reports.drawing import Drawing, DrawnEdge

Fits = Callable[[Drawing], bool]
"""Whether one drawing is small enough to be drawn as one diagram."""


@dataclass(slots=True)
class Cluster:
    items: list[str]
    """Hub ids, in the drawing's order."""
    edges: list[DrawnEdge] = field(default_factory=list)
    """In the order a walk from the first item meets them."""


@dataclass(frozen=True, slots=True)
class Split:
    parts: list[Drawing]
    clusters_cut: int
    """How many clusters were too large for one diagram and were cut."""


def split(drawing: Drawing, fits: Fits) -> Split:
    """Diagrams that each fit, together drawing every item and dependency of ``drawing``."""
    if fits(drawing):
        return Split([drawing], 0)
    parts: list[Drawing] = []
    packed: list[Cluster] = []
    cut = 0
    for cluster in clusters(drawing):
        if fits(part_of(drawing, [*packed, cluster])):
            packed.append(cluster)
            continue
        if packed:
            parts.append(part_of(drawing, packed))
        if fits(part_of(drawing, [cluster])):
            packed = [cluster]
            continue
        packed = []
        cut += 1
        parts += _cut(drawing, cluster, fits)
    if packed:
        parts.append(part_of(drawing, packed))
    for number, part in enumerate(parts, 1):
        part.title = f"{drawing.title} (part {number} of {len(parts)})"
    return Split(parts, cut)


def clusters(drawing: Drawing) -> list[Cluster]:
    """The drawing's weakly connected groups, in the order of their first item."""
    neighbours: dict[str, list[DrawnEdge]] = defaultdict(list)
    for edge in drawing.edges:
        neighbours[edge.blocker].append(edge)
        neighbours[edge.blocked].append(edge)
    order = {item_id: n for n, item_id in enumerate(drawing.items)}
    seen: set[str] = set()
    found = []
    for start in drawing.items:
        if start in seen:
            continue
        cluster = Cluster(items=[])
        drawn: set[int] = set()
        queue = deque([start])
        seen.add(start)
        while queue:
            item_id = queue.popleft()
            cluster.items.append(item_id)
            for edge in neighbours[item_id]:
                if id(edge) not in drawn:
                    drawn.add(id(edge))
                    cluster.edges.append(edge)
                for other in (edge.blocker, edge.blocked):
                    if other not in seen:
                        seen.add(other)
                        queue.append(other)
        cluster.items.sort(key=order.__getitem__)
        found.append(cluster)
    return found


def part_of(drawing: Drawing, chosen: list[Cluster]) -> Drawing:
    """A drawing of some clusters only; items keep the names the whole drawing gave them."""
    ids = {item_id for cluster in chosen for item_id in cluster.items}
    edges = {id(edge) for cluster in chosen for edge in cluster.edges}
    return Drawing(
        title=drawing.title,
        items={item_id: item for item_id, item in drawing.items.items() if item_id in ids},
        edges=[edge for edge in drawing.edges if id(edge) in edges],
        cycles=drawing.cycles,
    )


def _cut(drawing: Drawing, cluster: Cluster, fits: Fits) -> list[Drawing]:
    """Runs of the cluster's edges, each the longest that fits: doubling from one dependency
    (which always fits) until a run is too long, then bisecting, so no run tried is much
    longer than a diagram."""
    parts = []
    start, total = 0, len(cluster.edges)
    while start < total:
        low, step = start + 1, 1
        while low < total and fits(_run(drawing, cluster.edges[start : min(low + step, total)])):
            low, step = min(low + step, total), step * 2
        high = min(low + step, total) - 1 if low < total else low
        while low < high:
            middle = (low + high + 1) // 2
            if fits(_run(drawing, cluster.edges[start:middle])):
                low = middle
            else:
                high = middle - 1
        parts.append(_run(drawing, cluster.edges[start:low]))
        start = low
    return parts


def _run(drawing: Drawing, edges: list[DrawnEdge]) -> Drawing:
    ends = {item_id for edge in edges for item_id in (edge.blocker, edge.blocked)}
    return part_of(drawing, [Cluster(items=[i for i in drawing.items if i in ends], edges=edges)])
