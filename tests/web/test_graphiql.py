"""GraphiQL on GET /graphql loads nothing from another site: its page and every asset it names
are the hub's own, served here, matching the README that says where they came from."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from importlib.resources import files

import httpx
import pytest
from playwright.async_api import Browser, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.server.app import create_app
from hub.web.graphiql import GRAPHIQL_CONTENT_SECURITY_POLICY
from tests.web.conftest import PageErrors, Serve

VENDORED = files("hub.web").joinpath("static", "graphiql")
HTML = {"Accept": "text/html"}


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(sessions, graphiql=True, require_token=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield http


def assets_of(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


async def test_the_graphiql_page_names_no_other_site(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == GRAPHIQL_CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in GRAPHIQL_CONTENT_SECURITY_POLICY
    assert not re.search(r"https?:|//", response.text)
    assert "static/graphiql/graphiql.min.js" in assets_of(response.text)


async def test_every_asset_of_the_graphiql_page_is_served(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql", headers=HTML)).text
    kinds = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    assets = assets_of(page)
    assert len(assets) == 9
    for asset in assets:
        response = await client.get(f"/{asset}")
        assert response.status_code == 200, asset
        assert response.headers["content-type"].startswith(kinds[asset[asset.rindex(".") :]])
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_vendored_files_are_those_the_readme_lists_with_their_licences() -> None:
    readme = VENDORED.joinpath("README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([^`]+)` \| (\d+) \| `(sha384-[^`]+)` \|$", readme, re.MULTILINE)
    assert len(listed) == 6
    total = 0
    for name, size, digest in listed:
        content = VENDORED.joinpath(name).read_bytes()
        assert len(content) == int(size), name
        assert digest == "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
        total += len(content)
    assert total < 5_000_000
    for licence in ("LICENSE.react", "LICENSE.react-dom", "LICENSE.graphiql"):
        assert "MIT License" in VENDORED.joinpath(licence).read_text(encoding="utf-8")
    files_there = {entry.name for entry in VENDORED.iterdir()}
    assert files_there == {name for name, _, _ in listed} | {
        "README.md",
        "LICENSE.react",
        "LICENSE.react-dom",
        "LICENSE.graphiql",
    }


async def test_graphiql_runs_a_query_with_every_request_to_the_hub(
    serve: Serve, browser: Browser
) -> None:
    async with serve(require_token=False, graphiql=True) as base:
        page = await browser.new_page(viewport={"width": 1200, "height": 800})
        errors = PageErrors()
        errors.attach(page)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        await page.goto(f"{base}/graphql")
        await expect(page.locator(".graphiql-container")).to_be_visible()
        await page.locator(".graphiql-execute-button").click()
        await expect(page.locator(".result-window")).to_contain_text('"asOf"')
        assert requests and all(url.startswith(f"{base}/") for url in requests)
        assert errors.messages == []
