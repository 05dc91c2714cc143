"""The operator's endpoints: ``/healthz`` (the process answers), ``/readyz`` (it can serve:
the database answers and its migrations are current) and ``/metrics`` (Prometheus text).

All three are open, without a token, like a load balancer's probes: ``/metrics`` is meant
for the internal network (docs/deployment.md). None names the database's URL; a failure is
told by its kind only, as the exception text of a driver can quote the URL or its host.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.storage.database import redact
from hub.storage.migrate import pending
from hub.storage.models import WebhookDelivery
from hub.sync.metrics import HubMetrics
from hub.sync.webhooks.deliveries import PENDING

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readyz(sessions: async_sessionmaker[AsyncSession]) -> Endpoint:
    """200 when the database answers and needs no migration; 503 with the reason otherwise."""

    async def ready(_request: Request) -> Response:
        engine = bind_of(sessions)
        try:
            behind = await pending(engine)
        except Exception as exc:  # whatever the driver raises: the probe answers, not crashes
            log.warning(
                "readiness: database %s does not answer: %s",
                redact(engine.url.render_as_string(hide_password=False)),
                type(exc).__name__,
            )
            return not_ready(f"the database does not answer ({type(exc).__name__})")
        if behind:
            return not_ready("the database's migrations are not current: run `hub db upgrade`")
        return JSONResponse({"status": "ready"})

    return ready


def not_ready(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, 503)


def metrics_endpoint(sessions: async_sessionmaker[AsyncSession], metrics: HubMetrics) -> Endpoint:
    """The metrics in Prometheus text format; the webhook queue is counted at each scrape."""

    async def scrape(_request: Request) -> Response:
        try:
            async with sessions() as session:
                depth = await session.scalar(
                    select(func.count())
                    .select_from(WebhookDelivery)
                    .where(WebhookDelivery.status == PENDING)
                )
            metrics.webhook_queue.set(depth or 0)
        except Exception as exc:  # the other metrics are still worth a scrape
            log.warning("metrics: webhook queue not counted: %s", type(exc).__name__)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return scrape


def bind_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    bind = sessions.kw["bind"]
    assert isinstance(bind, AsyncEngine)
    return bind
