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

Measure = Callable[[Drawing], int]
"""The length of a drawing as one diagram."""


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


def split(drawing: Drawing, measure: Measure, limit: int) -> Split:
    """Diagrams of at most ``limit`` each, together drawing every item and dependency.

    Clusters are packed by their sizes alone less a diagram's fixed header, which add up
    closely enough that each part is measured whole only once; the few clusters that then
    overflow it move on to the next part.
    """

    def fits(part: Drawing) -> bool:
        return measure(part) <= limit

    if fits(drawing):
        return Split([drawing], 0)
    header = measure(Drawing(title=drawing.title))
    parts: list[Drawing] = []
    packed: list[tuple[Cluster, int]] = []
    cut = 0
    for cluster in clusters(drawing):
        size = measure(part_of(drawing, [cluster]))
        if size > limit:
            cut += 1
            parts += _cut(drawing, cluster, fits)
            continue
        body = size - header
        if packed and header + sum(b for _, b in packed) + body > limit:
            part, packed = _fitting(drawing, packed, fits)
            parts.append(part)
        packed.append((cluster, body))
    while packed:
        part, packed = _fitting(drawing, packed, fits)
        parts.append(part)
    for number, part in enumerate(parts, 1):
        part.title = f"{drawing.title} (part {number} of {len(parts)})"
    return Split(parts, cut)


def _fitting(
    drawing: Drawing, packed: list[tuple[Cluster, int]], fits: Callable[[Drawing], bool]
) -> tuple[Drawing, list[tuple[Cluster, int]]]:
    """A part of the packed clusters that fits, and the clusters left over for the next."""
    kept, left = list(packed), list[tuple[Cluster, int]]()
    part = part_of(drawing, [cluster for cluster, _ in kept])
    while len(kept) > 1 and not fits(part):
        left.insert(0, kept.pop())
        part = part_of(drawing, [cluster for cluster, _ in kept])
    return part, left


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
    return Drawing(
        title=drawing.title,
        items={i: drawing.items[i] for cluster in chosen for i in cluster.items},
        edges=[edge for cluster in chosen for edge in cluster.edges],
        cycles=drawing.cycles,
    )


def _cut(drawing: Drawing, cluster: Cluster, fits: Callable[[Drawing], bool]) -> list[Drawing]:
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
    ends = dict.fromkeys(item_id for edge in edges for item_id in (edge.blocker, edge.blocked))
    return part_of(drawing, [Cluster(items=list(ends), edges=edges)])
