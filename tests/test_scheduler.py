from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections import defaultdict
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from pydantic import SecretStr

from hub.contract.config import SourceConfig
from hub.contract.errors import NotFound
from hub.contract.records import RunStatus
from hub.sync import SyncReport
from hub.sync.scheduler import Scheduler, backoff


class VirtualTime:
    """A clock and a sleep on virtual time, advanced only by ``advance``."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), wake))
        await wake

    async def advance(self, seconds: float) -> None:
        """Run every task until virtual time has moved on by ``seconds``."""
        end = self.now + seconds
        while True:
            await settle()
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers or self._sleepers[0][0] > end:
                self.now = end
                await settle()
                return
            self.now, _, wake = heapq.heappop(self._sleepers)
            wake.set_result(None)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


class FakeEngine:
    """Syncs take ``seconds`` of virtual time and end as ``outcomes`` say (default success)."""

    def __init__(self, time: VirtualTime, *, seconds: float = 1.0) -> None:
        self.time = time
        self.seconds = seconds
        self.outcomes: dict[str, str] = {}
        self.starts: dict[str, list[float]] = defaultdict(list)
        self.active: dict[str, int] = defaultdict(int)
        self.most_active: dict[str, int] = defaultdict(int)

    async def sync(self, source: SourceConfig, *, full: bool = False) -> SyncReport:
        name = source.name
        self.starts[name].append(self.time.now)
        self.active[name] += 1
        self.most_active[name] = max(self.most_active[name], self.active[name])
        try:
            await self.time.sleep(self.seconds)
            outcome = self.outcomes.get(name, "succeeded")
            if outcome == "raise":
                raise RuntimeError(f"a bug near {source.token.get_secret_value()}")
            error = None if outcome == "succeeded" else "the tracker said no"
            return SyncReport(source=name, status=RunStatus(outcome), full=full, error=error)
        finally:
            self.active[name] -= 1


def source(name: str, every: timedelta = timedelta(minutes=1)) -> SourceConfig:
    return SourceConfig(
        name=name,
        kind="github",
        base_url="https://api.github.com",
        repos=("acme/app",),
        token_env="GITHUB_TOKEN",
        every=every,
    )


def scheduler_for(
    time: VirtualTime, engine: FakeEngine, *sources: SourceConfig, **options: Any
) -> Scheduler:
    options.setdefault("uniform", lambda low, high: 0.0)
    return Scheduler(
        engine,
        sources,
        clock=time.clock,
        sleep=time.sleep,
        **options,
    )


def gaps(starts: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(starts)]


async def test_each_source_syncs_on_its_own_interval_within_the_jitter() -> None:
    time = VirtualTime()
    engine = FakeEngine(time)
    fast, slow = source("fast", timedelta(seconds=60)), source("slow", timedelta(seconds=600))
    scheduler = scheduler_for(time, engine, fast, slow, uniform=random.Random(7).uniform)
    async with scheduler.lifespan():
        await time.advance(6 * 3600)

    for config in (fast, slow):
        every = config.every.total_seconds()
        starts = engine.starts[config.name]
        assert 0 <= starts[0] <= 0.1 * every
        assert all(0.9 * every <= gap <= 1.1 * every for gap in gaps(starts))
        assert len(set(gaps(starts))) > 1, "jitter varies the interval"
    assert 6 * 3600 / 66 <= len(engine.starts["fast"]) <= 6 * 3600 / 54 + 1


async def test_a_sync_that_outlasts_its_interval_is_followed_never_overlapped() -> None:
    time = VirtualTime()
    engine = FakeEngine(time, seconds=90)
    scheduler = scheduler_for(time, engine, source("slow-tracker", timedelta(seconds=60)))
    async with scheduler.lifespan():
        await time.advance(900)

    assert engine.most_active["slow-tracker"] == 1
    assert gaps(engine.starts["slow-tracker"]) == [90.0] * 10


async def test_a_failing_source_backs_off_while_another_keeps_its_pace() -> None:
    time = VirtualTime()
    engine = FakeEngine(time)
    engine.outcomes["broken"] = "failed"
    scheduler = scheduler_for(
        time,
        engine,
        source("broken", timedelta(seconds=60)),
        source("healthy", timedelta(seconds=60)),
        max_backoff=timedelta(seconds=500),
    )
    async with scheduler.lifespan():
        await time.advance(1900)
        engine.outcomes["broken"] = "succeeded"
        await time.advance(1000)

    assert gaps(engine.starts["broken"])[:7] == [120, 240, 480, 500, 500, 500, 60]
    assert set(gaps(engine.starts["healthy"])) == {60}


async def test_an_exception_in_one_loop_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = VirtualTime()
    engine = FakeEngine(time)
    engine.outcomes["buggy"] = "raise"
    buggy = source("buggy").model_copy(update={"token": SecretStr("ghp_" + "s3cr3t" * 6)})
    scheduler = scheduler_for(time, engine, buggy, source("fine"))
    with caplog.at_level(logging.WARNING, logger="hub.sync.scheduler"):
        async with scheduler.lifespan():
            await time.advance(600)

    assert gaps(engine.starts["buggy"]) == [120, 240]
    assert len(engine.starts["fine"]) == 11
    assert "scheduled sync of buggy raised" in caplog.text
    assert "RuntimeError: a bug near [redacted]" in caplog.text
    assert "s3cr3t" not in caplog.text


async def test_a_busy_source_keeps_its_pace() -> None:
    time = VirtualTime()
    engine = FakeEngine(time)
    engine.outcomes["shared"] = "busy"
    scheduler = scheduler_for(time, engine, source("shared"))
    async with scheduler.lifespan():
        await time.advance(300)

    assert set(gaps(engine.starts["shared"])) == {60}


async def test_run_now_syncs_at_once_and_a_second_call_meanwhile_is_busy() -> None:
    time = VirtualTime()
    engine = FakeEngine(time, seconds=30)
    scheduler = scheduler_for(time, engine, source("jira"), periodic=False)

    first = asyncio.create_task(scheduler.run_now("jira", full=True))
    await settle()
    assert scheduler.is_syncing("jira")
    second = await scheduler.run_now("jira")
    await time.advance(30)

    assert second.status == "busy" and "already being synced" in (second.error or "")
    report = await first
    assert report.ok and report.full
    assert not scheduler.is_syncing("jira")
    assert engine.starts["jira"] == [0.0]


async def test_run_now_of_a_source_the_schedule_is_syncing_is_busy() -> None:
    time = VirtualTime()
    engine = FakeEngine(time, seconds=30)
    scheduler = scheduler_for(time, engine, source("jira"))
    async with scheduler.lifespan():
        await time.advance(10)
        assert (await scheduler.run_now("jira")).status == "busy"
    assert engine.starts["jira"] == [0.0]


async def test_the_schedule_skips_a_source_that_run_now_is_syncing() -> None:
    time = VirtualTime()
    engine = FakeEngine(time, seconds=50)
    scheduler = scheduler_for(time, engine, source("jira"), uniform=lambda low, high: high)
    async with scheduler.lifespan():
        manual = asyncio.create_task(scheduler.run_now("jira"))
        await time.advance(200)
        assert (await manual).ok

    assert engine.most_active["jira"] == 1
    assert engine.starts["jira"] == [0.0, 6.0 + 66.0, 6.0 + 2 * 66.0]


async def test_run_now_of_an_unknown_source_raises_not_found() -> None:
    scheduler = scheduler_for(VirtualTime(), FakeEngine(VirtualTime()), source("jira"))
    with pytest.raises(NotFound, match=r"no source named 'nope' \(configured: jira\)"):
        await scheduler.run_now("nope")


async def test_stopping_cancels_the_loops_and_a_sync_under_way() -> None:
    time = VirtualTime()
    engine = FakeEngine(time, seconds=1000)
    scheduler = scheduler_for(time, engine, source("a"), source("b"))
    async with scheduler.lifespan():
        await time.advance(10)
        assert scheduler.running and engine.active["a"] == 1
    assert not scheduler.running
    assert engine.active == {"a": 0, "b": 0}


async def test_a_scheduler_that_is_not_periodic_starts_no_loops() -> None:
    time = VirtualTime()
    engine = FakeEngine(time)
    async with scheduler_for(time, engine, source("a"), periodic=False).lifespan() as scheduler:
        await time.advance(600)
        assert not scheduler.running
    assert engine.starts == {}


async def test_concurrency_bounds_the_syncs_at_once() -> None:
    time = VirtualTime()
    engine = FakeEngine(time, seconds=10)
    scheduler = scheduler_for(time, engine, source("a"), source("b"), concurrency=1)
    async with scheduler.lifespan():
        await time.advance(30)
    assert engine.starts == {"a": [0.0], "b": [10.0]}


@pytest.mark.parametrize(
    ("every", "failures", "expected"),
    [(60, 0, 60), (60, 1, 120), (60, 3, 480), (60, 20, 6 * 3600), (86400, 2, 86400)],
)
def test_backoff_doubles_up_to_the_cap_but_never_below_the_interval(
    every: int, failures: int, expected: float
) -> None:
    assert backoff(timedelta(seconds=every), failures) == expected
