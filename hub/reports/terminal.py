"""The roadmap as a short text summary for a terminal."""

from __future__ import annotations

from hub.contract.records import DateSource
from hub.reports.text import DECLARED_LABELS, DERIVED_MARK
from hub.views.dependencies import Edge
from hub.views.roadmap import Progress, Roadmap, RoadmapEntry

BAR_WIDTH = 10
KEY_WIDTH = 22
TITLE_WIDTH = 44


def progress_bar(progress: Progress) -> str:
    ratio = progress.ratio
    if ratio is None:
        return "·" * BAR_WIDTH + "   n/a"
    filled = round(ratio * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled) + f" {ratio:4.0%}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _line(entry: RoadmapEntry, indent: str, key_width: int) -> str:
    target = entry.target_date.isoformat() if entry.target_date else "no date"
    if entry.target_origin is not None and entry.target_origin.source is DateSource.CHILDREN:
        target = DERIVED_MARK + target
    counts = f"{entry.progress.done}/{entry.progress.total} done"
    health = entry.health.value.replace("_", " ").lower()
    if entry.declared_health is not None:
        said = DECLARED_LABELS[entry.declared_health.value].lower()
        health += f" (team: {said}{' ⚠' if entry.health_disagrees else ''})"
    key = _cut(indent + entry.key, key_width + 2)
    return (
        f"{key:<{key_width + 2}}  {_cut(entry.title, TITLE_WIDTH):<{TITLE_WIDTH}}  "
        f"{entry.source:<7} {_cut(entry.status_name, 12):<12}  {target:<11}  "
        f"{progress_bar(entry.progress)}  {counts:<12}  {health}"
    )


def roadmap_summary(roadmap: Roadmap, *, max_epics: int = 5, max_lanes: int = 8) -> str:
    """Initiatives → epics with status, target date (≈ where derived from the children),
    progress and health (with the team's declared one); long lists are elided."""
    lanes = roadmap.lanes
    if not lanes:
        return "The roadmap is empty: no initiatives or epics synced yet."
    epics = sum(len(lane.epics) for lane in lanes)
    initiatives = sum(1 for lane in lanes if lane.initiative is not None)
    entries = [lane.initiative for lane in lanes if lane.initiative] + [
        epic for lane in lanes for epic in lane.epics
    ]
    width = min(KEY_WIDTH, max(len(e.key) for e in entries))
    lines = [f"Roadmap: {initiatives} initiatives, {epics} epics", ""]
    for lane in lanes[:max_lanes]:
        indent = "  " * lane.depth  # a sub-initiative sits under its parent, listed before it
        if lane.initiative is None:
            lines.append("(no initiative)")
        else:
            lines.append(_line(lane.initiative, indent, width))
        for epic in lane.epics[:max_epics]:
            lines.append(_line(epic, indent + "  ", width))
        if len(lane.epics) > max_epics:
            lines.append(f"{indent}  … {len(lane.epics) - max_epics} more epics")
    if len(lanes) > max_lanes:
        lines.append(f"… {len(lanes) - max_lanes} more initiatives")
    return "\n".join(lines)


def dependency_summary(edges: list[Edge]) -> str:
    if not edges:
        return "No dependencies across tools."
    lines = ["Dependencies across tools (blocker → blocked):"]
    for edge in edges:
        lines.append(
            f"  {edge.blocker_key} ({edge.blocker_source}) → {edge.blocked_key} "
            f"({edge.blocked_source})  [{edge.provenance.value.lower()}]"
        )
    return "\n".join(lines)
