"""The demo world synced into the test database, a real hub server on a free port, and
Debian's Chromium driven by Playwright (never a browser of Playwright's own)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.demo import SEED, demo_rules, demo_sources, simulators
from hub.runner import bind
from hub.server.app import create_app
from hub.sync import SyncEngine
from simulators import DemoWorld, build_demo_world

ITEMS = 300
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

Serve = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return build_demo_world(ITEMS, seed=SEED)


@pytest.fixture(scope="module")
def urls(world: DemoWorld) -> Iterator[dict[str, str]]:
    with simulators(world) as urls:
        yield urls


@pytest.fixture
async def synced(
    sessions: async_sessionmaker[AsyncSession], world: DemoWorld, urls: dict[str, str]
) -> async_sessionmaker[AsyncSession]:
    """The demo world of three trackers, synced as ``hub demo`` does."""
    engine = SyncEngine(sessions, rules=demo_rules(world))
    for source in demo_sources(urls, world):
        report = await engine.sync(source)
        assert report.ok, report.error
    return sessions


@pytest.fixture
def serve(sessions: async_sessionmaker[AsyncSession]) -> Serve:
    """``async with serve(require_token=...) as base_url``: the hub's app under uvicorn on a
    free port of 127.0.0.1, in the test's own event loop (the database's connections live
    there), stopped on exit."""

    @asynccontextmanager
    async def serving(*, require_token: bool, graphiql: bool = False) -> AsyncIterator[str]:
        app = create_app(sessions, require_token=require_token, graphiql=graphiql)
        sock = bind("127.0.0.1", 0)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                assert not task.done(), task.exception()
                await asyncio.sleep(0.02)
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, timeout=10)
            sock.close()

    return serving


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the browser tests need Debian's chromium: run `make system-tools`"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


class PageErrors:
    """Script errors and console errors of a page, which fail the test that drove it."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.messages.append(f"console: {message.text}")
                if message.type == "error"
                else None
            ),
        )
