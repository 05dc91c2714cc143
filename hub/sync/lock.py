"""One sync per source at a time, across processes, released when the holder dies.

PostgreSQL: a session-level advisory lock on a connection held for the whole sync; the server
drops it when that connection ends, however the process ends. SQLite (one machine): an
exclusive ``flock`` on a file beside the database; the kernel drops it with the process.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.contract.errors import SyncInProgress

_IN_PROCESS: dict[str, asyncio.Lock] = {}


@asynccontextmanager
async def source_lock(
    engine: AsyncEngine, source: str, *, wait: bool = False
) -> AsyncIterator[None]:
    """Hold the sync lock of ``source``; if another holder has it, wait or raise SyncInProgress."""
    if engine.dialect.name == "postgresql":
        async with _advisory_lock(engine, source, wait=wait):
            yield
        return
    database = engine.url.database
    if database and database != ":memory:":
        async with _file_lock(Path(f"{database}.{source}.sync-lock"), source, wait=wait):
            yield
        return
    lock = _IN_PROCESS.setdefault(source, asyncio.Lock())
    if lock.locked() and not wait:
        raise _busy(source)
    async with lock:
        yield


def _busy(source: str) -> SyncInProgress:
    return SyncInProgress(
        f"source '{source}' is being synced by another process; "
        "wait for it to finish or pass --wait"
    )


def _advisory_key(source: str) -> int:
    digest = hashlib.blake2b(f"tracker-hub:sync:{source}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def _advisory_lock(engine: AsyncEngine, source: str, *, wait: bool) -> AsyncIterator[None]:
    key = _advisory_key(source)
    async with engine.connect() as connection:
        if wait:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        else:
            got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            if not got:
                raise _busy(source)
        await connection.commit()
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await connection.commit()


@asynccontextmanager
async def _file_lock(path: Path, source: str, *, wait: bool) -> AsyncIterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise _busy(source) from None
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
