from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.demo import addresses
from hub.server.app import create_app


async def test_the_demo_prints_the_roadmap_page_next_to_the_api(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lines = addresses("127.0.0.1", 8800).splitlines()
    assert lines == [
        "GraphQL: http://127.0.0.1:8800/graphql  (Ctrl-C to stop)",
        "Roadmap: http://127.0.0.1:8800/roadmap",
    ]
    # Both answer as the demo serves them: no token anywhere.
    transport = httpx.ASGITransport(app=create_app(sessions, require_token=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8800") as client:
        page = await client.get(lines[1].split()[1])
        api = await client.post(lines[0].split()[1], json={"query": "{ sources { name } }"})
    assert page.status_code == 200 and "<h1>Roadmap</h1>" in page.text
    assert api.json() == {"data": {"sources": []}}
