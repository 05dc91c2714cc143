"""`hub report dependencies` without `--root` on a world too large for one Mermaid diagram:
four initiatives, one with a single chain of 500 issues (one cluster, cut), one with 120
small clusters (packed whole into a few diagrams), two small ones; a few dependencies cross
initiatives.

Mermaid refuses a diagram over 50,000 characters; before this report split by initiative it
wrote one flowchart of the whole world (here 168,026 characters).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import Level, Provenance
from hub.reports.drawing import Drawing, DrawnEdge, DrawnItem, drawing
from hub.reports.mermaid import MAX_TEXT_SIZE, fits, render_dependencies
from hub.reports.splitting import split
from hub.storage.models import Dependency, Source
from tests.reports.test_dependency_reports import graphviz
from tests.work_items import NOW, work_item

TITLE = "Harden the token refresh of the payments gateway for retries"
CHAIN, CLUSTERS, SMALL = 500, 120, 10
INITIATIVES = {
    "INI-0": "One long chain",
    "INI-1": "Many small clusters",
    "INI-2": "Small",
    "INI-3": "Smaller",
}


def blocks(blocker: str, blocked: str) -> Dependency:
    return Dependency(
        blocker_id=blocker, blocked_id=blocked, provenance=Provenance.TRACKER, created_at=NOW
    )


async def build_large_world(sessions: async_sessionmaker[AsyncSession]) -> None:
    items, edges = [], []
    for number, (key, title) in enumerate(INITIATIVES.items()):
        initiative, epic = f"jira:{key}", f"jira:EP-{number}"
        items += [
            work_item(initiative, key, title, level=Level.INITIATIVE),
            work_item(
                epic, f"EP-{number}", f"Epic {number}", level=Level.EPIC, parent_id=initiative
            ),
        ]
        count = {0: CHAIN, 1: 3 * CLUSTERS}.get(number, SMALL)
        issues = [f"jira:{number}-{n}" for n in range(count)]
        items += [
            work_item(issue, f"P{number}-{n}", f"{TITLE} {n}", parent_id=epic)
            for n, issue in enumerate(issues)
        ]
        if number == 1:  # clusters of three: a and b block c
            edges += [
                blocks(issues[n + k], issues[n + 2]) for n in range(0, count, 3) for k in (0, 1)
            ]
        else:  # one chain
            edges += [blocks(a, b) for a, b in zip(issues, issues[1:], strict=False)]
    edges += [blocks("jira:2-0", "jira:3-0"), blocks("jira:1-2", "jira:0-0")]
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://j", created_at=NOW))
        await session.flush()
        session.add_all(items)
        await session.flush()
        session.add_all(edges)


def sections(markdown: str) -> dict[str, list[str]]:
    """The Mermaid blocks under each second-level heading."""
    found: dict[str, list[str]] = {}
    for part in re.split(r"^## ", markdown, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        found[heading] = re.findall(r"^```mermaid\n(.*?)\n```$", body, flags=re.M | re.S)
    return found


def drawn_edges(block: str) -> list[tuple[str, str]]:
    """Edges of one Mermaid block, by the keys in their items' labels."""
    keys = dict(re.findall(r'^  (n_\w+)\["([^ ]+) · ', block, flags=re.M))
    links = re.findall(r"^  (n_\w+) -\.?->(?:\|[^|]*\|)? (n_\w+)$", block, flags=re.M)
    return [(keys[a], keys[b]) for a, b in links]


async def test_every_mermaid_diagram_fits_and_each_initiative_has_its_own(
    sessions, hub_report
) -> None:
    await build_large_world(sessions)
    result = await hub_report("dependencies", "--format", "mermaid")
    assert result.exit_code == 0, result.output
    found = sections(result.stdout)
    assert list(found) == [f"{key}: {title}" for key, title in INITIATIVES.items()]
    blocks = [block for diagrams in found.values() for block in diagrams]
    assert blocks and all(block.startswith("flowchart LR\n") for block in blocks)
    assert max(len(block) for block in blocks) <= MAX_TEXT_SIZE
    assert len(found["INI-0: One long chain"]) >= 3  # the chain alone is cut
    assert 2 <= len(found["INI-1: Many small clusters"]) <= 3  # clusters packed whole

    graphs = json.loads((await hub_report("dependencies", "--format", "json")).stdout)
    everything = drawing("all", [graph["dependencyGraph"] for graph in graphs["dependencyGraphs"]])
    one_flowchart = len(render_dependencies(everything))
    print(
        f"as one flowchart: {one_flowchart} characters; largest diagram now {max(map(len, blocks))}"
    )
    assert one_flowchart > 3 * MAX_TEXT_SIZE  # what the report wrote before
    for graph in graphs["dependencyGraphs"]:
        (diagrams,) = [d for h, d in found.items() if h.startswith(f"{graph['root']}:")]
        api = graph["dependencyGraph"]["edges"]
        drawn = [edge for block in diagrams for edge in drawn_edges(block)]
        # every dependency of the initiative's graph, each drawn once
        assert sorted(drawn) == sorted((e["blocker"]["key"], e["blocked"]["key"]) for e in api)
    clusters = [drawn_edges(block) for block in found["INI-1: Many small clusters"]]
    for diagram in clusters:  # a cluster of three is never split between diagrams
        blocked = [b for _, b in diagram if b.startswith("P1-")]
        assert all(blocked.count(b) == 2 for b in blocked)
    assert "1 cluster of linked items was too large for one diagram" in result.stdout


async def test_dot_draws_a_cluster_per_initiative(sessions, hub_report) -> None:
    await build_large_world(sessions)
    result = await hub_report("dependencies")
    assert result.exit_code == 0, result.output
    labels = re.findall(
        r'^  subgraph cluster_\d+ \{\n    // .*\n    graph \[label="([^"]*)"',
        result.stdout,
        flags=re.M,
    )
    assert labels == [f"{key}: {title}" for key, title in INITIATIVES.items()]
    laid_out: dict[str, Any] = json.loads(graphviz(result.stdout, "json0"))
    clusters = [g["label"] for g in laid_out.get("objects", []) if g["name"].startswith("cluster")]
    assert clusters == labels


def chain(length: int) -> Drawing:
    items = {
        f"i{n}": DrawnItem(
            name=f"n_I_{n}",
            key=f"I-{n}",
            title=TITLE,
            url=f"https://t/I-{n}",
            source="jira",
            source_kind="jira",
            level="ISSUE",
            status="To do",
            status_category="TODO",
            target_date=None,
        )
        for n in range(length)
    }
    edges = [DrawnEdge(f"i{n}", f"i{n + 1}", ["TRACKER"], False) for n in range(length - 1)]
    return Drawing(title="A chain", items=items, edges=edges)


def test_one_cluster_too_large_is_cut_into_diagrams_that_each_fit() -> None:
    drawing = chain(2_000)
    assert len(render_dependencies(drawing)) > 4 * MAX_TEXT_SIZE
    drawn = split(drawing, lambda part: len(render_dependencies(part)), MAX_TEXT_SIZE)
    assert drawn.clusters_cut == 1 and len(drawn.parts) >= 5
    assert all(fits(part) for part in drawn.parts)
    assert [edge for part in drawn.parts for edge in part.edges] == drawing.edges


async def test_a_root_whose_graph_is_too_large_is_split_too(sessions, hub_report) -> None:
    await build_large_world(sessions)
    args = ("--root", "INI-0", "--root-kind", "initiative", "--format", "mermaid")
    result = await hub_report("dependencies", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Dependencies of initiative INI-0, both ways, 3 deep\n")
    (diagrams,) = sections(result.stdout).values()
    assert len(diagrams) >= 3 and max(len(block) for block in diagrams) <= MAX_TEXT_SIZE


def test_many_small_clusters_are_packed_whole_into_few_diagrams() -> None:
    drawing = chain(2_000)
    drawing.edges = drawing.edges[::2]  # pairs: I-0 → I-1, I-2 → I-3, …
    whole = len(render_dependencies(drawing))
    drawn = split(drawing, lambda part: len(render_dependencies(part)), MAX_TEXT_SIZE)
    assert drawn.clusters_cut == 0
    assert all(fits(part) for part in drawn.parts)
    assert len(drawn.parts) <= whole // MAX_TEXT_SIZE + 2  # nearly full diagrams
    assert [edge for part in drawn.parts for edge in part.edges] == drawing.edges
    items = [item_id for part in drawn.parts for item_id in part.items]
    assert sorted(items) == sorted(drawing.items)  # each item, and so each pair, once
