"""The HTTP face of the hub: GraphQL at ``/graphql``, a health check at ``/healthz``, and the
web pages at ``/`` and ``/roadmap`` (``hub.web``), which read their data from ``/graphql``.

The app is stateless: everything per request comes from ``get_context``, so it runs as many
replicas as needed in front of one database. Given a scheduler, the app runs its syncs for as
long as it is up (the ASGI lifespan) and lets ``syncSource`` start one.

A request to ``/graphql`` passes, in order: the body size limit (413), the bearer token (401),
then strawberry's limits on tokens, depth, aliases and estimated cost, introspection where it
is off, and the read-only guard on mutations. ``/healthz`` stays open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.http import GraphQLHTTPResponse

from hub.auth import FORBIDDEN, ReadOnlyGuard, TokenAuth
from hub.config import ApiConfig
from hub.limits import BodyLimit, FragmentFanOutLimiter, QueryComplexityLimiter
from hub.scheduler import Scheduler
from hub.web.routes import web_routes
from schema import Context, create_schema, get_context

DEFAULT_API = ApiConfig()
MAX_QUERY_DEPTH = DEFAULT_API.max_depth
MAX_ALIASES = DEFAULT_API.max_aliases
MAX_TOKENS = DEFAULT_API.max_tokens
CACHE_SIZE = 256


def is_unexpected(error: GraphQLError) -> bool:
    """Mask errors from bugs; keep validation errors and ``GraphQLError``s raised on purpose."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def validation_rules(api: ApiConfig) -> list[type[ASTValidationRule]]:
    """Depth and alias limits, and no introspection where it is off.

    Built once per app, not per request: the validation cache is keyed by the rule classes,
    and strawberry's limiters make a new class each time they are constructed.
    """
    rules = [
        *QueryDepthLimiter(max_depth=api.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=api.max_aliases).validation_rules,
    ]
    if not api.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def api_extensions(api: ApiConfig = DEFAULT_API) -> list[Callable[[], SchemaExtension]]:
    """Limits that keep one client from costing the database more than a page of work.

    Factories, so each request gets fresh extensions; the parse and validation caches live
    at module level in strawberry and are shared across requests all the same.
    """
    return [
        partial(MaxTokensLimiter, max_token_count=api.max_tokens),
        partial(ParserCache, maxsize=CACHE_SIZE),
        partial(AddValidationRules, validation_rules(api)),
        FragmentFanOutLimiter,
        partial(ValidationCache, maxsize=CACHE_SIZE),
        ReadOnlyGuard,
        partial(QueryComplexityLimiter, max_complexity=api.max_complexity),
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
        api: ApiConfig = DEFAULT_API,
    ) -> None:
        super().__init__(
            create_schema(extensions=api_extensions(api)),
            graphql_ide="graphiql" if graphiql else None,
        )
        self.sessions = sessions
        self.scheduler = scheduler

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return get_context(self.sessions, scheduler=self.scheduler)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """As strawberry answers, but 403 when a read-only token was refused a mutation."""
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and FORBIDDEN in error_codes(response_data):
            response.status_code = 403
        return response


def error_codes(response_data: GraphQLHTTPResponse) -> set[object]:
    """The ``extensions.code`` of each error in a response."""
    codes: set[object] = set()
    for error in response_data.get("errors") or ():
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict):
            codes.add(extensions.get("code"))
    return codes


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(
    sessions: async_sessionmaker[AsyncSession],
    *,
    graphiql: bool = False,
    scheduler: Scheduler | None = None,
    require_token: bool = True,
    api: ApiConfig = DEFAULT_API,
) -> Starlette:
    """The hub's ASGI app; ``graphiql`` serves the in-browser IDE on GET /graphql.

    Every GraphQL request needs a bearer token unless ``require_token`` is off, which only
    ``hub demo`` does: its database is a throwaway of simulated trackers on 127.0.0.1.
    """
    if graphiql and api.production:
        raise ValueError("GraphiQL is off in production mode")
    graphql: ASGIApp = HubGraphQL(sessions, graphiql=graphiql, scheduler=scheduler, api=api)
    if require_token:
        graphql = TokenAuth(graphql, sessions)
    graphql = BodyLimit(graphql, api.max_body_bytes)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if scheduler is None:
            yield
            return
        async with scheduler.lifespan():
            yield

    app = Starlette(
        routes=[
            Route("/graphql", graphql),
            Route("/healthz", healthz, methods=["GET"]),
            *web_routes(),
        ],
        lifespan=lifespan,
    )
    app.state.scheduler = scheduler
    return app
