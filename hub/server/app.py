"""The HTTP face of the hub: GraphQL at ``/graphql``, probes and metrics (``/healthz``,
``/readyz``, ``/metrics``), the web pages at ``/`` and ``/roadmap`` (``hub.web``), which read
their data from ``/graphql``, and the trackers' webhooks at ``/webhooks/{source}``
(``hub.server.webhooks``).

The app is stateless: everything per request comes from ``get_context``, so it runs as many
replicas as needed in front of one database. Given a scheduler, the app runs its syncs for as
long as it is up (the ASGI lifespan) and lets ``syncSource`` start one; given a webhook
applier, the app runs it as long, and wakes it for each delivery it records.

A request to ``/graphql`` passes, in order: the body's deadline (408) and size limit (413),
the bearer token (401), the rate limit of its token (429), then the limits on tokens, fields,
depth, aliases and estimated cost, introspection where it is off, and the read-only guard on
mutations. ``/healthz``, ``/readyz`` and ``/metrics`` stay open (``hub.server.probes``).
Webhooks authenticate by their signature, not a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from hub.contract.config import ApiConfig, HubConfig
from hub.server.auth import TokenAuth
from hub.server.body_deadline import BodyDeadline
from hub.server.body_limit import BodyLimit
from hub.server.probes import healthz, metrics_endpoint, readyz
from hub.server.rate_limit import RateLimit, TokenBuckets
from hub.server.webhooks import WebhookReceiver
from hub.sync.metrics import HUB_METRICS, HubMetrics
from hub.sync.scheduler import Scheduler
from hub.sync.webhooks import WebhookApplier
from hub.web.graphiql import graphiql_page
from hub.web.routes import web_routes
from schema import Context, get_context
from schema.access import FORBIDDEN
from schema.context import NO_CONFIG
from schema.served import served_schema

DEFAULT_API = ApiConfig()


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with a fresh context (and DataLoaders) for every request."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        graphiql: bool,
        config: HubConfig,
        scheduler: Scheduler | None,
        api: ApiConfig,
        metrics: HubMetrics,
    ) -> None:
        super().__init__(
            served_schema(api, metrics),
            graphql_ide="graphiql" if graphiql else None,
        )
        self.sessions = sessions
        self.config = config
        self.scheduler = scheduler

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return get_context(self.sessions, config=self.config, syncs=self.scheduler)

    async def render_graphql_ide(self, request: Request) -> Response:
        """The hub's GraphiQL page, whose scripts the hub serves itself (no CDN)."""
        return graphiql_page()

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


def create_app(
    sessions: async_sessionmaker[AsyncSession],
    *,
    graphiql: bool = False,
    config: HubConfig = NO_CONFIG,
    scheduler: Scheduler | None = None,
    require_token: bool = True,
    api: ApiConfig = DEFAULT_API,
    webhooks: WebhookApplier | None = None,
    metrics: HubMetrics = HUB_METRICS,
) -> Starlette:
    """The hub's ASGI app; ``graphiql`` serves the in-browser IDE on GET /graphql.

    Resolvers see ``config`` (sources, components, initiatives) and, where this process runs
    syncs, the ``scheduler`` as the service that ``syncSource`` asks.

    Every GraphQL request needs a bearer token unless ``require_token`` is off, which only
    ``hub demo`` does: its database is a throwaway of simulated trackers on 127.0.0.1.

    Webhook deliveries are recorded whether or not there is an applier (``webhooks``); only
    an app with one applies them, and a later one picks up what an earlier one left.

    The app records GraphQL latency and webhook receipts into ``metrics`` and serves them at
    ``/metrics``; the engine and applier record into theirs (by default the same, the
    process's ``HUB_METRICS``).
    """
    if graphiql and api.production:
        raise ValueError("GraphiQL is off in production mode")
    graphql: ASGIApp = HubGraphQL(
        sessions, graphiql=graphiql, config=config, scheduler=scheduler, api=api, metrics=metrics
    )
    if api.rate_limit_per_minute:
        buckets = TokenBuckets(api.rate_limit_per_minute, api.rate_limit_burst)
        graphql = RateLimit(graphql, buckets)
    if require_token:
        graphql = TokenAuth(graphql, sessions)
    graphql = BodyLimit(graphql, api.max_body_bytes)

    receiver = WebhookReceiver(
        sessions,
        config,
        max_bytes=api.max_webhook_bytes,
        wake=webhooks.wake if webhooks is not None else lambda: None,
        metrics=metrics,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as running:
            if scheduler is not None:
                await running.enter_async_context(scheduler.lifespan())
            if webhooks is not None:
                await running.enter_async_context(webhooks.lifespan())
            yield

    app = Starlette(
        routes=[
            Route("/graphql", graphql),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz(sessions), methods=["GET"]),
            Route("/metrics", metrics_endpoint(sessions, metrics), methods=["GET"]),
            Route("/webhooks/{source}", receiver.receive, methods=["POST"]),
            *web_routes(),
        ],
        middleware=[Middleware(BodyDeadline, seconds=api.body_timeout)],
        lifespan=lifespan,
    )
    app.state.scheduler = scheduler
    return app
