"""The Docker image serves in production mode and checks its health on a route that exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.cli.sync import serve
from hub.server.app import create_app

DOCKERFILE = Path(__file__).parents[2] / "Dockerfile"


def instruction(name: str) -> str:
    """The text of the Dockerfile's (last) instruction ``name``, its continuations joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.findall(rf"^{name} (.+)$", text, flags=re.MULTILINE)
    assert found, f"the Dockerfile has no {name}"
    return str(found[-1])


def test_the_image_serves_in_production_mode() -> None:
    command = json.loads(instruction("CMD"))
    assert command[:2] == ["hub", "serve"]
    options = serve.make_context("serve", command[2:]).params
    assert options["production"] is True
    assert options["port"] == int(instruction("EXPOSE"))


async def test_the_healthcheck_asks_a_route_that_answers_without_a_token(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    check = instruction("HEALTHCHECK")
    assert check.split()[0].startswith("--") and " CMD " in f" {check} "
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]*)", check)
    assert url is not None, check
    assert int(url.group(1)) == int(instruction("EXPOSE"))
    transport = httpx.ASGITransport(app=create_app(sessions, require_token=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        response = await http.get(url.group(2))
    assert response.status_code == 200
