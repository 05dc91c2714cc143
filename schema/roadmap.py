"""The roadmap query: epics from every tool in lanes, with rolled-up progress and health.

The view (``hub.views.roadmap``) computes everything in a fixed number of set-based
statements; every ``Item`` here resolves at once from the rows it read (which also prime
this request's ``item_by_id`` loader), and the Items' own relations batch as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError

import hub.views.roadmap as view
from hub.contract.records import StatusCategory
from hub.storage.models import WorkItem
from hub.views.filter_values import MAX_TEXT_LENGTH
from hub.views.health import PACE_MARGIN, UNDATED_BLOCKER_HORIZON, Health
from schema.context import Info
from schema.filter_checks import check_known, client_errors
from schema.types import DAYS, Item

strawberry.enum(
    view.Grouping,
    name="RoadmapGrouping",
    description="How the roadmap splits epics into lanes: by initiative, by platform "
    "component (an epic in several components shows in each), by source (tracker connection) "
    "or by calendar quarter of the target date.",
)
strawberry.enum(
    Health,
    description="Delivery health. DONE: done or canceled. NO_DATES: no target date. "
    "OFF_TRACK: the target date has passed. AT_RISK: progress trails the elapsed share of "
    f"the schedule by more than {PACE_MARGIN:.0%}, or an open blocker is due after the "
    "target, or an undated open blocker remains within "
    f"{UNDATED_BLOCKER_HORIZON.days} days of the target; an initiative is also AT_RISK when "
    "one of its epics is OFF_TRACK. ON_TRACK: none of these.",
)


DISAGREES = (
    "Whether the health the team declared (`item.declaredHealth`) contradicts the computed "
    "`health`: declared ON_TRACK while AT_RISK or OFF_TRACK, declared OFF_TRACK while "
    "ON_TRACK, or declared COMPLETE while still open. False without a declared health."
)

Rows = Mapping[str, WorkItem]
"""The rows the view read of every item the roadmap shows, by id: its Items resolve from
them at once, with no loader round trip (thousands of awaits for a whole roadmap)."""


@strawberry.input(description="Every field given narrows the epics shown.")
class RoadmapFilter:
    sources: list[str] | None = strawberry.field(
        default=None, description="Source names; one neither configured nor stored is an error."
    )
    components: list[str] | None = strawberry.field(
        default=None,
        description="Component names; an epic in any of them is shown. An unknown name is an "
        "error.",
    )
    initiatives: list[str] | None = strawberry.field(
        default=None,
        description="Keys (any case) or hub ids of the initiatives whose epics are shown, "
        "with the epics of their sub-initiatives at any depth; an unknown one is an error.",
    )
    status_categories: list[StatusCategory] | None = strawberry.field(
        default=None,
        description="Status categories of the epics shown; by default all but CANCELED.",
    )
    text: str | None = strawberry.field(
        default=None,
        description="Case-insensitive substring of the epic's title or key, at most "
        f"{MAX_TEXT_LENGTH} characters.",
    )

    def to_view(self) -> view.RoadmapFilter:
        return view.RoadmapFilter(
            sources=self.sources or (),
            components=self.components or (),
            initiatives=self.initiatives or (),
            status_categories=self.status_categories or (),
            text=self.text or None,
        )


@strawberry.type(description="How much of the work under an epic, lane or initiative is done.")
class RoadmapProgress:
    total: int = strawberry.field(description="Child issues, canceled ones left out.")
    done: int = strawberry.field(description="Child issues done.")
    ratio: float | None = strawberry.field(
        description="done / total, from 0 to 1; null when there is nothing to count."
    )
    estimate_total: float = strawberry.field(
        description="Sum of the child issues' estimates (points or hours, as the tracker has "
        "them), canceled ones left out."
    )
    estimate_done: float = strawberry.field(description="Sum of the estimates of issues done.")
    estimate_ratio: float | None = strawberry.field(
        description="estimateDone / estimateTotal; null when nothing is estimated."
    )

    @classmethod
    def from_view(cls, progress: view.Progress) -> RoadmapProgress:
        return cls(
            total=progress.total,
            done=progress.done,
            ratio=progress.ratio,
            estimate_total=progress.estimate_total,
            estimate_done=progress.estimate_done,
            estimate_ratio=progress.estimate_ratio,
        )


@strawberry.type(description="One epic on the roadmap.")
class RoadmapEpic:
    entry: strawberry.Private[view.RoadmapEntry]
    rows: strawberry.Private[Rows]

    @strawberry.field(description="The epic itself, from whichever tracker holds it.")
    def item(self) -> Item:
        return Item.from_row(self.rows[self.entry.id], self.entry.dates)

    @strawberry.field(description="Progress of the epic's child issues.")
    def progress(self) -> RoadmapProgress:
        return RoadmapProgress.from_view(self.entry.progress)

    @strawberry.field(description="Whether the epic will make its target date.")
    def health(self) -> Health:
        return self.entry.health

    @strawberry.field(description=DISAGREES)
    def health_disagrees(self) -> bool:
        return self.entry.health_disagrees

    @strawberry.field(
        description="Open items blocking this epic that threaten its target date: due after "
        "it, or without a date when the target is near. Empty for closed or undated epics."
    )
    def slipping_blockers(self) -> list[Item]:
        return [Item.from_row(self.rows[blocker.id]) for blocker in self.entry.slipping_blockers]


@strawberry.type(
    description="A row of the roadmap: the epics of one initiative, component, source or quarter."
)
class RoadmapLane:
    lane: strawberry.Private[view.Lane]
    rows: strawberry.Private[Rows]

    @strawberry.field(
        description="The group's key: initiative key, component name, source name or quarter "
        "(`2026-Q3`). Null for the last lane, of epics that fit no group."
    )
    def key(self) -> str | None:
        return self.lane.key

    @strawberry.field(description="A heading for the lane, e.g. `Q3 2026` or `No initiative`.")
    def title(self) -> str:
        return self.lane.title

    @strawberry.field(description="What the lane groups by.")
    def kind(self) -> view.Grouping:
        return self.lane.kind

    @strawberry.field(description="The lane's initiative; null unless grouped by initiative.")
    def initiative(self) -> Item | None:
        if self.lane.initiative is None:
            return None
        initiative = self.lane.initiative
        return Item.from_row(self.rows[initiative.id], initiative.dates)

    @strawberry.field(
        description="The epics' progress added up (counts and estimates); canceled epics "
        "count for nothing. For an initiative, this is the initiative's progress, its "
        "sub-initiatives' epics included at any depth."
    )
    def progress(self) -> RoadmapProgress:
        return RoadmapProgress.from_view(self.lane.progress)

    @strawberry.field(
        description="The initiative's own health for an initiative's lane (an OFF_TRACK "
        "sub-initiative or epic at any depth below makes it at least AT_RISK); otherwise the "
        "health of the epic most in need of attention."
    )
    def health(self) -> Health:
        return self.lane.health

    @strawberry.field(
        description="Whether the health its team declared contradicts the computed one, for "
        "the lane's initiative or any epic in the lane (see `RoadmapEpic.healthDisagrees`)."
    )
    def health_disagrees(self) -> bool:
        lane = self.lane
        entries = [*lane.epics, *([lane.initiative] if lane.initiative else [])]
        return any(entry.health_disagrees for entry in entries)

    @strawberry.field(
        description="Whether the health the team of the lane's initiative declared "
        "(`initiative.declaredHealth`) contradicts the lane's `health`; false for lanes of no "
        "initiative and for initiatives without a declared health."
    )
    def initiative_health_disagrees(self) -> bool:
        return self.lane.initiative is not None and self.lane.initiative.health_disagrees

    @strawberry.field(
        description="The lane's own epics by target date (undated last), then key; those of "
        "its sub-initiatives are in their own lanes (`childLanes`)."
    )
    def epics(self) -> list[RoadmapEpic]:
        return [RoadmapEpic(entry=epic, rows=self.rows) for epic in self.lane.epics]

    @strawberry.field(
        description="Epics shown in this lane and in every lane under it, at any depth: what "
        "`progress` and `health` roll up."
    )
    def epic_count(self) -> int:
        return len(self.lane.nested_epics())

    @strawberry.field(
        description="How many initiative lanes this one sits under: 0 for a top-level "
        "initiative and for every lane not grouped by initiative. `lanes` lists each lane "
        "right before the lanes under it, so indenting by depth draws the tree."
    )
    def depth(self) -> int:
        return self.lane.depth

    @strawberry.field(
        description="The lane of the initiative this lane's initiative is part of (a Jira "
        "theme, a Linear parent initiative, a config initiative's `parent`); null at the top."
    )
    def parent(self) -> RoadmapLane | None:
        parent = self.lane.parent
        return None if parent is None else RoadmapLane(lane=parent, rows=self.rows)

    @strawberry.field(
        description="The lanes of this initiative's sub-initiatives, in the order `lanes` "
        "lists them; they are in `lanes` too."
    )
    def child_lanes(self) -> list[RoadmapLane]:
        return [RoadmapLane(lane=child, rows=self.rows) for child in self.lane.children]


@strawberry.type(description="How many epics shown are in each health; each epic counts once.")
class RoadmapSummary:
    epics: int = strawberry.field(description="Epics shown.")
    on_track: int = strawberry.field(description="Epics ON_TRACK.")
    at_risk: int = strawberry.field(description="Epics AT_RISK.")
    off_track: int = strawberry.field(description="Epics OFF_TRACK.")
    done: int = strawberry.field(description="Epics DONE (or canceled, when shown).")
    no_dates: int = strawberry.field(description="Epics without a target date.")

    @classmethod
    def from_view(cls, counts: dict[Health, int]) -> RoadmapSummary:
        return cls(
            epics=sum(counts.values()),
            on_track=counts[Health.ON_TRACK],
            at_risk=counts[Health.AT_RISK],
            off_track=counts[Health.OFF_TRACK],
            done=counts[Health.DONE],
            no_dates=counts[Health.NO_DATES],
        )


@strawberry.type(description="Epics across every tool in lanes, with progress and health.")
class Roadmap:
    group_by: view.Grouping = strawberry.field(description="How the lanes were formed.")
    as_of: date = strawberry.field(description="The day health was judged on.")
    lanes: list[RoadmapLane] = strawberry.field(
        description="Initiative lanes start with hub-native initiatives, then by target date; "
        "a nested initiative's lane follows its parent's (see `RoadmapLane.depth`), with the "
        "lanes of initiatives above the ones shown kept so the tree stays whole. Other lanes "
        "go by key. The lane of epics that fit no group comes last."
    )
    summary: RoadmapSummary = strawberry.field(description="Epics per health.")


@strawberry.type
class RoadmapQuery:
    @strawberry.field(
        description="The roadmap: epics from every tracker in lanes, with progress rolled up "
        "from their issues and a delivery health. Canceled epics are left out unless the "
        "filter asks for them."
    )
    async def roadmap(
        self,
        info: Info,
        group_by: Annotated[
            view.Grouping, strawberry.argument(description="How to split epics into lanes.")
        ] = view.Grouping.INITIATIVE,
        from_: Annotated[
            date | None,
            strawberry.argument(
                name="from",
                description="Keep epics whose window (start date, or creation day, to target "
                f"date) reaches this day: target on or after it, or no target. {DAYS}.",
            ),
        ] = None,
        to: Annotated[
            date | None,
            strawberry.argument(
                description=f"Keep epics started (or created) on or before this day. {DAYS}."
            ),
        ] = None,
        filter: Annotated[
            RoadmapFilter | None, strawberry.argument(description="Which epics to show.")
        ] = None,
    ) -> Roadmap:
        if from_ is not None and to is not None and from_ > to:
            raise GraphQLError(f"`from` ({from_}) is after `to` ({to}); swap them.")
        today = info.context.today or datetime.now(UTC).date()
        with client_errors():
            chosen = filter.to_view() if filter else view.RoadmapFilter()
        await check_known(
            info,
            sources=chosen.sources,
            components=chosen.components,
            initiatives=chosen.initiatives,
        )
        with client_errors():  # days out of range
            async with info.context.sessions() as session:
                result = await view.roadmap(
                    session, group_by=group_by, start=from_, end=to, filter=chosen, today=today
                )
        info.context.loaders.item_by_id.prime_many(result.items)
        return Roadmap(
            group_by=group_by,
            as_of=today,
            lanes=[RoadmapLane(lane=lane, rows=result.items) for lane in result.lanes],
            summary=RoadmapSummary.from_view(result.summary),
        )
