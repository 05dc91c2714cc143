"""A deadline on receiving a request's body, which uvicorn does not have."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.server.refusals import error_response


class _BodyTooSlow(Exception):
    """Raised out of ``receive`` when the deadline passes before the body has arrived."""


class BodyDeadline:
    """ASGI middleware: a body still arriving ``seconds`` after its headers gets 408, and the
    connection is closed (``Connection: close``), so a client dripping its body a byte at a
    time holds a worker for seconds, not for ever.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        complete = False
        started = False

        async def receive_in_time() -> Message:
            nonlocal complete
            if complete:  # the body is in: what follows (a disconnect) may take its time
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyTooSlow from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_in_time, watching_send)
        except _BodyTooSlow:
            if started:  # pragma: no cover - the app answers only after reading the body
                raise
            refusal = error_response(
                408,
                f"the request body did not arrive within {self.seconds:g} s",
                "REQUEST_TIMEOUT",
                {"Connection": "close"},
            )
            await refusal(scope, receive, send)
