"""The simulators' HTTP server answers without Nagle delays, as a tracker's would."""

from __future__ import annotations

import httpx
from starlette.types import Receive, Scope, Send

from simulators.serve import listening_socket, serve
from tests.sockets import accepted_nodelay


async def test_connections_accepted_by_the_simulators_send_without_delay() -> None:
    assert await accepted_nodelay(listening_socket("127.0.0.1")) == 1


async def test_served_apps_answer_on_the_yielded_address() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            answers = [(await client.get("/")).text for _ in range(3)]
    assert answers == ["ok", "ok", "ok"]
