"""The roadmap: epics from every tool in lanes (by initiative, component, source or quarter),
with progress rolled up from their issues and a delivery health (``hub.views.health``).

Progress counts child issues by status category; canceled work leaves the denominator, since
it will never be done and should not hold an epic back. Canceled epics are hidden unless the
filter asks for them, and never count toward a lane's or an initiative's progress.

An epic belongs to the initiative a person assigned it to, else to its parent when that is an
initiative. Initiatives nest (a Jira theme above initiatives, a config initiative under a
tracker's): a lane holds its initiative's own epics, and its progress and health roll up the
lanes under it at any depth (``hub.views.roadmap_tree`` cuts parent cycles).

An epic's window is [start date, or the day it was created; target date], open-ended without
a target; a date range keeps the epics whose window overlaps it.

The model is in ``hub.views.roadmap_model``, the statements (four or five, whatever the
number of epics) in ``hub.views.roadmap_queries``; this module puts epics in lanes and judges
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.config import HUB_SOURCE
from hub.contract.records import StatusCategory
from hub.storage.models import WorkItem
from hub.views import roadmap_queries as queries
from hub.views.derived_dates import Span, child_spans, row_needs_children, shown_dates
from hub.views.filter_values import check_day
from hub.views.health import (
    CLOSED,
    Blocker,
    Health,
    Schedule,
    health_of,
    initiative_health,
    slipping_blockers,
    worst,
)
from hub.views.roadmap_model import (
    UNGROUPED_TITLES,
    Grouping,
    Lane,
    Progress,
    Roadmap,
    RoadmapEntry,
    RoadmapFilter,
)
from hub.views.roadmap_tree import acyclic_parents

__all__ = [
    "Grouping",
    "Lane",
    "Progress",
    "Roadmap",
    "RoadmapEntry",
    "RoadmapFilter",
    "roadmap",
]


async def roadmap(
    session: AsyncSession,
    *,
    group_by: Grouping = Grouping.INITIATIVE,
    start: date | None = None,
    end: date | None = None,
    filter: RoadmapFilter | None = None,
    today: date | None = None,
) -> Roadmap:
    """Epics matching ``filter`` whose window overlaps [start, end], in lanes by ``group_by``."""
    check_day(start, "from")
    check_day(end, "to")
    filter = filter or RoadmapFilter()
    today = today or datetime.now(UTC).date()
    chosen = (
        await queries.chosen_initiatives(session, filter.initiatives)
        if filter.initiatives
        else set()
    )
    epic_ids = queries.epics(
        WorkItem.id, filter=filter, start=start, end=end, initiatives=chosen
    ).correlate(None)
    items: dict[str, WorkItem] = {}

    epic_rows = await queries.epic_rows(
        session, queries.epics(WorkItem, filter=filter, start=start, end=end, initiatives=chosen)
    )
    initiative_rows = await queries.initiatives(session) if group_by is Grouping.INITIATIVE else []
    shown_initiatives = (
        _with_ancestors(initiative_rows, chosen) if filter.initiatives else initiative_rows
    )
    undated = [row for row, *_ in epic_rows + shown_initiatives if row_needs_children(row)]
    spans = await child_spans(session, [row.id for row in undated])
    progress = await queries.child_progress(session, epic_ids)
    blockers = await queries.open_blockers(session, epic_ids)
    epics: list[RoadmapEntry] = []
    initiative_of: dict[str, str | None] = {}
    for row, source, initiative_id in _shown(epic_rows, spans, start, end):
        epic = RoadmapEntry.from_row(row, source, spans.get(row.id))
        epic.progress = progress.get(epic.id, Progress())
        _judge_epic(epic, [b for b, _ in blockers.get(epic.id, [])], today)
        items[epic.id] = row
        items.update((b.id, r) for b, r in blockers.get(epic.id, []) if b in epic.slipping_blockers)
        epics.append(epic)
        initiative_of[epic.id] = initiative_id

    if group_by is Grouping.INITIATIVE:
        initiatives = {
            row.id: (RoadmapEntry.from_row(row, source, spans.get(row.id)), row)
            for row, source in initiative_rows
        }
        show_empty = not filter.narrows and start is None and end is None
        lanes = _initiative_lanes(epics, initiative_of, initiatives, today, show_empty)
        items.update((i.id, initiatives[i.id][1]) for i in _lane_initiatives(lanes))
    elif group_by is Grouping.COMPONENT:
        components = await queries.components(session, epic_ids)
        lanes = _lanes(epics, group_by, lambda e: [(n, n) for n in components.get(e.id, [])])
    elif group_by is Grouping.SOURCE:
        lanes = _lanes(epics, group_by, lambda e: [(e.source, e.source)])
    else:
        lanes = _lanes(epics, group_by, _quarter)
    return Roadmap(lanes=lanes, summary=_summary(epics), items=items)


def _with_ancestors(
    rows: list[tuple[WorkItem, str]], chosen: set[str]
) -> list[tuple[WorkItem, str]]:
    """The initiative rows a roadmap narrowed to ``chosen`` can show: those and the ones
    above them, which keep the tree whole. Only their dates are derived: deriving every
    initiative's would read the whole hub for one initiative's page."""
    parents = acyclic_parents({row.id: row.parent_id for row, _ in rows})
    wanted = set(chosen)
    for item in chosen:
        while item in parents and parents[item] not in wanted:
            item = parents[item]
            wanted.add(item)
    return [(row, source) for row, source in rows if row.id in wanted]


def _shown(
    rows: list[queries.EpicRow], spans: dict[str, Span], start: date | None, end: date | None
) -> list[queries.EpicRow]:
    """The epics whose window overlaps [start, end] with their dates as shown, by target date
    (undated last), then key: statements filter and order by stored dates, which derived
    ones fill in."""
    kept = []
    for row, source, initiative_id in rows:
        dates = shown_dates(row, spans.get(row.id))
        window_start = dates.start or row.created_at.astimezone(UTC).date()
        if end is not None and window_start > end:
            continue
        if start is not None and dates.target is not None and dates.target < start:
            continue
        kept.append(((row, source, initiative_id), dates.target))
    kept.sort(key=lambda pair: (pair[1] is None, pair[1] or date.max, pair[0][0].key))
    return [row for row, _ in kept]


def _judge_epic(epic: RoadmapEntry, blockers: list[Blocker], today: date) -> None:
    schedule = Schedule(
        epic.status_category, epic.window_start, epic.target_date, epic.progress.ratio
    )
    epic.health = health_of(schedule, today, blockers)
    if epic.status_category not in CLOSED:
        epic.slipping_blockers = slipping_blockers(epic.target_date, blockers, today)


def _summary(epics: Iterable[RoadmapEntry]) -> dict[Health, int]:
    counts = dict.fromkeys(Health, 0)
    for epic in epics:
        counts[epic.health] += 1
    return counts


def _rolled_up(lane: Lane) -> Lane:
    for epic in lane.epics:
        if epic.status_category is not StatusCategory.CANCELED:
            lane.progress.add(epic.progress)
    lane.health = worst(epic.health for epic in lane.epics)
    return lane


def _lanes(
    epics: Iterable[RoadmapEntry],
    kind: Grouping,
    groups_of: Callable[[RoadmapEntry], list[tuple[str, str]]],
) -> list[Lane]:
    """Lanes by (key, title) in key order; an epic in several groups shows in each, and an
    epic in none goes to the last lane."""
    lanes: dict[str, Lane] = {}
    ungrouped = Lane(key=None, title=UNGROUPED_TITLES[kind], kind=kind)
    for epic in epics:
        groups = groups_of(epic)
        for key, title in groups:
            lanes.setdefault(key, Lane(key=key, title=title, kind=kind)).epics.append(epic)
        if not groups:
            ungrouped.epics.append(epic)
    ordered = [lanes[key] for key in sorted(lanes)]
    return [_rolled_up(lane) for lane in ordered + ([ungrouped] if ungrouped.epics else [])]


def _quarter(epic: RoadmapEntry) -> list[tuple[str, str]]:
    if epic.target_date is None:
        return []
    year, quarter = epic.target_date.year, (epic.target_date.month - 1) // 3 + 1
    return [(f"{year}-Q{quarter}", f"Q{quarter} {year}")]


def _initiative_lanes(
    epics: Iterable[RoadmapEntry],
    initiative_of: dict[str, str | None],
    initiatives: dict[str, tuple[RoadmapEntry, WorkItem]],
    today: date,
    show_empty: bool,
) -> list[Lane]:
    """A lane per initiative with epics shown (or per live initiative when nothing narrows
    the roadmap) and per initiative above one, in tree order: each lane right before the
    lanes of its sub-initiatives, siblings hub-native first, then by target date; then the
    epics under no initiative."""
    kind = Grouping.INITIATIVE
    lanes: dict[str, Lane] = {}
    ungrouped = Lane(key=None, title=UNGROUPED_TITLES[kind], kind=kind)
    if show_empty:
        for initiative, _ in initiatives.values():
            if initiative.status_category is not StatusCategory.CANCELED:
                lanes[initiative.id] = _initiative_lane(initiative)
    for epic in epics:
        found = initiatives.get(initiative_of[epic.id] or "")
        if found is None:
            ungrouped.epics.append(epic)
            continue
        lane = lanes.setdefault(found[0].id, _initiative_lane(found[0]))
        lane.epics.append(epic)
    parents = acyclic_parents({i: row.parent_id for i, (_, row) in initiatives.items()})
    for initiative_id in list(lanes):
        parent = parents.get(initiative_id)
        while parent is not None and parent not in lanes:
            lanes[parent] = _initiative_lane(initiatives[parent][0])
            parent = parents.get(parent)
    for initiative_id, lane in lanes.items():
        if initiative_id in parents:
            lane.parent = lanes[parents[initiative_id]]
            lane.parent.children.append(lane)
    ordered = _in_tree_order([lane for lane in lanes.values() if lane.parent is None])
    for lane in reversed(ordered):  # sub-initiatives are judged before the ones above them
        _judge_initiative(lane, today)
    return ordered + ([_rolled_up(ungrouped)] if ungrouped.epics else [])


def _in_tree_order(roots: list[Lane]) -> list[Lane]:
    """The lanes depth first, each before its children, siblings in ``_order``; sets depths."""
    ordered: list[Lane] = []
    stack = sorted(roots, key=lambda lane: _order(lane.initiative), reverse=True)
    while stack:
        lane = stack.pop()
        ordered.append(lane)
        lane.children.sort(key=lambda child: _order(child.initiative))
        for child in lane.children:
            child.depth = lane.depth + 1
        stack += reversed(lane.children)
    return ordered


def _initiative_lane(initiative: RoadmapEntry) -> Lane:
    return Lane(
        key=initiative.key, title=initiative.title, kind=Grouping.INITIATIVE, initiative=initiative
    )


def _judge_initiative(lane: Lane, today: date) -> None:
    """Rolls up into the initiative the progress of its epics and of its sub-initiatives',
    at any depth, and judges it: a sub-initiative's health counts like an epic's. Without a
    start date of its own, the initiative starts with its earliest epic (hub-native
    initiatives have no meaningful creation date)."""
    initiative = lane.initiative
    assert initiative is not None
    epics = lane.nested_epics()
    for epic in epics:
        if epic.status_category is not StatusCategory.CANCELED:
            lane.progress.add(epic.progress)
    initiative.progress = lane.progress
    start = initiative.start_date or min((epic.window_start for epic in epics), default=None)
    schedule = Schedule(
        initiative.status_category, start, initiative.target_date, lane.progress.ratio
    )
    below = [*(epic.health for epic in epics), *(child.health for child in lane.children)]
    initiative.health = initiative_health(schedule, today, below)
    lane.health = initiative.health


def _lane_initiatives(lanes: Iterable[Lane]) -> Iterable[RoadmapEntry]:
    return (lane.initiative for lane in lanes if lane.initiative is not None)


def _order(entry: RoadmapEntry | None) -> tuple[bool, date, str]:
    """Hub-native initiatives (the ones spanning tools) first, then by target date."""
    if entry is None:
        return (True, date.max, "")
    return (entry.source != HUB_SOURCE, entry.target_date or date.max, entry.key)
