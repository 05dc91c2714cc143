"""Slow and idle clients against a real uvicorn server on a real socket: closed within
seconds, and no more held at once than the limit (deadlines shortened for the test)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import ApiConfig
from hub.runner import bind
from hub.server.app import create_app
from hub.server.connections import server_config

SHORT = ApiConfig(header_timeout=0.5, body_timeout=0.5, keep_alive_timeout=1, max_connections=3)
GIVE_UP = 10.0
"""Seconds after which a connection the server should have closed counts as held for ever."""

Address = tuple[str, int]
Serve = Callable[..., AbstractAsyncContextManager[Address]]


@pytest.fixture
def serve(sessions: async_sessionmaker[AsyncSession]) -> Serve:
    @asynccontextmanager
    async def serving(
        *, require_token: bool = False, api: ApiConfig = SHORT
    ) -> AsyncIterator[Address]:
        app = create_app(sessions, require_token=require_token, api=api)
        sock = bind("127.0.0.1", 0)
        server = uvicorn.Server(server_config(app, api))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                assert not task.done(), task.exception()
                await asyncio.sleep(0.02)
            yield sock.getsockname()[:2]
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, timeout=GIVE_UP)
            sock.close()

    return serving


async def drip(writer: asyncio.StreamWriter, start: bytes, byte: bytes) -> None:
    """Send ``start``, then one ``byte`` every 0.1 s for as long as the server listens."""
    writer.write(start)
    while not writer.is_closing():
        await asyncio.sleep(0.1)
        try:
            writer.write(byte)
            await writer.drain()
        except ConnectionError:
            return


async def answer_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (fails if it never does)."""
    try:
        return await asyncio.wait_for(reader.read(), timeout=GIVE_UP)
    except ConnectionError:
        return b""


async def dripped(address: Address, start: bytes, byte: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(*address)
    sending = asyncio.create_task(drip(writer, start, byte))
    try:
        return await answer_until_closed(reader)
    finally:
        sending.cancel()
        writer.close()


async def test_a_connection_that_drips_its_headers_is_closed(serve: Serve) -> None:
    async with serve() as address:
        answer = await dripped(address, b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: ", b"a")
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_connection_that_sends_nothing_is_closed(serve: Serve) -> None:
    async with serve() as address:
        reader, writer = await asyncio.open_connection(*address)
        try:
            assert (await answer_until_closed(reader)).startswith(b"HTTP/1.1 408 ")
        finally:
            writer.close()


async def test_a_body_that_drips_gets_408_and_the_connection_is_closed(serve: Serve) -> None:
    start = b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
    start += b"Content-Length: 1000\r\n\r\n{"
    async with serve() as address:
        answer = await dripped(address, start, b" ")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"REQUEST_TIMEOUT" in answer


async def test_a_body_dripped_after_a_refusal_does_not_hold_the_connection(serve: Serve) -> None:
    """Refused (401) before its body was read, the client goes on dripping the body: the
    server stops waiting for it at the next request's header deadline."""
    start = b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Length: 100000\r\n\r\n{"
    async with serve(require_token=True) as address:
        answer = await dripped(address, start, b" ")
    assert answer.startswith(b"HTTP/1.1 401 ")


async def test_an_idle_kept_alive_connection_is_closed(serve: Serve) -> None:
    async with serve() as address:
        reader, writer = await asyncio.open_connection(*address)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
            answer = await answer_until_closed(reader)
        finally:
            writer.close()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b'{"status":"ok"}')


async def test_connections_over_the_limit_are_refused_with_503(serve: Serve) -> None:
    """The connections held wait for their headers longer than the test could take."""
    patient = SHORT.model_copy(update={"header_timeout": 60})
    async with serve(api=patient) as address:
        held = [await asyncio.open_connection(*address) for _ in range(SHORT.max_connections)]
        try:
            reader, writer = await asyncio.open_connection(*address)
            refused = await answer_until_closed(reader)
            writer.close()
            first_reader, first_writer = held[0]
            first_writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
            served = await answer_until_closed(first_reader)
        finally:
            for _, held_writer in held:
                held_writer.close()
    assert refused.startswith(b"HTTP/1.1 503 ")
    assert served.startswith(b"HTTP/1.1 200 ")
