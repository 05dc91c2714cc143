"""The size limit on a request's body, enforced before anything parses it."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.server.refusals import error_response


class _BodyTooLarge(Exception):
    """Raised out of ``receive`` when the streamed body passes the limit."""


class BodyLimit:
    """ASGI middleware: a body over ``max_bytes`` gets 413 before anything parses it.

    ``Content-Length`` is checked up front; a body streamed without one (or longer than it
    claimed) is counted as the app reads it, so memory never holds more than the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_bytes:
            await self.too_large("query string")(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self.too_large("body")(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if started:  # pragma: no cover - the app answers only after reading the body
                raise
            await self.too_large("body")(scope, receive, send)

    def too_large(self, what: str) -> JSONResponse:
        return error_response(
            413,
            f"request {what} is larger than {self.max_bytes} bytes; send a smaller query "
            "and pass large values as variables of several requests",
            "REQUEST_TOO_LARGE",
        )
