"""Epics and initiatives without dates of their own show their children's, marked CHILDREN;
a declared date is never overwritten by a derived one."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import DateSource, Level
from hub.views.derived_dates import DERIVED, DateOrigin, Span, child_spans
from hub.views.roadmap import Grouping, roadmap
from tests.views.test_roadmap import TODAY, C, D, P, add_sources, work_item

JAN, FEB, MAR = date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)
JUN, JUL, SEP = date(2026, 6, 30), date(2026, 7, 31), date(2026, 9, 30)


async def build(sessions: async_sessionmaker[AsyncSession]) -> None:
    """An initiative with no dates over an epic with none (dated by its issues) and an epic
    with a declared start and target; an issue outside both epics' dates; canceled and
    deleted issues that count for nothing."""
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all(
            [
                work_item("jira:INI", Level.INITIATIVE, P),
                work_item("jira:E1", Level.EPIC, P, "jira:INI"),
                work_item("jira:E1-1", Level.ISSUE, D, "jira:E1", start_date=FEB, target_date=JUN),
                work_item("jira:E1-2", Level.ISSUE, P, "jira:E1", target_date=JUL),
                work_item("jira:E1-3", Level.ISSUE, C, "jira:E1", start_date=JAN),
                work_item("jira:E1-4", Level.ISSUE, P, "jira:E1", target_date=SEP, deleted=True),
                work_item(
                    "jira:E2",
                    Level.EPIC,
                    P,
                    "jira:INI",
                    start_date=MAR,
                    start_date_source=DateSource.SPRINT,
                    start_date_field="Sprint 4",
                    target_date=JUN,
                    target_date_source=DateSource.FIELD,
                    target_date_field="Target end",
                ),
                work_item("jira:E2-1", Level.ISSUE, P, "jira:E2", start_date=JAN, target_date=SEP),
            ]
        )


async def test_child_spans_walk_down_to_the_issues_of_undated_epics(sessions) -> None:
    await build(sessions)
    async with sessions() as session:
        spans = await child_spans(session, ["jira:INI", "jira:E1", "jira:E2", "jira:none"])

    assert spans["jira:E1"] == Span(FEB, JUL)  # canceled and deleted issues left out
    # E1 counts with its derived dates (FEB, JUL), E2 with its declared ones (MAR, JUN), not
    # its issue's (JAN, SEP).
    assert spans["jira:INI"] == Span(FEB, JUL)
    assert spans["jira:E2"] == Span(JAN, SEP)
    assert spans["jira:none"] == Span()


async def test_the_roadmap_shows_derived_dates_marked_and_declared_ones_kept(sessions) -> None:
    await build(sessions)
    async with sessions() as session:
        result = await roadmap(session, group_by=Grouping.INITIATIVE, today=TODAY)

    [lane] = [lane for lane in result.lanes if lane.initiative is not None]
    epics = {epic.key: epic for epic in lane.epics}
    e1, e2 = epics["E1"], epics["E2"]
    assert (e1.start_date, e1.start_origin, e1.target_date, e1.target_origin) == (
        FEB,
        DERIVED,
        JUL,
        DERIVED,
    )
    # A child starting earlier and ending later never overwrites a declared date.
    assert (e2.start_date, e2.start_origin) == (MAR, DateOrigin(DateSource.SPRINT, "Sprint 4"))
    assert (e2.target_date, e2.target_origin) == (JUN, DateOrigin(DateSource.FIELD, "Target end"))
    assert lane.initiative is not None
    assert (lane.initiative.start_date, lane.initiative.target_date) == (FEB, JUL)
    assert lane.initiative.target_origin == DERIVED
    # Ordered by the dates shown: E2 (June) before E1 (July, derived).
    assert [epic.key for epic in lane.epics] == ["E2", "E1"]


async def test_a_derived_date_counts_for_health_and_the_date_range(sessions) -> None:
    await build(sessions)
    async with sessions() as session:
        late = await roadmap(session, group_by=Grouping.SOURCE, today=date(2026, 8, 1))
        after_july = await roadmap(session, group_by=Grouping.SOURCE, start=date(2026, 7, 15))

    by_key = {epic.key: epic for lane in late.lanes for epic in lane.epics}
    assert by_key["E1"].health.value == "OFF_TRACK"  # its derived target (July) has passed
    shown = {epic.key for lane in after_july.lanes for epic in lane.epics}
    assert shown == {"E1"}  # E2 ends in June; E1's derived window reaches July


async def test_an_epic_with_no_dated_child_keeps_no_dates(sessions) -> None:
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all(
            [
                work_item("jira:E", Level.EPIC, P),
                work_item("jira:E-1", Level.ISSUE, P, "jira:E"),
            ]
        )
    async with sessions() as session:
        result = await roadmap(session, group_by=Grouping.SOURCE, today=TODAY)

    [epic] = [epic for lane in result.lanes for epic in lane.epics]
    assert (epic.start_date, epic.start_origin, epic.target_date, epic.target_origin) == (
        None,
        None,
        None,
        None,
    )
    assert epic.health.value == "NO_DATES"


async def test_a_cycle_of_parents_ends(sessions) -> None:
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all(
            [
                work_item("jira:A", Level.EPIC, P, "jira:B"),
                work_item("jira:B", Level.EPIC, P, "jira:A"),
                work_item("jira:A-1", Level.ISSUE, P, "jira:A", target_date=JUN),
            ]
        )
    async with sessions() as session:
        spans = await child_spans(session, ["jira:A", "jira:B"])

    assert spans == {"jira:A": Span(None, JUN), "jira:B": Span(None, JUN)}


async def test_an_initiative_derives_through_nested_initiatives_at_any_depth(sessions) -> None:
    """Initiatives nest by their parent (a tracker's parent initiative); an undated one takes
    its dates from sub-initiatives, theirs from their epics, theirs from their issues."""
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all(
            [
                work_item("jira:TOP", Level.INITIATIVE, P),
                work_item("jira:MID", Level.INITIATIVE, P, "jira:TOP", target_date=SEP),
                work_item("jira:LOW", Level.INITIATIVE, P, "jira:MID"),
                work_item("jira:E", Level.EPIC, P, "jira:LOW"),
                work_item("jira:E-1", Level.ISSUE, P, "jira:E", start_date=JAN, target_date=JUL),
            ]
        )
    async with sessions() as session:
        spans = await child_spans(session, ["jira:TOP", "jira:LOW"])

    assert spans["jira:LOW"] == Span(JAN, JUL)
    assert spans["jira:TOP"] == Span(JAN, SEP)  # MID's declared target, LOW's derived start
