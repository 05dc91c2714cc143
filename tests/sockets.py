"""What a client connection to a listening socket looks like from the server's side."""

from __future__ import annotations

import asyncio
import socket


async def accepted_nodelay(listener: socket.socket) -> int:
    """``TCP_NODELAY`` of a connection that asyncio accepts from ``listener``, as uvicorn's
    does: 1 when Nagle's algorithm is off."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def remember(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = writer.get_extra_info("socket")
        accepted.set_result(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(remember, sock=listener)
    async with server:
        host, port = listener.getsockname()
        _, writer = await asyncio.open_connection(host, port)
        try:
            return await asyncio.wait_for(accepted, timeout=10)
        finally:
            writer.close()


def free_port() -> int:
    """A port free on 127.0.0.1 a moment ago, for a command that must be given one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
