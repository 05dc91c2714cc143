"""Bearer tokens on the GraphQL endpoint: who may call it, and who may change things.

``TokenAuth`` (ASGI middleware) refuses a request without a live token with 401 before the
body is read; the request runs with its ``Grant`` in ``schema.access.current_grant``, where
the schema's read-only guard finds it. The token is never echoed, in a response or a log line.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.server.refusals import error_response
from hub.storage.tokens import verify_token
from schema.access import current_grant

REALM = 'Bearer realm="tracker-hub"'


def bearer_token(headers: Headers) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def runs_no_operation(scope: Scope) -> bool:
    """A GET without ``query`` can only fetch the GraphiQL page (or a 404): no data."""
    return scope["method"] == "GET" and "query" not in QueryParams(scope["query_string"])


class TokenAuth:
    """ASGI middleware: 401 with ``WWW-Authenticate: Bearer`` unless the token is live."""

    def __init__(self, app: ASGIApp, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or runs_no_operation(scope):
            await self.app(scope, receive, send)
            return
        token = bearer_token(Headers(scope=scope))
        grant = None if token is None else await verify_token(self.sessions, token)
        if grant is None:
            await self.refusal(given=token is not None)(scope, receive, send)
            return
        reset = current_grant.set(grant)
        try:
            await self.app(scope, receive, send)
        finally:
            current_grant.reset(reset)

    @staticmethod
    def refusal(*, given: bool) -> JSONResponse:
        if not given:
            return error_response(
                401,
                "authentication required: send `Authorization: Bearer <token>`; "
                "an administrator creates tokens with `hub token create`",
                "UNAUTHENTICATED",
                {"WWW-Authenticate": REALM},
            )
        return error_response(
            401,
            "the bearer token is not valid: it is unknown, malformed or revoked",
            "UNAUTHENTICATED",
            {"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
