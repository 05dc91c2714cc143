"""Every fault a tracker or the network produces, injected by the simulators over real HTTP:
the sync survives it, or stops cleanly and resumes; nothing is lost or duplicated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.github import GitHubConnector
from connectors.http.retry import RetryPolicy
from connectors.jira import JiraConnector
from connectors.linear import LinearConnector
from hub.contract.config import SourceConfig
from hub.demo import DEMO_TOKEN, JIRA_EMAIL, LINEAR_KEY, demo_sources
from hub.storage.models import Source, WorkItem
from hub.sync import SyncEngine
from simulators import (
    build_demo_world,
    create_github_app,
    create_jira_app,
    create_linear_app,
    serve,
)
from simulators.faults import Faults

ITEMS = 240
FAST = RetryPolicy(attempts=10, backoff_max=0.02, wait_max=5.0)
CONNECTORS: dict[str, Any] = {
    "jira": JiraConnector,
    "github": GitHubConnector,
    "linear": LinearConnector,
}


@contextmanager
def tracker(
    kind: str, faults: Faults | None, world: Any = None
) -> Iterator[tuple[Any, SourceConfig]]:
    """One simulated tracker of a small demo world (or `world`) with `faults`; its source."""
    world = world or build_demo_world(ITEMS, seed=1)
    app = {
        "jira": lambda: create_jira_app(
            world.jira, email=JIRA_EMAIL, token=DEMO_TOKEN, faults=faults
        ),
        "github": lambda: create_github_app(world.github, token=DEMO_TOKEN, faults=faults),
        "linear": lambda: create_linear_app(world.linear, api_key=LINEAR_KEY, faults=faults),
    }[kind]()
    with serve(app) as url:
        (source,) = [
            s for s in demo_sources(dict.fromkeys(CONNECTORS, url), world) if s.kind == kind
        ]
        yield world, source.model_copy(update={"page_size": 20})


def fast_engine(sessions) -> SyncEngine:
    def factory(source: SourceConfig, transport: object = None) -> Any:
        return CONNECTORS[source.kind](source, policy=FAST)

    return SyncEngine(sessions, connector_factory=factory)


def expected_count(world: Any, kind: str) -> int:
    if kind == "jira":
        return len(world.jira)
    if kind == "github":
        return sum(1 for row in world.github if not row.is_pull)
    linear = world.linear
    return len(linear.issues) + len(linear.projects) + len(linear.initiatives)


async def stored(sessions, kind: str) -> tuple[int, int]:
    async with sessions() as session:
        total = await session.scalar(
            select(func.count()).select_from(WorkItem).join(Source).where(Source.kind == kind)
        )
        distinct = await session.scalar(
            select(func.count(func.distinct(WorkItem.external_id)))
            .join(Source)
            .where(Source.kind == kind)
        )
    return total, distinct


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
async def test_errors_drops_and_broken_bodies_are_retried_until_everything_is_stored(
    sessions, kind
) -> None:
    faults = Faults(error_rate=0.15, drop_rate=0.1, truncate_rate=0.05, malformed_rate=0.05, seed=3)
    with tracker(kind, faults) as (world, source):
        report = await fast_engine(sessions).sync(source)
    assert report.ok, report.error
    assert report.retries > 0
    total, distinct = await stored(sessions, kind)
    assert total == distinct == expected_count(world, kind) == report.counts.created


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
async def test_rate_limits_are_waited_out_as_the_tracker_asks(sessions, kind) -> None:
    faults = Faults(rate_limit_after=2, rate_limit_for=2, retry_after=0.3, seed=1)
    with tracker(kind, faults) as (world, source):
        engine = fast_engine(sessions)
        report = await engine.sync(source)
    assert report.ok, report.error
    assert report.retries == 2
    assert report.stats is not None and report.stats.waited >= 0.6
    total, _ = await stored(sessions, kind)
    assert total == expected_count(world, kind)


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
async def test_a_page_token_returned_twice_stops_the_sync_and_a_clean_run_completes_it(
    sessions, kind
) -> None:
    with tracker(kind, Faults(repeat_page_token=True)) as (world, source):
        broken = await fast_engine(sessions).sync(source)
    assert broken.status == "failed" and "to avoid a loop" in (broken.error or "")
    with tracker(kind, None) as (world, source):
        report = await fast_engine(sessions).sync(source)
    assert report.ok, report.error
    total, distinct = await stored(sessions, kind)
    assert total == distinct == expected_count(world, kind)


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
async def test_items_updated_while_paging_are_all_stored_by_the_next_sync(sessions, kind) -> None:
    """Listings ordered oldest first (Jira, GitHub) meet moved items again in the same pass;
    Linear lists newest first, so its next sync, once the edits stop, picks them up."""
    with tracker(kind, Faults(mutate_while_paging=3, seed=2)) as (world, source):
        first = await fast_engine(sessions).sync(source)
    with tracker(kind, None, world) as (world, source):
        second = await fast_engine(sessions).sync(source)
    assert first.ok and second.ok, (first.error, second.error)
    total, distinct = await stored(sessions, kind)
    assert total == distinct == expected_count(world, kind)
    assert second.counts.updated > 0
