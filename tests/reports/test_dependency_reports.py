"""`hub report dependencies` on the graph world of ``tests/views/test_graph.py``:

    PAY-4 ──▶ acme/x#1 (github) ──▶ PAY-2 ──▶ PAY-5;  acme/x#2 (github) ──▶ PAY-2
    PAY-3 ──▶ PAY-2;  PAY-9 ──▶ PAY-3;  PAY-8 ◀──▶ PAY-9 (a cycle)

Upstream of PAY-2, two deep, the API's nodes hold PAY-9 but not PAY-8, its partner in the
cycle; one deep, PAY-4 only on the critical path. The drawings add what the API left out,
with the cycle and the path marked.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

from hub.contract.config import ApiConfig
from hub.reports.documents import DEPENDENCIES_QUERY, run_query
from hub.reports.drawing import CRITICAL, CYCLE
from schema import create_schema, get_context, schema
from schema.extensions import api_extensions
from tests.views.test_graph import build_world

UPSTREAM_OF_PAY_2 = ("--root", "PAY-2", "--direction", "upstream", "--depth", "2")
VARIABLES = {"root": "PAY-2", "rootKind": "ITEM", "direction": "UPSTREAM", "depth": 2}
CYCLE_EDGES = {("PAY-8", "PAY-9"), ("PAY-9", "PAY-8")}
CRITICAL_EDGES = {("PAY-4", "acme/x#1"), ("acme/x#1", "PAY-2")}


async def api_graph(sessions, **variables: Any) -> dict[str, Any]:
    result = await schema.execute(
        DEPENDENCIES_QUERY,
        variable_values={**VARIABLES, **variables},
        context_value=get_context(sessions),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    graph: dict[str, Any] = result.data["dependencyGraph"]
    return graph


def graphviz(dot_text: str, output_format: str) -> str:
    done = subprocess.run(
        ["dot", f"-T{output_format}"], input=dot_text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


def laid_out_edges(dot_text: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The edges as Graphviz itself read them, by the keys their nodes' labels start with."""
    graph = json.loads(graphviz(dot_text, "json"))
    keys = {
        node["_gvid"]: node["label"].split(" · ")[0]
        for node in graph["objects"]
        if node["name"] != "legend"
    }
    return {(keys[edge["tail"]], keys[edge["head"]]): edge for edge in graph["edges"]}


async def test_dot_draws_the_api_graph_with_cycle_and_critical_path(sessions, hub_report) -> None:
    await build_world(sessions)
    api = await api_graph(sessions)
    assert "PAY-8" not in [node["key"] for node in api["nodes"]]  # beyond the depth asked
    assert [item["key"] for item in api["criticalPath"]] == ["PAY-4", "acme/x#1", "PAY-2"]

    result = await hub_report("dependencies", *UPSTREAM_OF_PAY_2)
    assert result.exit_code == 0, result.output
    dot_text = result.stdout
    assert graphviz(dot_text, "svg").lstrip().startswith("<?xml")

    edges = laid_out_edges(dot_text)
    api_edges = {(e["blocker"]["key"], e["blocked"]["key"]): e for e in api["edges"]}
    assert set(edges) == set(api_edges) | CYCLE_EDGES | CRITICAL_EDGES
    assert {pair for pair, e in edges.items() if e.get("color") == CYCLE} == CYCLE_EDGES
    assert {pair for pair, e in edges.items() if e.get("color") == CRITICAL} == CRITICAL_EDGES
    dashed = {pair for pair, edge in edges.items() if edge.get("style") == "dashed"}
    assert dashed == {pair for pair, edge in api_edges.items() if edge["crossesTools"]} | {
        ("PAY-4", "acme/x#1")
    }
    assert edges[("PAY-9", "PAY-3")]["label"] == "manual"
    assert edges[("acme/x#1", "PAY-2")]["label"] == "mention + late"

    assert "// Dependencies of PAY-2, upstream, 2 deep: 7 items, 7 dependencies, 1 cycle, 2 on" in (
        dot_text
    )
    nodes = {line.split()[0]: line for line in dot_text.splitlines() if "[label=" in line}
    assert set(nodes) == {
        "n_PAY_2",
        "n_PAY_3",
        "n_PAY_4",
        "n_PAY_8",
        "n_PAY_9",
        "n_acme_x_1",
        "n_acme_x_2",
    }
    assert "peripheries=2" in nodes["n_PAY_2"]  # the item asked about
    assert 'style="rounded,filled,dashed"' in nodes["n_PAY_8"]  # beyond the depth
    assert 'URL="https://t/acme/x#1"' in nodes["n_acme_x_1"]
    assert 'color="#24292f"' in nodes["n_acme_x_1"]  # GitHub's outline


async def test_the_critical_path_is_drawn_beyond_the_depth(sessions, hub_report) -> None:
    await build_world(sessions)
    api = await api_graph(sessions, depth=1)
    assert "PAY-4" not in [node["key"] for node in api["nodes"]]
    assert [item["key"] for item in api["criticalPath"]] == ["PAY-4", "acme/x#1", "PAY-2"]
    assert api["cycles"] == []

    args = ("--root", "pay-2", "--direction", "upstream", "--depth", "1")
    result = await hub_report("dependencies", *args)
    assert result.exit_code == 0, result.output
    edges = laid_out_edges(result.stdout)
    assert {pair for pair, e in edges.items() if e.get("color") == CRITICAL} == CRITICAL_EDGES
    assert edges[("PAY-4", "acme/x#1")]["style"] == "dashed"  # Jira to GitHub
    assert not any(e.get("color") == CYCLE for e in edges.values())
    (pay_4,) = [line for line in result.stdout.splitlines() if line.startswith("  n_PAY_4 [")]
    assert 'style="rounded,filled,dashed"' in pay_4
    # the root matches whatever the case it was given in
    (pay_2,) = [line for line in result.stdout.splitlines() if line.startswith("  n_PAY_2 [")]
    assert "peripheries=2" in pay_2


async def test_mermaid_flowchart(sessions, hub_report) -> None:
    await build_world(sessions)
    result = await hub_report("dependencies", *UPSTREAM_OF_PAY_2, "--format", "mermaid")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart LR"

    declared: dict[str, str] = {}
    for line in lines:
        if re.fullmatch(r"  n_\w+\[.*", line):
            node = re.fullmatch(r'  (n_\w+)\["([^"]*)"\]', line)
            assert node is not None, line
            declared[node[1]] = node[2]
    keys = {
        node_id: label.split(" · ")[0].replace("#35;", "#") for node_id, label in declared.items()
    }
    assert sorted(keys.values()) == sorted(
        ["PAY-2", "PAY-3", "PAY-4", "PAY-8", "PAY-9", "acme/x#1", "acme/x#2"]
    )
    assert declared["n_acme_x_1"] == "acme/x#35;1 · github<br/>acme/x#35;1"

    links = [
        re.fullmatch(r"  (n_\w+) (-->|-\.->)(?:\|\"([^\"]*)\"\|)? (n_\w+)", line)
        for line in lines
        if " --" in line or " -.-" in line
    ]
    assert all(links)
    edges = [(keys[link[1]], keys[link[4]]) for link in links if link]
    arrows = {(keys[link[1]], keys[link[4]]): link[2] for link in links if link}
    assert arrows[("acme/x#1", "PAY-2")] == "-.->" and arrows[("PAY-3", "PAY-2")] == "-->"

    def styled(colour: str) -> set[tuple[str, str]]:
        (line,) = [line for line in lines if line.startswith("  linkStyle") and colour in line]
        indexes = line.split()[1].split(",")
        return {edges[int(index)] for index in indexes}

    assert styled(CYCLE) == CYCLE_EDGES
    assert styled(CRITICAL) == CRITICAL_EDGES
    classes = {line.split()[2]: line.split()[1].split(",") for line in lines if "  class " in line}
    assert {keys[node_id] for node_id in classes["cycle"]} == {"PAY-8", "PAY-9"}
    assert {keys[node_id] for node_id in classes["critical"]} == {"PAY-4", "acme/x#1", "PAY-2"}
    assert [keys[node_id] for node_id in classes["beyond"]] == ["PAY-8"]
    assert [keys[node_id] for node_id in classes["root"]] == ["PAY-2"]
    assert '  click n_PAY_2 href "https://t/PAY-2" _blank' in lines
    assert any(line.startswith("  classDef cycle stroke:") for line in lines)


async def test_json_is_the_api_answer(sessions, hub_report) -> None:
    await build_world(sessions)
    result = await hub_report("dependencies", *UPSTREAM_OF_PAY_2, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"dependencyGraph": await api_graph(sessions)}


async def test_without_a_root_every_initiative_is_drawn(sessions, hub_report) -> None:
    await build_world(sessions)
    result = await hub_report("dependencies", "--format", "json")
    assert result.exit_code == 0, result.output
    (graph,) = json.loads(result.stdout)["dependencyGraphs"]
    expected = await api_graph(sessions, root="INI-1", rootKind="INITIATIVE", direction="BOTH")
    assert graph == {"root": "INI-1", "rootKind": "INITIATIVE", "dependencyGraph": expected}

    drawn = await hub_report("dependencies")
    assert drawn.exit_code == 0, drawn.output
    edges = laid_out_edges(drawn.stdout)
    assert set(edges) == {(e["blocker"]["key"], e["blocked"]["key"]) for e in expected["edges"]}
    # PAY-1, the initiative's epic, has no dependency and is left out of the drawing
    assert "PAY-1 ·" not in drawn.stdout


async def test_an_unknown_root_is_one_line_and_writes_nothing(
    sessions, hub_report, tmp_path
) -> None:
    await build_world(sessions)
    output = tmp_path / "graph.dot"
    result = await hub_report("dependencies", "--root", "NOPE-1", "--output", str(output))
    assert result.exit_code == 1
    assert result.output == (
        "Error: no live item has the key or hub id 'NOPE-1'; check `root` and `rootKind`.\n"
    )
    assert not output.exists()
    output.write_text("the last good graph")
    kinds = ("--root-kind", "component")
    result = await hub_report("dependencies", "--root", "nope", *kinds, "-o", str(output))
    assert result.exit_code == 1 and "no component of the catalog is named 'nope'" in result.output
    assert output.read_text() == "the last good graph"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


async def test_the_dependencies_document_passes_the_api_limits(sessions) -> None:
    await build_world(sessions)
    limited = create_schema(extensions=api_extensions(ApiConfig()))
    result = await limited.execute(
        DEPENDENCIES_QUERY, variable_values=VARIABLES, context_value=get_context(sessions)
    )
    assert result.errors is None
    assert result.data == await run_query(sessions, DEPENDENCIES_QUERY, VARIABLES)
