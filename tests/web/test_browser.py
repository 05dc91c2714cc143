"""The /roadmap page and the HTML report in headless Chromium, over the synced demo world.

A screenshot of the page goes to ``test-artifacts/roadmap.png`` at the repository's root.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, ViewportSize, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.reports.documents import DEPENDENCIES_QUERY, ROADMAP_QUERY, run_query
from hub.storage.tokens import create_token
from hub.web.assets import FILTERS_QUERY
from hub.web.html_report import render_roadmap
from tests.web.conftest import PageErrors, Serve

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}


async def lane_titles(page: Page) -> list[str]:
    return await page.locator("tr.row-lane .label-title").all_inner_texts()


async def epic_keys(page: Page) -> list[str]:
    return await page.locator("tr.row-epic .label-meta .key").all_inner_texts()


async def options(page: Page, label: str) -> list[str]:
    """The values a filter offers, besides all."""
    values = (
        await page.get_by_label(label)
        .locator("option")
        .evaluate_all("options => options.map(o => o.value)")
    )
    assert values[0] == ""
    return list(values[1:])


def epics_of(roadmap: dict[str, Any]) -> list[dict[str, Any]]:
    return [epic["item"] for lane in roadmap["lanes"] for epic in lane["epics"]]


async def roadmap_of(sessions: async_sessionmaker[AsyncSession], **filter: list[str]) -> Any:
    variables = {"groupBy": "INITIATIVE", "filter": filter or None}
    return (await run_query(sessions, ROADMAP_QUERY, variables))["roadmap"]


async def blocked_epic(sessions: async_sessionmaker[AsyncSession], roadmap: Any) -> str:
    """An epic with a blocker, across tools if there is one."""
    found: list[tuple[bool, str]] = []
    for epic in epics_of(roadmap):
        variables = {"root": epic["key"], "rootKind": "ITEM", "direction": "UPSTREAM", "depth": 1}
        graph = (await run_query(sessions, DEPENDENCIES_QUERY, variables))["dependencyGraph"]
        if graph["edges"]:
            found.append((not any(e["crossesTools"] for e in graph["edges"]), epic["key"]))
    assert found, "the demo world has no epic with a blocker"
    return min(found)[1]


def narrowing_component(roadmap: Any) -> str:
    """The component of the most epics short of all of them."""
    epics = epics_of(roadmap)
    counts: dict[str, int] = {}
    for epic in epics:
        for component in epic["components"]:
            counts[component["name"]] = counts.get(component["name"], 0) + 1
    return max((n, name) for name, n in counts.items() if n < len(epics))[1]


async def test_the_roadmap_page_shows_the_demo_world_filters_it_and_draws_dependencies(
    serve: Serve, synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    roadmap = await roadmap_of(synced)
    epics = epics_of(roadmap)
    component = narrowing_component(roadmap)
    by_component = await roadmap_of(synced, components=[component])
    target = await blocked_epic(synced, roadmap)
    variables = {"root": target, "rootKind": "ITEM", "direction": "BOTH", "depth": 3}
    graph = (await run_query(synced, DEPENDENCIES_QUERY, variables))["dependencyGraph"]
    blockers = {e["blocker"]["key"] for e in graph["edges"] if e["blocked"]["key"] == target}

    async with serve(require_token=False) as base:
        page = await browser.new_page(viewport=VIEWPORT)
        errors = PageErrors()
        errors.attach(page)
        await page.goto(f"{base}/")
        await page.get_by_role("link", name="Roadmap").click()
        timeline = page.locator("table.timeline")
        await expect(timeline).to_be_visible()

        # The timeline shows the demo world's initiatives, with their epics, as the API does.
        titles = await lane_titles(page)
        assert titles == [lane["title"] for lane in roadmap["lanes"]]
        assert {"Payments v2", "Identity Next"} <= set(titles)
        assert await epic_keys(page) == [epic["key"] for epic in epics]
        first = epics[0]
        link = page.locator("tr.row-epic a.key").first
        assert await link.get_attribute("href") == first["url"]
        await expect(page.locator("#status")).to_have_text(
            f"Showing {sum(1 for lane in roadmap['lanes'] if lane['initiative'])} initiatives "
            f"and {len(epics)} epics."
        )

        # The filters offer the catalog's components, the sources and the initiatives' lanes.
        choices = await run_query(synced, FILTERS_QUERY, {})
        assert await options(page, "Component") == [c["name"] for c in choices["components"]]
        assert await options(page, "Source") == [s["name"] for s in choices["sources"]]
        assert await options(page, "Initiative") == [
            lane["key"] for lane in roadmap["lanes"] if lane["initiative"]
        ]

        # A filter narrows it to the epics of that component.
        await page.get_by_label("Component").select_option(component)
        await expect(page.locator("tr.row-epic")).to_have_count(len(epics_of(by_component)))
        # The component's graph is announced after the roadmap's line, which stays readable.
        await expect(page.locator("#status")).to_contain_text(
            f"matching the filters. Dependency graph of component {component}: "
        )
        shown = await epic_keys(page)
        assert 0 < len(shown) < len(epics)
        assert shown == [epic["key"] for epic in epics_of(by_component)]
        with_component = {
            e["key"] for e in epics if component in {c["name"] for c in e["components"]}
        }
        assert set(shown) == with_component
        assert f"component={component}" in page.url

        await page.get_by_role("button", name="Clear filters").click()
        await expect(page.locator("tr.row-epic")).to_have_count(len(epics))
        await page.get_by_label("Initiative").select_option("payments-v2")
        await expect(page.locator("tr.row-lane")).to_have_count(1)
        assert await lane_titles(page) == ["Payments v2"]
        await page.get_by_role("button", name="Clear filters").click()
        await expect(page.locator("tr.row-epic")).to_have_count(len(epics))

        # Enter on an epic's title draws its dependency graph, with its blockers, below.
        button = page.locator(f'button.select[data-key="{target}"]')
        await button.focus()
        await page.keyboard.press("Enter")
        nodes = page.locator("svg.graph g.node")
        await expect(nodes).to_have_count(len(graph["nodes"]))
        keys = {await node.get_attribute("data-key") for node in await nodes.all()}
        assert keys == {node["key"] for node in graph["nodes"]}
        assert {target} | blockers <= keys
        assert await page.locator("svg.graph g.node.root").get_attribute("data-key") == target
        await expect(page.locator("svg.graph path.edge")).to_have_count(len(graph["edges"]))
        await expect(button).to_have_attribute("aria-pressed", "true")
        await expect(page.locator("#dependencies-heading")).to_be_focused()
        await expect(page.locator("#dependencies-heading")).to_have_text(
            f"Dependencies of {target}"
        )
        for blocker in blockers:
            await expect(page.locator(".graph-list li", has_text=f"{blocker} (")).not_to_have_count(
                0
            )
        assert "item=" in page.url

        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "roadmap.png", full_page=True)
        assert errors.messages == []


async def test_the_page_asks_for_an_api_token_and_sends_it_as_a_bearer_header(
    serve: Serve, synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    token = await create_token(synced, "pm", "read")
    async with serve(require_token=True) as base:
        page = await browser.new_page(viewport=VIEWPORT)
        sent: list[str | None] = []
        page.on(
            "request",
            lambda r: sent.append(r.headers.get("authorization")) if "/graphql" in r.url else None,
        )
        await page.goto(f"{base}/roadmap")
        field = page.get_by_label("API token")
        await expect(field).to_be_visible()
        await expect(field).to_be_focused()
        await expect(page.locator("#status")).to_have_text("The API needs a token.")
        assert await page.locator("table.timeline").count() == 0

        await field.fill("not-a-token")
        await page.get_by_role("button", name="Use token").click()
        await expect(page.locator("#status")).to_contain_text("refused this token")

        await field.fill(token)
        await page.get_by_role("button", name="Use token").click()
        await expect(page.locator("table.timeline")).to_be_visible()
        await expect(field).to_be_hidden()
        assert f"Bearer {token}" in sent
        assert token not in page.url


async def test_the_html_report_draws_the_timeline_with_nothing_fetched(
    synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    roadmap = await roadmap_of(synced)
    page = await browser.new_page(viewport=VIEWPORT)
    errors = PageErrors()
    errors.attach(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    await page.set_content(render_roadmap({"roadmap": roadmap}))

    await expect(page.locator("table.timeline")).to_be_visible()
    assert await lane_titles(page) == [lane["title"] for lane in roadmap["lanes"]]
    epics = epics_of(roadmap)
    assert await epic_keys(page) == [epic["key"] for epic in epics]
    hrefs = await page.locator("tr.row-epic a.key").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == [epic["url"] for epic in epics if epic["url"]]
    assert await page.locator("button").count() == 0  # nothing to select in a file
    assert await page.locator("svg.track rect.bar-done").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "roadmap-report.png", full_page=True)
    assert requests == []
    assert errors.messages == []


async def test_a_title_with_markup_shows_as_text_in_the_report(browser: Browser) -> None:
    from tests.web.test_html_report import DATA, EVIL

    page = await browser.new_page(viewport=VIEWPORT)
    errors = PageErrors()
    errors.attach(page)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.set_content(render_roadmap(DATA))
    await expect(page.locator("tr.row-epic")).to_have_count(2)
    assert await page.locator("tr.row-epic .label-title").first.inner_text() == EVIL
    await expect(page.locator("tr.row-epic").nth(1)).to_contain_text("No target date")
    assert dialogs == []
    assert errors.messages == []


# A blocks B blocks C blocks A; D, in another tool, blocks A and is due after it.
CYCLE = {
    "nodes": [
        {
            "key": key,
            "title": f"Item {key}",
            "url": f"https://tracker.example/{key}",
            "level": "ISSUE",
            "status": "To Do",
            "statusCategory": "TODO",
            "targetDate": "2026-06-30",
            "source": {"name": "linear" if key == "D" else "jira", "kind": "jira"},
        }
        for key in "ABCD"
    ],
    "edges": [
        {
            "provenance": ["TRACKER"],
            "crossesTools": blocker == "D",
            "blocker": {"key": blocker},
            "blocked": {"key": blocked},
        }
        for blocker, blocked in [("A", "B"), ("B", "C"), ("C", "A"), ("D", "A")]
    ],
    "cycles": [{"key": "A"}, {"key": "B"}, {"key": "C"}],
    "criticalPath": [{"key": "D"}, {"key": "A"}],
    "blockedByOpenWork": [{"key": "A"}, {"key": "B"}, {"key": "C"}],
    "scheduleConflicts": [
        {
            "blockerTarget": "2026-09-30",
            "blockedTarget": "2026-06-30",
            "blocker": {"key": "D"},
            "blocked": {"key": "A"},
        }
    ],
}

DRAW = """async (graph) => {
  const { renderGraph } = await import("./static/graph.js");
  document.querySelector("main").append(renderGraph(graph, "A"));
}"""


async def test_the_graph_marks_cycles_conflicts_and_blockers_to_the_left(
    serve: Serve, browser: Browser
) -> None:
    async with serve(require_token=False) as base:
        page = await browser.new_page(viewport=VIEWPORT)
        errors = PageErrors()
        errors.attach(page)
        await page.goto(f"{base}/roadmap")
        await expect(page.locator("#status")).to_have_text("Showing 0 initiatives and 0 epics.")
        await expect(page.locator(".roadmap .empty")).to_have_text("No epics match.")
        await page.evaluate(DRAW, CYCLE)

        nodes = page.locator("svg.graph g.node")
        await expect(nodes).to_have_count(4)
        x = {
            key: float(await page.locator(f'g.node[data-key="{key}"] rect').get_attribute("x") or 0)
            for key in "ABCD"
        }
        assert x["D"] < x["A"] < x["B"]  # blockers left of what they block
        assert await page.locator("g.node.root").get_attribute("data-key") == "A"
        assert await page.locator("g.node.cycle").count() == 3
        assert await page.locator('g.node[data-key="D"]').get_attribute("class") == (
            "node status-TODO critical"
        )
        conflict = page.locator("path.edge-conflict")
        await expect(conflict).to_have_count(1)
        assert "edge-crosses" in (await conflict.get_attribute("class") or "")
        assert "D blocks A" in (await conflict.locator("title").text_content() or "")
        await expect(page.locator("path.edge")).to_have_count(4)
        for path in await page.locator("path.edge").all():
            assert "NaN" not in (await path.get_attribute("d") or "NaN")
        facts = await page.locator(".graph-list li").all_text_contents()
        assert "In a cycle: A, B, C" in facts
        assert "Critical path: D → A" in facts
        assert any("blocker due 2026-09-30, after 2026-06-30" in fact for fact in facts)
        assert errors.messages == []


SCRIPT_URLS = [
    "javascript:alert(document.domain)",
    " JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/relative/path",
]


async def test_only_http_addresses_become_links_in_the_report(browser: Browser) -> None:
    from tests.web.test_html_report import DATA

    data = deepcopy(DATA)
    lane = data["roadmap"]["lanes"][0]
    lane["epics"] = [deepcopy(lane["epics"][0]) for _ in SCRIPT_URLS] + lane["epics"]
    for epic, url in zip(lane["epics"], SCRIPT_URLS, strict=False):
        epic["item"]["url"] = url
    page = await browser.new_page(viewport=VIEWPORT)
    errors = PageErrors()
    errors.attach(page)
    await page.set_content(render_roadmap(data))

    await expect(page.locator("tr.row-epic")).to_have_count(len(SCRIPT_URLS) + 2)
    hrefs = await page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://jira.example/browse/PAY-1", "https://jira.example/browse/PAY-2"]
    assert await page.locator("tr.row-epic span.key").all_inner_texts() == ["PAY-1"] * 4
    assert errors.messages == []


async def test_only_http_addresses_become_links_in_the_graph(
    serve: Serve, browser: Browser
) -> None:
    graph: dict[str, Any] = deepcopy(CYCLE)
    for node, url in zip(graph["nodes"], SCRIPT_URLS, strict=True):
        node["url"] = url
    graph["nodes"].append({**graph["nodes"][0], "key": "E", "url": "https://tracker.example/E"})
    async with serve(require_token=False) as base:
        page = await browser.new_page(viewport=VIEWPORT)
        errors = PageErrors()
        errors.attach(page)
        await page.goto(f"{base}/roadmap")
        await expect(page.locator(".roadmap .empty")).to_have_text("No epics match.")
        await page.evaluate(DRAW, graph)
        await expect(page.locator("svg.graph g.node")).to_have_count(5)
        hrefs = await page.locator("svg.graph a, .graph-list a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        assert set(hrefs) == {"https://tracker.example/E"}
        assert errors.messages == []


async def test_a_sub_initiatives_lane_is_indented_under_its_parents(
    sessions: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    from tests.views.test_nested_roadmap import build_nested

    await build_nested(sessions)
    roadmap = await roadmap_of(sessions)
    page = await browser.new_page(viewport=VIEWPORT)
    errors = PageErrors()
    errors.attach(page)
    await page.set_content(render_roadmap({"roadmap": roadmap}))

    await expect(page.locator("table.timeline")).to_be_visible()
    padding = await page.locator("tr.row-lane th.label").evaluate_all(
        "cells => cells.map(c => parseFloat(getComputedStyle(c).paddingLeft))"
    )
    assert [lane["depth"] for lane in roadmap["lanes"]] == [0, 1, 1, 2]
    assert padding[0] < padding[1] == padding[2] < padding[3]
    epic_padding = await page.locator("tbody.lane[data-depth='2'] tr.row-epic th.label").evaluate(
        "cell => parseFloat(getComputedStyle(cell).paddingLeft)"
    )
    assert epic_padding > padding[3]  # an epic sits under its lane's heading
    assert errors.messages == []
