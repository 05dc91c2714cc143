"""The dependency graph on a hand-built world whose answers are known.

    platform  PAY-4 (F, overdue) ──▶ acme/x#1 (C, github) ──▶ PAY-2 (A) ──▶ PAY-5 (G)
    ledger    acme/x#2 (D, done) ───────────────────────────▶ PAY-2
    payments  PAY-3 (B) ─────────────────────────────────────▶ PAY-2
              PAY-9 (Y) ──▶ PAY-3;  PAY-8 (X) ◀──▶ PAY-9 (Y) (a cycle)
              PAY-7 (Z, deleted, ledger) ──▶ PAY-2

A and B are the issues of epic PAY-1, under the hub-native initiative INI-1.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.errors import NotFound
from hub.contract.records import Level, Provenance, StatusCategory
from hub.storage.models import Component, Dependency, ItemComponent, Source, WorkItem
from hub.views.dependencies import RootKind, dependency_view
from hub.views.graph import (
    BlockingGraph,
    Direction,
    Neighbourhood,
    Node,
    blocked_by_open_work,
    critical_path,
    cycles,
    neighbourhood,
)
from hub.views.graph_loading import load_graph

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TODAY = date(2026, 4, 15)
T, P, D, X = (
    StatusCategory.TODO,
    StatusCategory.IN_PROGRESS,
    StatusCategory.DONE,
    StatusCategory.CANCELED,
)
SOURCE_IDS = {"jira": 1, "github": 2, "hub": 3}


def item(
    item_id: str,
    key: str,
    category: StatusCategory = T,
    *,
    target: int | None = None,
    today: date = TODAY,
    level: Level = Level.ISSUE,
    parent: str | None = None,
    deleted: bool = False,
) -> WorkItem:
    """``target`` is in days from ``today``."""
    source = item_id.split(":", 1)[0]
    return WorkItem(
        id=item_id,
        source_id=SOURCE_IDS[source],
        external_id=item_id.split(":", 1)[1],
        key=key,
        url=f"https://t/{key}",
        title=key,
        level=level,
        status_name=category.value.title(),
        status_category=category,
        parent_id=parent,
        target_date=None if target is None else today + timedelta(days=target),
        created_at=NOW,
        updated_at=NOW,
        raw={},
        content_hash="-",
        synced_at=NOW,
        labels=[],
        deleted=deleted,
    )


def blocks(blocker: str, blocked: str, provenance: Provenance = Provenance.TRACKER) -> Dependency:
    return Dependency(blocker_id=blocker, blocked_id=blocked, provenance=provenance, created_at=NOW)


async def build_world(
    sessions: async_sessionmaker[AsyncSession], *, today: date = TODAY, extra_blockers: int = 0
) -> None:
    """The world of the module docstring; ``extra_blockers`` more GitHub items block PAY-4
    (and sit in the platform component), to grow the graph without changing its shape."""
    async with sessions() as session, session.begin():
        session.add_all(
            Source(id=n, name=name, kind=name, base_url=f"https://{name}", created_at=NOW)
            for name, n in SOURCE_IDS.items()
        )
        session.add_all(
            [
                Component(id=1, name="payments", owner="team-pay", description="Takes money"),
                Component(id=2, name="ledger", owner="team-ledger"),
                Component(id=3, name="platform"),
                Component(id=4, name="docs"),
            ]
        )
        await session.flush()
        session.add_all(
            [
                item("hub:ini", "INI-1", level=Level.INITIATIVE, target=90, today=today),
                item(
                    "jira:E1", "PAY-1", level=Level.EPIC, parent="hub:ini", target=76, today=today
                ),
                item("jira:A", "PAY-2", T, target=16, parent="jira:E1", today=today),
                item("jira:B", "PAY-3", P, target=-14, parent="jira:E1", today=today),
                item("github:C", "acme/x#1", T, target=30, today=today),
                item("github:D", "acme/x#2", D, target=77, today=today),
                item("jira:F", "PAY-4", T, target=-45, today=today),
                item("jira:G", "PAY-5", T, target=47, today=today),
                item("jira:K", "PAY-6", X, today=today),
                item("jira:Z", "PAY-7", T, target=100, deleted=True, today=today),
                item("jira:X", "PAY-8", T, today=today),
                item("jira:Y", "PAY-9", T, today=today),
                *(
                    item(f"github:extra{n}", f"acme/y#{n}", T, target=-60, today=today)
                    for n in range(extra_blockers)
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                blocks("jira:F", "github:C"),
                blocks("github:C", "jira:A"),
                blocks("github:C", "jira:A", Provenance.MENTION),
                blocks("github:D", "jira:A"),
                blocks("jira:B", "jira:A"),
                blocks("jira:Z", "jira:A"),
                blocks("jira:A", "jira:G"),
                blocks("jira:Y", "jira:B", Provenance.MANUAL),
                blocks("jira:X", "jira:Y"),
                blocks("jira:Y", "jira:X"),
                *(blocks(f"github:extra{n}", "jira:F") for n in range(extra_blockers)),
            ]
        )
        memberships = {
            "jira:A": 1,
            "jira:B": 1,
            "github:C": 2,
            "github:D": 2,
            "jira:Z": 2,
            "jira:F": 3,
            "jira:K": 3,
            **{f"github:extra{n}": 3 for n in range(extra_blockers)},
        }
        session.add_all(
            ItemComponent(item_id=item_id, component_id=component_id)
            for item_id, component_id in memberships.items()
        )


@pytest.fixture
async def graph(sessions: async_sessionmaker[AsyncSession]) -> BlockingGraph:
    await build_world(sessions)
    async with sessions() as session:
        return await load_graph(session)


def keys(graph: BlockingGraph, ids: list[str]) -> list[str]:
    return [graph.nodes[item_id].key for item_id in ids]


def edge_keys(graph: BlockingGraph, ids: list[str]) -> set[tuple[str, str]]:
    around = neighbourhood(graph, ids, Direction.UPSTREAM, 10)
    return {(graph.nodes[e.blocker].key, graph.nodes[e.blocked].key) for e in around.edges}


async def test_the_graph_holds_live_edges_only(graph: BlockingGraph) -> None:
    assert "jira:Z" not in graph.nodes
    assert graph.blockers["jira:A"] == ["jira:B", "github:C", "github:D"]
    assert graph.edge("github:C", "jira:A").provenances == (Provenance.MENTION, Provenance.TRACKER)


@pytest.mark.parametrize(
    ("direction", "depth", "expected"),
    [
        (Direction.UPSTREAM, 1, ["PAY-2", "PAY-3", "acme/x#1", "acme/x#2"]),
        (Direction.UPSTREAM, 2, ["PAY-2", "PAY-3", "PAY-4", "PAY-9", "acme/x#1", "acme/x#2"]),
        (
            Direction.UPSTREAM,
            3,
            ["PAY-2", "PAY-3", "PAY-4", "PAY-8", "PAY-9", "acme/x#1", "acme/x#2"],
        ),
        (Direction.DOWNSTREAM, 1, ["PAY-2", "PAY-5"]),
        (Direction.DOWNSTREAM, 5, ["PAY-2", "PAY-5"]),
        (Direction.BOTH, 1, ["PAY-2", "PAY-3", "PAY-5", "acme/x#1", "acme/x#2"]),
    ],
)
async def test_neighbourhood_by_direction_and_depth(
    graph: BlockingGraph, direction: Direction, depth: int, expected: list[str]
) -> None:
    assert keys(graph, neighbourhood(graph, ["jira:A"], direction, depth).nodes) == expected


async def test_edges_are_those_among_the_nodes_with_provenance_and_tools(
    graph: BlockingGraph,
) -> None:
    around = neighbourhood(graph, ["jira:A"], Direction.UPSTREAM, 1)
    shown = [
        (graph.nodes[e.blocker].key, graph.nodes[e.blocked].key, e.provenances, e.crosses_tools)
        for e in around.edges
    ]
    assert shown == [
        ("PAY-3", "PAY-2", (Provenance.TRACKER,), False),
        ("acme/x#1", "PAY-2", (Provenance.MENTION, Provenance.TRACKER), True),
        ("acme/x#2", "PAY-2", (Provenance.TRACKER,), True),
    ]
    assert ("PAY-8", "PAY-9") in edge_keys(graph, ["jira:A"])
    assert ("PAY-9", "PAY-8") in edge_keys(graph, ["jira:A"])


async def test_cycles_are_found_where_they_touch_the_nodes(graph: BlockingGraph) -> None:
    deep = neighbourhood(graph, ["jira:A"], Direction.UPSTREAM, 3).nodes
    assert [keys(graph, cycle) for cycle in cycles(graph, deep)] == [["PAY-8", "PAY-9"]]
    shallow = neighbourhood(graph, ["jira:A"], Direction.UPSTREAM, 1).nodes
    assert cycles(graph, shallow) == []


async def test_the_critical_path_follows_open_blockers_and_breaks_ties_by_target(
    graph: BlockingGraph,
) -> None:
    # Two chains of three: PAY-4 → acme/x#1 → PAY-2 (latest target +30 days) and
    # PAY-9 → PAY-3 → PAY-2 (-14 days; the cycle PAY-8 ⇄ PAY-9 is not followed round).
    assert keys(graph, critical_path(graph, ["jira:A"])) == ["PAY-4", "acme/x#1", "PAY-2"]
    assert keys(graph, critical_path(graph, ["jira:G"])) == [
        "PAY-4",
        "acme/x#1",
        "PAY-2",
        "PAY-5",
    ]
    assert keys(graph, critical_path(graph, ["jira:X"])) == ["PAY-8"]


def test_the_critical_path_prefers_the_later_chain_and_survives_cycles() -> None:
    graph = BlockingGraph()
    dates = {"a": date(2026, 1, 1), "b": date(2026, 9, 1), "c": None, "r": date(2026, 5, 1)}
    for name, target in dates.items():
        graph.add(Node(name, name.upper(), 1, Level.ISSUE, T, target, None))
    graph.add(Node("done", "DONE", 1, Level.ISSUE, D, None, None))
    for blocker, blocked in [("a", "r"), ("b", "r"), ("c", "b"), ("b", "c"), ("done", "a")]:
        graph.link(blocker, blocked, Provenance.TRACKER)
    # c ⇄ b is a cycle, so b and c are chains of one; "done" is no open blocker: ties of two,
    # won by B's later target.
    assert critical_path(graph, ["r"]) == ["b", "r"]
    dates_swapped = BlockingGraph(nodes=dict(graph.nodes), blockers=graph.blockers)
    dates_swapped.nodes["a"] = Node("a", "A", 1, Level.ISSUE, T, date(2027, 1, 1), None)
    assert critical_path(dates_swapped, ["r"]) == ["a", "r"]


def test_a_long_chain_needs_no_recursion() -> None:
    graph = BlockingGraph()
    for n in range(20_000):
        graph.add(Node(str(n), f"K-{n:05}", 1, Level.ISSUE, T, None, None))
    for n in range(19_999):
        graph.link(str(n), str(n + 1), Provenance.TRACKER)
    graph.link("19999", "0", Provenance.TRACKER)  # and one big cycle
    assert len(cycles(graph, ["5"])[0]) == 20_000
    graph.blockers["0"] = []
    assert len(critical_path(graph, ["19999"])) == 20_000


async def test_the_dependency_view_puts_it_together(sessions) -> None:
    await build_world(sessions)
    async with sessions() as session:
        view = await dependency_view(session, "pay-2", RootKind.ITEM, Direction.UPSTREAM, 3)
        graph = await load_graph(session)
    assert keys(graph, view.roots) == ["PAY-2"]
    assert keys(graph, view.blocked_by_open_work) == [
        "PAY-2",
        "PAY-3",
        "PAY-8",
        "PAY-9",
        "acme/x#1",
    ]
    (conflict,) = view.schedule_conflicts
    assert (conflict.blocker, conflict.blocked) == ("github:C", "jira:A")
    assert (conflict.blocker_target, conflict.blocked_target) == (
        TODAY + timedelta(days=30),
        TODAY + timedelta(days=16),
    )
    assert keys(graph, view.critical_path) == ["PAY-4", "acme/x#1", "PAY-2"]


async def test_roots_from_an_initiative_a_component_or_a_hub_id(sessions) -> None:
    await build_world(sessions)
    async with sessions() as session:
        initiative = await dependency_view(session, "INI-1", RootKind.INITIATIVE, Direction.BOTH, 1)
        component = await dependency_view(session, "ledger", RootKind.COMPONENT, Direction.BOTH, 1)
        by_id = await dependency_view(session, "jira:G", RootKind.ITEM, Direction.BOTH, 1)
        alone = await dependency_view(session, "PAY-1", RootKind.ITEM, Direction.BOTH, 3)
    # Of an initiative's items, those without dependencies are left out (E1, the epic)...
    assert initiative.roots == ["jira:A", "jira:B"]
    assert "jira:E1" not in initiative.nodes
    # ...and of a component's, the deleted ones (Z)...
    assert component.roots == ["github:C", "github:D"]
    assert "jira:Z" not in component.nodes
    assert by_id.roots == ["jira:G"]
    # ...but an item asked for by name is shown even alone.
    assert (alone.roots, alone.nodes, alone.edges) == (["jira:E1"], ["jira:E1"], [])


@pytest.mark.parametrize(
    ("root", "kind"),
    [
        ("PAY-404", RootKind.ITEM),
        ("PAY-7", RootKind.ITEM),  # deleted
        ("PAY-1", RootKind.INITIATIVE),  # an epic
        ("billing", RootKind.COMPONENT),
    ],
)
async def test_an_unknown_root_is_not_found(sessions, root: str, kind: RootKind) -> None:
    await build_world(sessions)
    async with sessions() as session:
        with pytest.raises(NotFound, match=root):
            await dependency_view(session, root, kind, Direction.BOTH, 1)


async def test_the_part_read_for_a_root_answers_as_the_whole_graph_does(sessions) -> None:
    """On random graphs (cycles, deleted items, long chains): what is read for some roots
    gives the same neighbourhood, cycles, critical path and open work as the whole graph."""
    rng = random.Random(7)
    ids = [f"jira:R{n}" for n in range(60)]
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://jira", created_at=NOW))
        await session.flush()
        session.add_all(
            item(
                item_id,
                f"R-{n:02}",
                rng.choice([T, T, P, D]),
                target=rng.choice([None, -30, 10, 40]),
                deleted=rng.random() < 0.1,
            )
            for n, item_id in enumerate(ids)
        )
        await session.flush()
        pairs = {tuple(rng.sample(ids, 2)) for _ in range(90)}
        session.add_all(blocks(blocker, blocked) for blocker, blocked in pairs)
    async with sessions() as session:
        whole = await load_graph(session)
        for root in rng.sample(ids, 12):
            for direction in Direction:
                depth = rng.choice([1, 2, 3])
                part = await load_graph(session, [root, ids[0]], direction, depth)
                assert len(part.nodes) <= len(whole.nodes)
                starts = [root, ids[0]]
                assert answers(part, starts, direction, depth) == answers(
                    whole, starts, direction, depth
                ), (root, direction, depth)


Answers = tuple[Neighbourhood, list[list[str]], list[str], list[str]]


def answers(graph: BlockingGraph, roots: list[str], direction: Direction, depth: int) -> Answers:
    around = neighbourhood(graph, roots, direction, depth)
    return (
        around,
        cycles(graph, around.nodes),
        critical_path(graph, roots),
        blocked_by_open_work(graph, around.nodes),
    )
