"""A sync stopped on shutdown — its task cancelled by ``Scheduler.stop`` (``hub serve``) or by
SIGTERM (``hub sync``) — is recorded ``interrupted``, not ``failed: CancelledError``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.base import Batch
from hub.storage.models import SyncRun
from hub.sync.engine import INTERRUPTED
from hub.sync.scheduler import Scheduler
from simulators.dripping import dripping_tracker
from tests.sockets import free_port
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item

PATIENCE = 60.0
"""Seconds a test waits for a process to get somewhere before it fails."""


class Stalled(FakeConnector):
    """Serves one batch, then waits for a tracker that never answers."""

    def __init__(self) -> None:
        super().__init__(SOURCE, [item(1)])
        self.waiting = asyncio.Event()

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        yield Batch(items=self.items, cursor="1")
        self.waiting.set()
        await asyncio.Event().wait()


async def runs(stored: StoredRows) -> list[tuple[str, str | None]]:
    rows = await stored.rows(select(SyncRun.status, SyncRun.error).order_by(SyncRun.id))
    return [(status, error) for status, error in rows]


async def test_a_cancelled_sync_is_recorded_interrupted(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    connector = Stalled()
    task = asyncio.create_task(engine_for(connector).sync(SOURCE))
    await connector.waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await runs(stored) == [("interrupted", INTERRUPTED)]
    assert connector.closed


async def test_a_sync_running_when_the_scheduler_stops_is_recorded_interrupted(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    connector = Stalled()
    scheduler = Scheduler(engine_for(connector), [SOURCE], periodic=False)
    asking = asyncio.create_task(scheduler.run_now(SOURCE.name))
    await connector.waiting.wait()
    await scheduler.stop()
    with pytest.raises(asyncio.CancelledError):
        await asking

    assert await runs(stored) == [("interrupted", INTERRUPTED)]


def config(tmp_path: Path, database_url: str, tracker_url: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        "[[sources]]\n"
        'name = "jira"\nkind = "jira"\nevery = "1m"\n'
        f'base_url = "{tracker_url}"\nprojects = ["PAY"]\n'
        'email_env = "STOP_EMAIL"\ntoken_env = "STOP_TOKEN"\n'
    )
    return path


def hub(path: Path, *command: str) -> subprocess.Popen[str]:
    env = {**os.environ, "STOP_EMAIL": "pm@example.com", "STOP_TOKEN": "stop-token"}
    env.pop("HUB_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "--config", str(path), *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def ended(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Exit status and stderr, waiting without blocking the loop the tracker runs in."""
    for _ in range(int(PATIENCE / 0.05)):
        if process.poll() is not None:
            return process.returncode, process.communicate()[1]
        await asyncio.sleep(0.05)
    process.kill()
    raise AssertionError(f"the process did not end: {process.communicate()}")


@pytest.mark.parametrize("command", [("sync",), ("serve",)], ids=["hub-sync", "hub-serve"])
async def test_sigterm_during_a_sync_records_it_interrupted(
    stored: StoredRows, database_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    async with dripping_tracker() as (url, tracker):
        port = ("--port", str(free_port())) if command == ("serve",) else ()
        process = hub(config(tmp_path, database_url, url), *command, *port)
        try:
            await asyncio.wait_for(tracker.asked.wait(), PATIENCE)
        except TimeoutError:
            process.kill()
            raise AssertionError(f"no sync started: {process.communicate()}") from None
        os.kill(process.pid, signal.SIGTERM)
        status, stderr = await ended(process)

    assert await runs(stored) == [("interrupted", INTERRUPTED)]
    if command[0] == "sync":
        assert status == 1
        assert stderr.strip().splitlines()[-1] == (
            "Error: stopped by SIGTERM: a sync under way is recorded interrupted, "
            "and the next one resumes where it stopped"
        )
