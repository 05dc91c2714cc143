"""What the CLI commands do, as coroutines that tests can call directly."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.config import HubConfig
from hub.errors import ConfigError, HubError
from hub.storage.database import create_engine, redact, session_factory
from hub.storage.migrate import pending
from hub.sync import SyncEngine, SyncReport
from hub.sync.rules import HubRules

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a database that must already be migrated."""
    engine = create_engine(url)
    try:
        try:
            behind = await pending(engine)
        except Exception as exc:
            raise HubError(f"cannot open database {redact(url)}: {type(exc).__name__}") from None
        if behind:
            raise HubError(f"database {redact(url)} is not up to date: run `hub db upgrade`")
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def sync_sources(
    config: HubConfig,
    *,
    source_name: str | None = None,
    full: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[SyncReport]:
    sources = [config.source(source_name)] if source_name else list(config.sources)
    if not sources:
        raise ConfigError("no sources configured: add [[sources]] to the config file")
    async with open_database(config.database_url) as sessions:
        engine = SyncEngine(sessions, rules=rules_of(config), transport=transport)
        return [await engine.sync(source, full=full) for source in sources]


def rules_of(config: HubConfig) -> HubRules:
    return HubRules(config.components, config.initiatives)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``port``, or on any free port when that one is taken."""
    for candidate in (port, 0):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError:
            sock.close()
            if candidate == 0:
                raise
            log.warning("port %d is taken; using a free one", port)
            continue
        sock.listen(128)
        return sock
    raise AssertionError("unreachable")  # pragma: no cover


async def serve_sessions(
    sessions: async_sessionmaker[AsyncSession], sock: socket.socket, *, graphiql: bool
) -> None:
    from hub.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(sessions, graphiql=graphiql), log_level="warning")
    )
    await server.serve(sockets=[sock])


async def serve_api(config: HubConfig, *, host: str, port: int, graphiql: bool) -> None:
    async with open_database(config.database_url) as sessions:
        sock = bind(host, port)
        log.info("GraphQL API on http://%s:%d/graphql", *sock.getsockname()[:2])
        await serve_sessions(sessions, sock, graphiql=graphiql)
