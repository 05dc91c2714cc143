"""Serve an ASGI app over real HTTP on a free local port, for ``hub demo`` and end-to-end tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT_S = 10.0


@contextmanager
def serve(app: ASGIApp, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread and yield its base URL once it answers.

    The socket is bound before the thread starts, so the port is known and never raced for.
    """
    listener = listening_socket(host)
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name=f"serve:{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not start")
            time.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_S)
        listener.close()


def listening_socket(host: str) -> socket.socket:
    """A TCP socket bound to a free port of ``host``.

    It names its protocol: asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on
    connections accepted from a socket whose protocol is TCP. Without that, a response written
    in two parts (headers, then body) waits for the client's delayed ACK on every request of a
    kept-alive connection, which slows a sync from the simulators to a crawl.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    return listener
