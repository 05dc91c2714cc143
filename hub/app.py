"""The HTTP face of the hub: GraphQL at ``/graphql`` and a health check at ``/healthz``.

The app is stateless: everything per request comes from ``get_context``, so it runs as many
replicas as needed in front of one database. Given a scheduler, the app runs its syncs for as
long as it is up (the ASGI lifespan) and lets ``syncSource`` start one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from hub.scheduler import Scheduler
from schema import Context, create_schema, get_context

MAX_QUERY_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000
CACHE_SIZE = 256


def is_unexpected(error: GraphQLError) -> bool:
    """Mask errors from bugs; keep validation errors and ``GraphQLError``s raised on purpose."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def api_extensions() -> list[Callable[[], SchemaExtension]]:
    """Limits that keep one client from costing the database more than a page of work.

    Factories, so each request gets fresh extensions; the parse and validation caches live
    at module level in strawberry and are shared across requests all the same.
    """
    return [
        partial(ParserCache, maxsize=CACHE_SIZE),
        partial(ValidationCache, maxsize=CACHE_SIZE),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(QueryDepthLimiter, max_depth=MAX_QUERY_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ]


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with a fresh context (and DataLoaders) for every request."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        graphiql: bool,
        scheduler: Scheduler | None = None,
    ) -> None:
        super().__init__(
            create_schema(extensions=api_extensions()),
            graphql_ide="graphiql" if graphiql else None,
        )
        self.sessions = sessions
        self.scheduler = scheduler

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return get_context(self.sessions, scheduler=self.scheduler)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(
    sessions: async_sessionmaker[AsyncSession],
    *,
    graphiql: bool = False,
    scheduler: Scheduler | None = None,
) -> Starlette:
    """The hub's ASGI app; ``graphiql`` serves the in-browser IDE on GET /graphql."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if scheduler is None:
            yield
            return
        async with scheduler.lifespan():
            yield

    app = Starlette(
        routes=[
            Route("/graphql", HubGraphQL(sessions, graphiql=graphiql, scheduler=scheduler)),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.scheduler = scheduler
    return app
