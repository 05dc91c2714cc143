"""``/``, ``/roadmap`` and the page's files over HTTP: open to all, strict about what they load,
and carrying exactly the documents the reports run."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import AsyncIterator
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
from graphql import build_schema, parse, validate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.reports.documents import DEPENDENCIES_QUERY, ROADMAP_QUERY, run_query
from hub.server.app import create_app
from hub.web.assets import FILTERS_QUERY, script_json
from hub.web.routes import CONTENT_SECURITY_POLICY
from schema import schema
from simulators import DemoWorld

ROOT = Path(__file__).resolve().parents[2]
STATIC = files("hub.web").joinpath("static")
SCRIPTS = ("timeline.js", "graph.js", "roadmap.js")


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    """The app as ``hub serve`` runs it: every GraphQL request needs a token."""
    transport = httpx.ASGITransport(app=create_app(sessions, require_token=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield http


def embedded_documents(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="hub-documents">(.*?)</script>', page)
    assert found, "the page carries no documents"
    documents: dict[str, str] = json.loads(found.group(1))
    return documents


async def test_the_home_page_links_the_roadmap_and_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="roadmap"' in response.text and 'href="graphql"' in response.text


async def test_the_roadmap_page_needs_no_token_while_its_api_does(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/roadmap")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self'" in CONTENT_SECURITY_POLICY
    api = await client.post("/graphql", json={"query": ROADMAP_QUERY})
    assert api.status_code == 401


async def test_the_page_sends_exactly_the_documents_of_the_reports(
    client: httpx.AsyncClient,
) -> None:
    documents = embedded_documents((await client.get("/roadmap")).text)
    assert documents == {
        "roadmap": ROADMAP_QUERY,
        "dependencies": DEPENDENCIES_QUERY,
        "filters": FILTERS_QUERY,
    }
    served = build_schema(schema.as_str())
    for document in documents.values():
        assert validate(served, parse(document)) == []


async def test_the_filter_choices_come_from_the_catalog_and_the_sources(
    synced: async_sessionmaker[AsyncSession], world: DemoWorld
) -> None:
    data = await run_query(synced, FILTERS_QUERY, {})
    assert set(world.components) <= {c["name"] for c in data["components"]}
    assert [s["name"] for s in data["sources"]] == ["github", "jira", "linear"]


async def test_the_page_loads_its_own_files_and_nothing_from_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/roadmap")).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "static/roadmap.js" in assets and "static/roadmap.css" in assets
    assert not [a for a in assets if "//" in a or a.startswith("/")]
    for name, kind in [
        ("roadmap.js", "text/javascript"),
        ("timeline.js", "text/javascript"),
        ("graph.js", "text/javascript"),
        ("roadmap.css", "text/css"),
        ("favicon.svg", "image/svg+xml"),
    ]:
        response = await client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(kind), name
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_scripts_fetch_nothing_but_the_api() -> None:
    for name in SCRIPTS:
        script = STATIC.joinpath(name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", script.replace("http://www.w3.org/2000/svg", "")), name
        assert "localStorage" not in script, name  # a token lives in sessionStorage only
    # The HTML report inlines the timeline as it is: it can import nothing.
    timeline = STATIC.joinpath("timeline.js").read_text(encoding="utf-8")
    assert not re.search(r"^\s*import\b", timeline, re.MULTILINE)


def test_json_in_a_script_element_cannot_end_it() -> None:
    title = '</script><script>alert("x")</script><!--'
    text = script_json({"title": title})
    assert "<" not in text
    assert json.loads(text) == {"title": title}


def test_every_file_of_the_page_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["hub"]
    web = ROOT / "hub" / "web"
    shipped = [p for p in web.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"}]
    assert shipped
    for path in shipped:
        relative = path.relative_to(ROOT / "hub").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
