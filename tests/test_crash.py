"""A real ``hub sync`` process killed with SIGKILL mid-sync, then run again: nothing is lost,
nothing is duplicated, and the killed run is recorded as interrupted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.storage.models import SyncRun, WorkItem
from simulators import JiraWorld, create_jira_app, serve
from tests.stored import StoredRows

ITEMS = 3500
PAGE = 100
EMAIL, TOKEN = "pm@example.com", "sim-token"


@pytest.fixture(scope="module")
def world() -> JiraWorld:
    return JiraWorld(size=ITEMS, seed=5)


@pytest.fixture(scope="module")
def jira_url(world: JiraWorld) -> Iterator[str]:
    with serve(create_jira_app(world, email=EMAIL, token=TOKEN)) as url:
        yield url


def config(tmp_path: Path, database_url: str, jira_url: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        "[[sources]]\n"
        'name = "jira"\nkind = "jira"\n'
        f'base_url = "{jira_url}"\nprojects = ["PLAT", "PAY"]\n'
        f'email_env = "CRASH_EMAIL"\ntoken_env = "CRASH_TOKEN"\npage_size = {PAGE}\n'
    )
    return path


def hub_sync(path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CRASH_EMAIL": EMAIL, "CRASH_TOKEN": TOKEN}
    env.pop("HUB_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "--config", str(path), "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def tracker_items(stored: StoredRows) -> int:
    """Items stored from the tracker, leaving out the initiatives the hub declares itself."""
    return await stored.count(
        WorkItem, WorkItem.source_id.is_not(None), WorkItem.key.not_like("%-v2")
    )


async def kill_after(process: subprocess.Popen[bytes], stored: StoredRows, at_least: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        count = await tracker_items(stored)
        if count >= at_least:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return count
        if process.poll() is not None:
            raise AssertionError("the sync ended before it could be killed")
        await asyncio.sleep(0.01)
    raise AssertionError("the sync made no progress")


@pytest.mark.parametrize("kill_at", [1, 1500, 2500])  # the sync stores 1,000 at a time
async def test_a_killed_sync_resumes_with_nothing_lost_or_duplicated(
    sessions, stored: StoredRows, database_url, jira_url, world, tmp_path, kill_at
) -> None:
    path = config(tmp_path, database_url, jira_url)
    killed_at = await kill_after(hub_sync(path), stored, kill_at)
    assert killed_at < ITEMS

    assert hub_sync(path).wait(timeout=120) == 0

    async with sessions() as session:
        rows = (await session.execute(select(WorkItem.external_id, WorkItem.title))).all()
        statuses = (await session.execute(select(SyncRun.status).order_by(SyncRun.id))).scalars()
        statuses = list(statuses)
    assert len(rows) == len({external_id for external_id, _ in rows}) == ITEMS
    assert {external_id: title for external_id, title in rows} == {
        str(issue.id): issue.summary for issue in world
    }
    assert statuses == ["interrupted", "succeeded"]
