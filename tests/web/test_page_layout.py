"""The /roadmap page as a person uses it: the graph of an initiative or a component, canceled
work that says so, percentages that can be read whole, a quarter header that stays in view,
and a page that fits a 400 px phone."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from playwright.async_api import Browser, Page, ViewportSize, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.reports.documents import DEPENDENCIES_QUERY, run_query
from hub.web.html_report import render_roadmap
from tests.web.conftest import PageErrors, Serve
from tests.web.test_browser import VIEWPORT, roadmap_of
from tests.web.test_html_report import DATA, item, progress

PHONE: ViewportSize = {"width": 400, "height": 800}
TABLET: ViewportSize = {"width": 900, "height": 800}
NEXT_FRAMES = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)

# Every bar shows its percentage once, in one colour on one ground: wholly on the filled part,
# wholly on the rest of the bar, or wholly beside the bar, and never past the edge of its chart.
LABELS_OUT_OF_PLACE = """() => {
  const wrong = [];
  for (const group of document.querySelectorAll("svg.track g.bar")) {
    const bar = group.querySelector(".bar-track").getBoundingClientRect();
    const done = group.querySelector(".bar-done").getBoundingClientRect();
    const chart = group.ownerSVGElement.getBoundingClientRect();
    const shown = [...group.querySelectorAll(".bar-text")].filter(
      (text) => getComputedStyle(text).visibility !== "hidden",
    );
    if (shown.length !== 1) { wrong.push(`${group.textContent}: ${shown.length} shown`); continue; }
    const label = shown[0];
    const box = label.getBBox();
    const matrix = label.getScreenCTM();
    const left = box.x * matrix.a + matrix.e;
    const right = left + box.width * matrix.a;
    const grounds = [[done.left, done.right], [done.right, bar.right]];
    const on = grounds.find(([from, to]) => left >= from - 0.5 && right <= to + 0.5);
    const beside = right <= bar.left + 1 || left >= bar.right - 1;
    if (!(label.classList.contains("beside") ? beside : on) ||
        left < chart.left - 1 || right > chart.right + 1) {
      wrong.push(`${label.textContent} (${label.getAttribute("class")}) ` +
        `[${left.toFixed(0)}, ${right.toFixed(0)}] of bar [${bar.left.toFixed(0)}, ` +
        `${done.right.toFixed(0)}, ${bar.right.toFixed(0)}] in chart [${chart.left.toFixed(0)}, ` +
        `${chart.right.toFixed(0)}]`);
    }
  }
  return wrong;
}"""


async def open_roadmap(
    browser: Browser, base: str, viewport: ViewportSize, query: str = ""
) -> Page:
    page = await browser.new_page(viewport=viewport)
    await page.goto(f"{base}/roadmap{query}")
    await expect(page.locator("table.timeline")).to_be_visible()
    return page


async def graph_of(
    sessions: async_sessionmaker[AsyncSession], root: str, kind: str
) -> dict[str, Any]:
    variables = {"root": root, "rootKind": kind, "direction": "BOTH", "depth": 3}
    graph: dict[str, Any] = (await run_query(sessions, DEPENDENCIES_QUERY, variables))[
        "dependencyGraph"
    ]
    return graph


async def drawn_keys(page: Page) -> set[str | None]:
    return {await node.get_attribute("data-key") for node in await page.locator("g.node").all()}


async def test_choosing_an_initiative_or_a_component_draws_its_graph(
    serve: Serve, synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    initiative = await graph_of(synced, "payments-v2", "INITIATIVE")
    component = await graph_of(synced, "ledger", "COMPONENT")
    assert len(initiative["nodes"]) > 1 and len(component["nodes"]) > 1
    async with serve(require_token=False) as base:
        page = await open_roadmap(browser, base, VIEWPORT)
        errors = PageErrors()
        errors.attach(page)

        await page.get_by_label("Initiative").select_option("payments-v2")
        heading = page.locator("#dependencies-heading")
        await expect(heading).to_have_text("Dependencies of initiative Payments v2")
        await expect(page.locator("svg.graph g.node")).to_have_count(len(initiative["nodes"]))
        assert await drawn_keys(page) == {node["key"] for node in initiative["nodes"]}
        await expect(page.locator("svg.graph path.edge")).to_have_count(len(initiative["edges"]))

        # The latest choice is the one drawn, while both filters narrow the timeline.
        await page.get_by_label("Component").select_option("ledger")
        await expect(heading).to_have_text("Dependencies of component ledger")
        await expect(page.locator("svg.graph g.node")).to_have_count(len(component["nodes"]))
        assert await drawn_keys(page) == {node["key"] for node in component["nodes"]}
        for path in await page.locator("svg.graph path.edge").all():
            assert "NaN" not in (await path.get_attribute("d") or "NaN")
        await page.get_by_role("button", name="Clear filters").click()
        await expect(page.locator("#dependencies")).to_be_hidden()

        # The initiative's own title in the timeline draws the same graph as its filter.
        await page.locator('button.select[data-key="payments-v2"]').click()
        await expect(heading).to_have_text("Dependencies of initiative Payments v2")
        await expect(page.locator("svg.graph g.node")).to_have_count(len(initiative["nodes"]))
        assert errors.messages == []


async def test_canceled_work_reads_canceled_not_done(browser: Browser) -> None:
    data = deepcopy(DATA)
    lane = data["roadmap"]["lanes"][0]
    lane["health"] = "DONE"
    lane["initiative"]["statusCategory"] = "CANCELED"
    lane["initiative"]["status"] = "Canceled"
    epic = lane["epics"][0]
    epic["health"] = "DONE"
    epic["item"]["statusCategory"] = "DONE"
    page = await browser.new_page(viewport=VIEWPORT)
    await page.set_content(render_roadmap(data))
    badges = page.locator(".label-meta .badge")
    await expect(badges).to_have_text(["Canceled", "Done", "No dates"])
    bar = page.locator("tr.row-lane svg.track")
    assert (await bar.get_attribute("aria-label") or "").startswith("Canceled.")


async def test_derived_dates_draw_dashed_and_the_declared_health_shows_beside(
    browser: Browser,
) -> None:
    data = deepcopy(DATA)
    lane = data["roadmap"]["lanes"][0]
    declared = lane["epics"][0]
    declared["item"]["targetDateSource"] = {"source": "PROJECT_FIELD", "field": "Target date"}
    declared["item"]["declaredHealth"] = {
        "status": "OFF_TRACK",
        "at": "2026-04-28T10:00:00+00:00",
        "by": "octocat",
        "note": "Vendor slipped",
    }
    declared["healthDisagrees"] = True
    derived = lane["epics"][1]["item"]
    derived |= {"startDate": "2026-03-02", "targetDate": "2026-06-30", "startDateSource": None}
    derived["startDateSource"] = {"source": "CHILDREN", "field": None}
    derived["targetDateSource"] = {"source": "CHILDREN", "field": None}
    derived["milestones"] = [
        {"name": "Beta", "targetDate": "2026-04-15", "status": "done", "progress": 1.0},
        {"name": "GA", "targetDate": "2026-06-01", "status": "next", "progress": 0.4},
        {"name": "Someday", "targetDate": None, "status": "unstarted", "progress": 0.0},
    ]
    page = await browser.new_page(viewport=VIEWPORT)
    await page.set_content(render_roadmap(data))
    team = page.locator(".label-meta .badge.declared")
    await expect(team).to_have_text(["Team: Off track ⚠"])
    assert await team.get_attribute("title") == (
        "Declared by the team on 2026-04-28 by octocat: Vendor slipped"
        " (the hub's reading disagrees)"
    )
    bars = page.locator("tr.row-epic svg.track")
    first, second = (
        await bars.nth(0).get_attribute("aria-label"),
        await bars.nth(1).get_attribute("aria-label"),
    )
    assert first is not None and "target from project field “Target date”" in first
    assert first.endswith("Team says Off track, which the hub's reading contradicts.")
    assert (
        second is not None and "2026-03-02 to 2026-06-30, dates derived from its children" in second
    )
    await expect(page.locator("tr.row-epic g.bar.derived")).to_have_count(1)
    marks = page.locator("tr.row-epic svg.milestone")
    await expect(marks).to_have_count(2)  # the undated one has no place on the axis
    await expect(page.locator("tr.row-epic svg.milestone.done title")).to_have_text(
        "Milestone Beta: 2026-04-15, done"
    )


async def test_every_percentage_reads_whole_on_or_beside_its_bar(
    serve: Serve, synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    async with serve(require_token=False) as base:
        for viewport in (PHONE, TABLET, VIEWPORT):
            page = await open_roadmap(browser, base, viewport)
            assert await page.locator("svg.track g.bar").count() > 20
            await page.evaluate(NEXT_FRAMES)  # labels are placed once the chart is laid out
            assert await page.evaluate(LABELS_OUT_OF_PLACE) == [], viewport
            await page.close()


def short_epics() -> dict[str, Any]:
    """The report's data with short bars: 25 and 20 days of a one-year axis, and one at its end."""
    data = deepcopy(DATA)
    epics = data["roadmap"]["lanes"][0]["epics"]
    for key, (start, target), done in [
        ("PAY-7", ("2026-03-01", "2026-03-26"), progress(0, 0)),
        ("PAY-8", ("2026-06-01", "2026-06-21"), progress(4, 4)),
        ("PAY-9", ("2026-12-20", "2026-12-31"), progress(1, 3)),
    ]:
        url = f"https://jira.example/browse/{key}"
        epic = item(key, "Short epic", url, start=start, target=target)
        epics.append({"health": "ON_TRACK", "progress": done, "item": epic, "slippingBlockers": []})
    return data


async def test_short_bars_put_their_percentage_beside_them(browser: Browser) -> None:
    for viewport in (PHONE, VIEWPORT):
        page = await browser.new_page(viewport=viewport)
        await page.set_content(render_roadmap(short_epics()))
        await expect(page.locator("tr.row-epic")).to_have_count(5)
        await page.evaluate(NEXT_FRAMES)
        assert await page.evaluate(LABELS_OUT_OF_PLACE) == [], viewport
        await page.close()


async def test_the_quarter_header_stays_in_view_down_to_the_last_epic(
    serve: Serve, synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    async with serve(require_token=False) as base:
        for viewport in (VIEWPORT, PHONE):
            page = await open_roadmap(browser, base, viewport)
            last = page.locator("tr.row-epic").last
            await last.scroll_into_view_if_needed()
            await expect(last).to_be_in_viewport()
            header = await page.locator("table.timeline thead th.chart").bounding_box()
            assert header is not None
            assert header["y"] >= 0 and header["y"] + header["height"] <= viewport["height"]
            row = await last.bounding_box()
            assert row is not None and row["y"] >= header["y"] + header["height"] - 1
            await page.close()


async def test_the_page_fits_a_400_px_screen(
    serve: Serve, synced: async_sessionmaker[AsyncSession], browser: Browser
) -> None:
    roadmap = await roadmap_of(synced)
    assert roadmap["lanes"]
    async with serve(require_token=False) as base:
        page = await open_roadmap(browser, base, PHONE, "?initiative=payments-v2")
        await expect(page.locator("svg.graph")).to_be_visible()
        widths = await page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert widths == [400, 400]
        # Nothing but the timeline and the graph, each in its own scrolling box, is wider.
        wide = await page.evaluate(
            """() => [...document.querySelectorAll("body *")]
              .filter((e) => !e.closest(".timeline-scroll, .graph-scroll"))
              .filter((e) => e.getBoundingClientRect().right > innerWidth)
              .map((e) => `${e.tagName}.${e.className}`)"""
        )
        assert wide == []
        for control in [
            page.get_by_label("Component", exact=True),
            page.get_by_label("Source", exact=True),
            page.get_by_label("Initiative", exact=True),
            page.get_by_role("button", name="Clear filters"),
            page.get_by_role("link", name="GraphQL API"),
        ]:
            box = await control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 400
        await page.get_by_label("Source").select_option("jira")
        await expect(page.locator("#status")).to_contain_text("matching the filters")
