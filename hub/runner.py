"""What the CLI commands do, as coroutines that tests can call directly."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager

import httpx
import uvicorn
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from connectors import connector_for
from connectors.base import Batch, Connector
from connectors.http.stats import RequestStats
from hub.contract.config import ApiConfig, HubConfig, SourceConfig
from hub.contract.errors import ConfigError, HubError
from hub.progress import SyncProgress
from hub.storage.database import create_engine, redact, session_factory, sqlite_file, unreachable
from hub.storage.migrate import pending
from hub.sync import SyncEngine, SyncReport
from hub.sync.heap import freeze_long_lived_objects
from hub.sync.rules import HubRules
from hub.sync.scheduler import Scheduler
from hub.sync.webhooks import WebhookApplier

log = logging.getLogger(__name__)

DEFAULT_API = ApiConfig()
APPLIER_DELAY_ENV = "HUB_WEBHOOK_APPLIER_DELAY"
"""Test equipment: seconds ``hub serve`` holds its webhook applier back after it starts, so a
test can kill the process between answering a delivery and applying it."""


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a database that must already be migrated; a SQLite file that is not there
    is not created."""
    engine = connect(url)
    try:
        file = sqlite_file(url)
        if file is not None and not file.exists():
            raise HubError(
                f"database {redact(url)} does not exist, so it is not up to date: "
                "run `hub db upgrade`"
            )
        try:
            behind = await pending(engine)
        except Exception as exc:
            raise unreachable(url, exc) from None
        if behind:
            raise HubError(f"database {redact(url)} is not up to date: run `hub db upgrade`")
        yield session_factory(engine)
    finally:
        await engine.dispose()


def connect(url: str) -> AsyncEngine:
    """An engine on ``url``; a URL SQLAlchemy cannot read, or a SQLite file in a directory
    that does not exist, is a one-line error."""
    try:
        file = sqlite_file(url)
    except Exception as exc:
        raise unreachable(url, exc) from None
    if file is not None and not file.parent.is_dir():
        raise HubError(f"cannot open database {redact(url)}: its directory does not exist")
    try:
        return create_engine(url)
    except Exception as exc:
        raise unreachable(url, exc) from None


def with_secrets(sources: Sequence[SourceConfig]) -> list[SourceConfig]:
    """The sources with their secrets read, before any work: a missing variable is named
    before anything is synced."""
    return [source.with_secrets() for source in sources]


async def sync_sources(
    config: HubConfig,
    *,
    source_name: str | None = None,
    full: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    wait: bool = False,
    display: SyncProgress | None = None,
) -> list[SyncReport]:
    """Sync the sources one after another; ``wait`` queues behind a sync running elsewhere
    instead of reporting the source ``busy``."""
    sources = [config.source(source_name)] if source_name else list(config.sources)
    if not sources:
        raise ConfigError("no sources configured: add [[sources]] to the config file")
    sources = with_secrets(sources)
    with stopped_by(signal.SIGTERM):
        return await _sync_sources(config, sources, full, transport, wait, display)


async def _sync_sources(
    config: HubConfig,
    sources: list[SourceConfig],
    full: bool,
    transport: httpx.AsyncBaseTransport | None,
    wait: bool,
    display: SyncProgress | None,
) -> list[SyncReport]:
    async with open_database(config.database_url) as sessions:
        engine = SyncEngine(
            sessions, rules=rules_of(config), transport=transport, wait_for_lock=wait
        )
        reports = []
        for source in sources:
            if display is None:
                reports.append(await engine.sync(source, full=full))
                continue
            async with display.source(source.name) as progress:
                reports.append(await engine.sync(source, full=full, progress=progress))
        return reports


@contextmanager
def stopped_by(signum: signal.Signals) -> Iterator[None]:
    """``signum`` cancels the running task, as Ctrl-C does, so that a sync under way records
    itself interrupted instead of dying with its run marked running; then a one-line error."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    assert task is not None
    received: list[signal.Signals] = []

    def stop() -> None:
        received.append(signum)
        task.cancel()

    try:
        loop.add_signal_handler(signum, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not on Unix, or not the main thread
        yield
        return
    try:
        yield
    except asyncio.CancelledError:
        if not received or task.uncancel() > 0:
            raise
        raise HubError(
            f"stopped by {signum.name}: a sync under way is recorded interrupted, "
            "and the next one resumes where it stopped"
        ) from None
    finally:
        loop.remove_signal_handler(signum)


def rules_of(config: HubConfig) -> HubRules:
    return HubRules(config.components, config.initiatives)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``port`` (0: any free one); a port in use is an error, not a
    reason to listen elsewhere, where no client would look.

    It names its protocol, TCP: asyncio turns Nagle's algorithm off only on connections
    accepted from such a socket, and without that an answer written in two parts (headers,
    then body) waits 40 ms for the client's delayed ACK on a kept-alive connection.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = (
            "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
        )
        raise HubError(
            f"port {port} on {host} {reason}: stop what holds it or pick another with --port"
        ) from None
    sock.listen(128)
    return sock


def connector_with_secrets(
    source: SourceConfig, *, transport: httpx.AsyncBaseTransport | None = None
) -> Connector:
    """The source's connector, its secrets read from the environment as it is built; without
    them, a stand-in whose sync fails at once, naming the variable."""
    try:
        source = source.with_secrets()
    except ConfigError as error:
        return MissingSecret(source, error)
    return connector_for(source, transport=transport)


class MissingSecret(Connector):
    """The connector of a source whose secret is not set. The engine builds a connector before
    a run starts, so raising there would leave no run; this one fails in ``prepare``, and the
    run (and ``syncSource``'s answer) says which variable to set."""

    kind = "missing secret"

    def __init__(self, source: SourceConfig, error: ConfigError) -> None:
        super().__init__(source)
        self.error = error
        self._stats = RequestStats()

    async def prepare(self) -> None:
        raise self.error

    def streams(self) -> Sequence[str]:
        return ()

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        raise self.error
        yield  # pragma: no cover - makes this an async generator

    @property
    def stats(self) -> RequestStats:
        return self._stats

    async def aclose(self) -> None:
        return None


def serving_engine(config: HubConfig, sessions: async_sessionmaker[AsyncSession]) -> SyncEngine:
    """The engine of ``hub serve``'s syncs and webhooks: a source's secrets are read when it
    is synced or its webhooks applied."""
    return SyncEngine(sessions, rules=rules_of(config), connector_factory=connector_with_secrets)


def scheduler_for(
    config: HubConfig,
    sessions: async_sessionmaker[AsyncSession],
    *,
    periodic: bool,
    engine: SyncEngine | None = None,
) -> Scheduler:
    """Scheduled syncs of every configured source; SQLite takes one writer at a time.

    Periodic syncs need every source's secrets, read now so that a missing one stops the
    start; on-demand syncs alone read a source's secrets when it is synced."""
    engine = engine or serving_engine(config, sessions)
    one_at_a_time = engine.database.dialect.name == "sqlite"
    sources = with_secrets(config.sources) if periodic else config.sources
    return Scheduler(engine, sources, periodic=periodic, concurrency=1 if one_at_a_time else None)


def applier_for(engine: SyncEngine, config: HubConfig) -> WebhookApplier:
    """The webhook applier of ``hub serve``, held back by ``HUB_WEBHOOK_APPLIER_DELAY``
    seconds if that is set (test equipment)."""
    try:
        delay = float(os.environ.get(APPLIER_DELAY_ENV) or 0)
    except ValueError:
        raise ConfigError(f"{APPLIER_DELAY_ENV} is not a number of seconds") from None
    return WebhookApplier(engine, config.sources, start_delay=delay)


def build_app(
    config: HubConfig,
    sessions: async_sessionmaker[AsyncSession],
    *,
    graphiql: bool,
    schedule: bool = True,
    production: bool = False,
) -> Starlette:
    """The app ``hub serve`` runs: syncs run on schedule while it is up (unless
    ``schedule`` is off) and on demand through the ``syncSource`` mutation. Every request
    needs an API token; ``production`` (or ``[api] production``) closes introspection and
    GraphiQL. Webhook deliveries are applied while it is up, and those a previous process
    recorded but did not apply are applied as it starts."""
    from hub.server.app import create_app

    api = api_settings(config, production=production)
    graphiql = graphiql or api.graphiql
    if graphiql and api.production:
        raise ConfigError("GraphiQL is off in production mode: drop --graphiql")
    engine = serving_engine(config, sessions)
    scheduler = scheduler_for(config, sessions, periodic=schedule, engine=engine)
    return create_app(
        sessions,
        graphiql=graphiql,
        config=config,
        scheduler=scheduler,
        require_token=True,
        api=api,
        webhooks=applier_for(engine, config),
    )


def api_settings(config: HubConfig, *, production: bool) -> ApiConfig:
    """The ``[api]`` table, in production mode when ``--production`` asks for it."""
    if not production or config.api.production:
        return config.api
    try:
        return ApiConfig.model_validate({**config.api.model_dump(), "production": True})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ConfigError(f"--production: [api] {message}") from None


async def serve_app(app: Starlette, sock: socket.socket, api: ApiConfig = DEFAULT_API) -> None:
    """Serve on ``sock`` with the ``[api]`` table's deadlines and connection limit."""
    from hub.server.connections import server_config

    server = uvicorn.Server(server_config(app, api))
    freeze_long_lived_objects()
    await server.serve(sockets=[sock])


@asynccontextmanager
async def serving(
    app: Starlette, sock: socket.socket, api: ApiConfig = DEFAULT_API
) -> AsyncIterator[asyncio.Task[None]]:
    """``app`` served on ``sock`` while the block runs, as ``serve_app`` serves it: the
    block starts once the server answers, gets the server's task (awaiting it waits for
    Ctrl-C), and leaving the block stops the server."""
    from hub.server.connections import server_config

    server = uvicorn.Server(server_config(app, api))
    freeze_long_lived_objects()
    task = asyncio.create_task(server.serve(sockets=[sock]), name="hub server")
    while not server.started:
        if task.done():
            await task  # it failed to start: raise why
            raise HubError("the server stopped as it started")
        await asyncio.sleep(0.01)
    try:
        yield task
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)


async def serve_sessions(
    sessions: async_sessionmaker[AsyncSession], sock: socket.socket, *, graphiql: bool
) -> None:
    """Serve the demo's API alone, with no token: no scheduled syncs, and ``syncSource``
    answers unavailable."""
    from hub.server.app import create_app

    await serve_app(create_app(sessions, graphiql=graphiql, require_token=False), sock)


async def serve_api(
    config: HubConfig,
    *,
    host: str,
    port: int,
    graphiql: bool,
    schedule: bool = True,
    production: bool = False,
) -> None:
    async with open_database(config.database_url) as sessions:
        app = build_app(
            config, sessions, graphiql=graphiql, schedule=schedule, production=production
        )
        sock = bind(host, port)
        log.info("GraphQL API on http://%s:%d/graphql", *sock.getsockname()[:2])
        log.info("Roadmap page on http://%s:%d/roadmap", *sock.getsockname()[:2])
        if schedule and config.sources:
            log.info("scheduled syncs of: %s", ", ".join(s.name for s in config.sources))
        await serve_app(app, sock, api_settings(config, production=production))
