"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from hub.contract.errors import HubError
from hub.storage.types import dumps, loads


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL runs
    without JIT compilation."""
    parsed = make_url(url)
    kwargs.setdefault("json_serializer", dumps)
    kwargs.setdefault("json_deserializer", loads)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A recursive walk's size is beyond the planner's guess, and the guess decides JIT, whose
    # compiling then takes far longer than the hub's short queries run.
    kwargs.setdefault("connect_args", {"server_settings": {"jit": "off"}})
    return create_async_engine(parsed, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "cache_size=-65536",  # 64 MiB of page cache instead of 2 MiB: fewer reads on big syncs
        "temp_store=MEMORY",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session whose work commits together, or not at all."""
    async with sessions() as session, session.begin():
        yield session


def redact(url: str) -> str:
    """The URL with any password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def unreachable(url: str, exc: BaseException) -> HubError:
    """A database that cannot be opened, as one line: where (no password) and why."""
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
    elif isinstance(exc, ArgumentError | ValueError):
        return HubError("database_url is not a valid database URL")
    else:
        reason = type(exc).__name__
    try:
        where = redact(url)
    except (ArgumentError, ValueError):
        where = "(an invalid URL)"
    return HubError(f"cannot open database {where}: {reason[:200]}")
