from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from connectors.http.stats import RequestStats
from hub.cli import EXIT_BUSY, main
from hub.contract.config import load_config
from hub.progress import CLEAR_TO_END, SyncProgress, describe
from hub.runner import sync_sources
from hub.storage.database import create_engine
from hub.sync import SyncReport
from hub.sync.lock import source_lock


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def report_after(
    batches: int,
    *,
    per_batch: int = 50,
    requests: int = 0,
    retries: int = 0,
    waiting_until: float | None = None,
) -> SyncReport:
    report = SyncReport(
        source="jira",
        stream="issues",
        batches=batches,
        requests=requests,
        retries=retries,
        stats=RequestStats(waiting_until=waiting_until),
    )
    report.counts.fetched = batches * per_batch
    return report


def test_a_line_says_items_batches_rate_requests_retries_and_a_wait() -> None:
    report = report_after(4, requests=5, retries=1, waiting_until=112.2)
    assert describe(report, elapsed=2.0, now=100.0) == (
        "jira [issues]: 200 items, 4 batches, 100 items/s, 5 requests, 1 retries, waiting 13s"
    )
    assert "waiting" not in describe(report, elapsed=2.0, now=113.0)


def test_progress_is_live_on_a_terminal_and_plain_elsewhere() -> None:
    assert SyncProgress(Terminal()).live
    assert not SyncProgress(io.StringIO()).live


async def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    terminal, clock = Terminal(), Clock()
    progress = SyncProgress(terminal, clock=clock, wait_clock=clock)
    async with progress.source("jira") as update:
        for batches in (1, 2, 3):
            clock.now += 1
            update(report_after(batches, requests=batches))
        clock.now += 1
        update(report_after(4, requests=4, retries=1, waiting_until=clock.now + 12))

    output = terminal.getvalue()
    assert output.count("\n") == 1 and output.endswith("\n")
    frames = output.rstrip("\n").split("\r")[1:]
    assert len(frames) >= 4 and all(frame.endswith(CLEAR_TO_END) for frame in frames)
    assert (
        frames[0]
        == f"jira [issues]: 50 items, 1 batches, 50 items/s, 1 requests, 0 retries{CLEAR_TO_END}"
    )
    assert frames[3].endswith(f"4 requests, 1 retries, waiting 12s{CLEAR_TO_END}")


async def test_a_terminal_line_counts_a_wait_down_between_batches() -> None:
    terminal, clock = Terminal(), Clock()
    progress = SyncProgress(terminal, clock=clock, wait_clock=clock, refresh_seconds=0.001)
    async with progress.source("jira") as update:
        update(report_after(1, waiting_until=clock.now + 10))
        clock.now += 7
        await asyncio.sleep(0.05)
    assert "waiting 10s" in terminal.getvalue()
    assert "waiting 3s" in terminal.getvalue()


async def test_a_terminal_shows_a_slow_first_batch_and_nothing_for_an_instant_busy() -> None:
    terminal, clock = Terminal(), Clock()
    progress = SyncProgress(terminal, clock=clock, wait_clock=clock, refresh_seconds=0.001)
    async with progress.source("busy"):
        pass
    assert terminal.getvalue() == ""
    async with progress.source("slow"):
        await asyncio.sleep(0.05)
    assert terminal.getvalue().endswith(
        f"slow: 0 items, 0 batches, 0 items/s, 0 requests, 0 retries{CLEAR_TO_END}\n"
    )


async def test_logs_get_a_line_every_few_batches_not_every_batch() -> None:
    log, clock = io.StringIO(), Clock()
    progress = SyncProgress(
        log, clock=clock, wait_clock=clock, batches_per_line=10, seconds_per_line=60
    )
    async with progress.source("jira") as update:
        for batches in range(1, 26):
            clock.now += 0.5
            update(report_after(batches))

    lines = log.getvalue().splitlines()
    assert lines == [
        "jira [issues]: 500 items, 10 batches, 100 items/s, 0 requests, 0 retries",
        "jira [issues]: 1000 items, 20 batches, 100 items/s, 0 requests, 0 retries",
    ]
    assert "\r" not in log.getvalue()


async def test_logs_get_a_line_every_few_seconds_on_a_slow_sync() -> None:
    log, clock = io.StringIO(), Clock()
    progress = SyncProgress(
        log, clock=clock, wait_clock=clock, batches_per_line=100, seconds_per_line=5
    )
    async with progress.source("jira") as update:
        for batches in range(1, 7):
            clock.now += 2
            update(report_after(batches))
    assert [line.split(": ")[1].split(",")[1] for line in log.getvalue().splitlines()] == [
        " 3 batches",
        " 6 batches",
    ]


async def test_logs_say_when_a_wait_begins() -> None:
    log, clock = io.StringIO(), Clock()
    progress = SyncProgress(
        log, clock=clock, wait_clock=clock, batches_per_line=100, seconds_per_line=60
    )
    async with progress.source("jira") as update:
        update(report_after(1))
        update(report_after(2, retries=1, waiting_until=clock.now + 30))
        update(report_after(2, retries=1, waiting_until=clock.now + 30))
    (line,) = log.getvalue().splitlines()
    assert line.endswith("1 retries, waiting 30s")


SOURCE = """
database_url = "sqlite+aiosqlite:///{database}"

[[sources]]
name = "jira-acme"
kind = "jira"
base_url = "https://acme.atlassian.net"
projects = ["PAY"]
email_env = "JIRA_EMAIL"
token_env = "JIRA_TOKEN"
"""
ENV = {"JIRA_EMAIL": "e", "JIRA_TOKEN": "t", "HUB_DATABASE_URL": None, "HUB_CONFIG": None}


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "hub.toml"
    config.write_text(SOURCE.format(database=tmp_path / "hub.db"))
    upgraded = CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"], env=ENV)
    assert upgraded.exit_code == 0, upgraded.output
    return config


async def test_hub_sync_of_a_busy_source_says_so_in_one_line_and_exits_75(
    config_file: Path,
) -> None:
    config = load_config(config_file, env={"JIRA_EMAIL": "e", "JIRA_TOKEN": "t"})
    database = create_engine(config.database_url)
    try:
        async with source_lock(database, "jira-acme"):
            result = await asyncio.to_thread(
                CliRunner().invoke, main, ["--config", str(config_file), "sync"], env=ENV
            )
    finally:
        await database.dispose()
    assert result.exit_code == EXIT_BUSY
    assert result.stderr.strip() == (
        "jira-acme: busy — source 'jira-acme' is being synced by another process; "
        "wait for it to finish or pass --wait"
    )


async def test_sync_with_wait_queues_behind_the_sync_under_way(config_file: Path) -> None:
    config = load_config(config_file, env={"JIRA_EMAIL": "e", "JIRA_TOKEN": "t"})
    refused = httpx.MockTransport(lambda request: httpx.Response(401))
    display = SyncProgress(io.StringIO(), live=False)
    database = create_engine(config.database_url)
    try:
        async with source_lock(database, "jira-acme"):
            waiting = asyncio.create_task(
                sync_sources(config, wait=True, transport=refused, display=display)
            )
            await asyncio.sleep(0.3)
            assert not waiting.done()
        (report,) = await waiting
    finally:
        await database.dispose()
    assert report.status == "failed" and "401" in (report.error or "")
