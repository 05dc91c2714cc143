"""How the server treats connections: uvicorn's settings, and deadlines uvicorn lacks.

uvicorn closes a kept-alive connection idle for ``timeout_keep_alive`` and answers 503 over
``limit_concurrency``, but it has no deadline on a request's headers: a connection that
sends nothing, or a header byte every few seconds, stays open for ever (uvicorn's keep-alive
timer starts only after a first response, and every byte received stops it). The protocol
below adds that deadline, and closes a connection beyond the limit as soon as it opens rather
than when its request (which may never come) arrives. The body's deadline is ASGI middleware
(``hub.server.body_deadline``). In production a reverse proxy in front does all of this too
(docs/deployment.md); these keep a directly exposed server from being held open.
"""

from __future__ import annotations

import asyncio

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from hub.contract.config import ApiConfig

REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
UNAVAILABLE = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's headers, counted from the
    connection's opening or from the first byte after a response, and a cap on connections.
    Subclassed per server by ``protocol_for`` with its two settings."""

    header_timeout: float = 10.0
    max_connections: int = 200
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.logger.warning("refused a connection: %d are open", len(self.connections) - 1)
            self.transport.write(UNAVAILABLE)
            self.transport.close()
            return
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self._between_requests():
            self._await_headers()
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._stop_header_timer()  # idle from here: uvicorn's keep-alive timeout applies
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _await_headers(self) -> None:
        """Start the deadline of the next request's headers (or of what is left of the last
        request's unread body): a new request, seen as a new cycle, must have begun by then."""
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(
            self.header_timeout, self._headers_late, self.cycle
        )

    def _headers_late(self, waiting_after: object) -> None:
        self._header_timer = None
        late = self.cycle is waiting_after and self._between_requests()
        if late and not self.transport.is_closing():
            self.transport.write(REQUEST_TIMEOUT)
            self.transport.close()

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None


def protocol_for(api: ApiConfig) -> type[DeadlineProtocol]:
    class Protocol(DeadlineProtocol):
        header_timeout = api.header_timeout
        max_connections = api.max_connections

    return Protocol


def server_config(app: ASGIApp, api: ApiConfig) -> uvicorn.Config:
    """uvicorn's settings for the hub: ``limit_concurrency`` one over the connections held,
    since uvicorn counts the connection asking among them (with N held, the Nth request would
    get 503); h11's default header size limit (16 KiB) stands."""
    return uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through the hub's logging, in its format
        http=protocol_for(api),
        timeout_keep_alive=api.keep_alive_timeout,
        limit_concurrency=api.max_connections + 1,
    )
