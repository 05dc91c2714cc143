"""Initiatives nested in initiatives on the roadmap: lanes in tree order, rollups over every
level below, filters that take sub-initiatives along, and cycles from a bad tracker cut.

``build_nested`` is shared with ``tests/schema/test_nested_roadmap.py``. Today is 2026-04-01.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import DateSource, Level
from hub.views.derived_dates import Span, child_spans
from hub.views.health import Health
from hub.views.roadmap import Lane, Roadmap, RoadmapFilter
from hub.views.roadmap_tree import acyclic_parents, with_descendants
from tests.views.test_roadmap import D, P, T, add_sources, issues, keys, load, work_item

THEME, INI_1, INI_2, PAY = "jira:THEME-1", "jira:INI-1", "jira:INI-2", "hub:pay"


async def build_nested(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A Jira theme above a dated Jira initiative (itself above an undated one) and above a
    config initiative; each initiative has one epic.

    THEME-1 (no dates) ─┬─ pay (hub, no dates): acme/pay#1 (02-01 → 11-30, 1/1 done)
                        └─ INI-1 (01-01 → 09-30): EP-A (01-01 → 08-01, 1/2 done)
                           └─ INI-2 (no dates): EP-B (→ 03-01, late, 0/1 done)
    """
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all(
            [
                work_item(THEME, Level.INITIATIVE, P, key="THEME-1", title="Platform 2027"),
                work_item(
                    INI_1,
                    Level.INITIATIVE,
                    P,
                    THEME,
                    key="INI-1",
                    start_date=date(2026, 1, 1),
                    target_date=date(2026, 9, 30),
                ),
                work_item(INI_2, Level.INITIATIVE, P, INI_1, key="INI-2"),
                work_item(PAY, Level.INITIATIVE, P, THEME, key="pay", title="Payments"),
                work_item(
                    "jira:EP-A",
                    Level.EPIC,
                    P,
                    INI_1,
                    start_date=date(2026, 1, 1),
                    target_date=date(2026, 8, 1),
                ),
                *issues("jira:EP-A", (D, 1.0), (T, 1.0)),
                work_item("jira:EP-B", Level.EPIC, P, INI_2, target_date=date(2026, 3, 1)),
                *issues("jira:EP-B", (T, 2.0)),
                work_item(
                    "github:1",
                    Level.EPIC,
                    P,
                    PAY,
                    key="acme/pay#1",
                    start_date=date(2026, 2, 1),
                    target_date=date(2026, 11, 30),
                ),
                *issues("github:1", (D, 3.0)),
            ]
        )


def tree(result: Roadmap) -> list[tuple[str | None, int, str | None, list[str]]]:
    """Each lane's key, depth, parent lane's key and own epics, in order."""
    return [
        (lane.key, lane.depth, lane.parent.key if lane.parent else None, keys(lane))
        for lane in result.lanes
    ]


def lane(result: Roadmap, key: str) -> Lane:
    return next(lane for lane in result.lanes if lane.key == key)


async def test_lanes_nest_in_tree_order_each_with_its_own_epics(sessions) -> None:
    await build_nested(sessions)
    result = await load(sessions)

    assert tree(result) == [
        ("THEME-1", 0, None, []),
        ("pay", 1, "THEME-1", ["acme/pay#1"]),  # hub-native first among siblings
        ("INI-1", 1, "THEME-1", ["EP-A"]),
        ("INI-2", 2, "INI-1", ["EP-B"]),
    ]
    assert [child.key for child in lane(result, "THEME-1").children] == ["pay", "INI-1"]
    assert lane(result, "INI-2").children == []
    assert result.summary[Health.OFF_TRACK] == 1 and sum(result.summary.values()) == 3


async def test_a_parent_rolls_up_every_level_below_it(sessions) -> None:
    await build_nested(sessions)
    result = await load(sessions)

    progress = {
        lane.key: (lane.progress.total, lane.progress.done, lane.progress.estimate_total)
        for lane in result.lanes
    }
    assert progress == {
        "INI-2": (1, 0, 2.0),
        "INI-1": (3, 1, 4.0),  # its own EP-A and INI-2's EP-B
        "pay": (1, 1, 3.0),
        "THEME-1": (4, 2, 7.0),
    }
    nested = lane(result, "THEME-1").nested_epics()
    assert sorted(epic.key for epic in nested) == ["EP-A", "EP-B", "acme/pay#1"]
    health = {lane.key: lane.health for lane in result.lanes}
    # INI-1 is on pace and ahead of its target, but EP-B two levels down is late.
    assert health == {
        "INI-2": Health.OFF_TRACK,
        "INI-1": Health.AT_RISK,
        "pay": Health.ON_TRACK,
        "THEME-1": Health.AT_RISK,
    }


async def test_an_undated_initiative_spans_its_sub_initiatives_epics(sessions) -> None:
    """THEME-1 starts with INI-1 and ends with pay's epic, two levels down; INI-1 keeps
    its own dates."""
    await build_nested(sessions)
    result = await load(sessions)

    theme = lane(result, "THEME-1").initiative
    assert theme is not None
    assert (theme.start_date, theme.target_date) == (date(2026, 1, 1), date(2026, 11, 30))
    assert theme.start_origin is not None and theme.target_origin is not None
    assert {theme.start_origin.source, theme.target_origin.source} == {DateSource.CHILDREN}
    ini_1 = lane(result, "INI-1").initiative
    assert ini_1 is not None and ini_1.target_date == date(2026, 9, 30)
    assert ini_1.target_origin is not None and ini_1.target_origin.source is DateSource.FIELD


async def test_filtering_by_an_initiative_takes_its_sub_initiatives_along(sessions) -> None:
    await build_nested(sessions)

    async def shown(*initiatives: str) -> list[tuple[str | None, int, str | None, list[str]]]:
        return tree(await load(sessions, filter=RoadmapFilter(initiatives=initiatives)))

    assert await shown("theme-1") == await shown(THEME)
    assert len(await shown("THEME-1")) == 4
    # INI-1 and INI-2's epics; THEME-1 stays as the lane they sit under.
    assert await shown("INI-1") == [
        ("THEME-1", 0, None, []),
        ("INI-1", 1, "THEME-1", ["EP-A"]),
        ("INI-2", 2, "INI-1", ["EP-B"]),
    ]
    assert await shown("pay") == [("THEME-1", 0, None, []), ("pay", 1, "THEME-1", ["acme/pay#1"])]
    filtered = await load(sessions, filter=RoadmapFilter(initiatives=["INI-1"]))
    assert lane(filtered, "THEME-1").progress.total == 3  # only the epics shown count


async def test_a_parent_cycle_from_a_bad_tracker_is_cut(sessions) -> None:
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add_all(
            [
                work_item("jira:X", Level.INITIATIVE, P, "jira:Y"),
                work_item("jira:Y", Level.INITIATIVE, P, "jira:X"),
                work_item("jira:Z", Level.INITIATIVE, P, "jira:Z"),
                work_item("jira:EP-X", Level.EPIC, P, "jira:X", target_date=date(2026, 5, 1)),
                work_item("jira:EP-Y", Level.EPIC, P, "jira:Y", target_date=date(2026, 6, 1)),
            ]
        )

    everything = await load(sessions)
    # Walking up from X, Y's link back to X would close the loop: Y is the top.
    assert tree(everything) == [
        ("Y", 0, None, ["EP-Y"]),
        ("X", 1, "Y", ["EP-X"]),
        ("Z", 0, None, []),
    ]
    assert len(lane(everything, "Y").nested_epics()) == 2
    filtered = await load(sessions, filter=RoadmapFilter(initiatives=["X"]))
    assert sorted(epic.key for row in filtered.lanes for epic in row.epics) == ["EP-X", "EP-Y"]


def test_acyclic_parents_keeps_trees_and_cuts_loops() -> None:
    assert acyclic_parents({"a": None, "b": "a", "c": "b", "d": "gone"}) == {"b": "a", "c": "b"}
    assert acyclic_parents({"a": "a"}) == {}
    # a > b > c > a, with t hanging below: the walk from a drops c's link back to a
    assert acyclic_parents({"a": "b", "b": "c", "c": "a", "t": "a"}) == {
        "a": "b",
        "b": "c",
        "t": "a",
    }


def test_with_descendants_goes_any_depth_and_ends_at_a_loop() -> None:
    children = {"a": ["b"], "b": ["c", "d"], "c": ["a"], "x": ["y"]}
    assert with_descendants({"b"}, children) == {"a", "b", "c", "d"}
    assert with_descendants({"d", "x"}, children) == {"d", "x", "y"}
    assert with_descendants(set(), children) == set()


async def test_a_page_narrowed_to_an_initiative_derives_dates_for_it_and_above_only(
    sessions, monkeypatch
) -> None:
    """Deriving every initiative's dates would read the whole hub for one initiative's page:
    the narrowed roadmap derives those of the initiatives it can show (the chosen one, those
    under it and those above it), and they still span all their children."""
    await build_nested(sessions)
    asked: list[set[str]] = []

    async def recording(session: AsyncSession, ids: list[str]) -> dict[str, Span]:
        asked.append(set(ids))
        return await child_spans(session, ids)

    monkeypatch.setattr("hub.views.roadmap.child_spans", recording)
    result = await load(sessions, filter=RoadmapFilter(initiatives=("INI-2",)))

    assert asked == [{THEME, INI_2, "jira:EP-B"}]  # not PAY, beside the chosen branch
    theme = next(lane for lane in result.lanes if lane.key == "THEME-1")
    assert theme.initiative is not None and theme.initiative.target_origin is not None
    assert theme.initiative.target_origin.source is DateSource.CHILDREN
    assert theme.initiative.target_date == date(2026, 11, 30)  # pay's epic counts too
