"""Bearer tokens on the GraphQL endpoint: who may call it, and who may change things.

``TokenAuth`` (ASGI middleware) refuses a request without a live token with 401 before the
body is read; the request runs with its ``Grant`` in ``current_grant``, where
``ReadOnlyGuard`` (a schema extension) finds it and refuses mutations to read-only tokens.
Neither ever echoes the token, in a response or a log line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

from graphql import ExecutionResult, GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from hub.limits import error_response
from hub.tokens import Grant, verify_token

REALM = 'Bearer realm="tracker-hub"'
FORBIDDEN = "FORBIDDEN"

current_grant: ContextVar[Grant | None] = ContextVar("current_grant", default=None)
"""The grant of the request being served; None where the app requires no token."""


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


class ReadOnlyGuard(SchemaExtension):
    """Refuse a mutation, before it runs, when the request's token has the ``read`` scope."""

    def on_execute(self) -> Iterator[None]:
        grant = current_grant.get()
        context = self.execution_context
        if (
            grant is not None
            and not grant.can_write
            and context.result is None
            and context.operation_type is OperationType.MUTATION
        ):
            error = GraphQLError(
                f"token '{grant.name}' is read-only: mutations need a token created with "
                "`hub token create NAME --scope write`",
                extensions={"code": FORBIDDEN},
            )
            context.result = ExecutionResult(data=None, errors=[error])
        yield
