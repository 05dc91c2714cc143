"""Sources, their sync runs and the ``syncSource`` mutation, over the schema and over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import Batch
from hub.contract.config import HubConfig, SourceConfig
from hub.contract.records import ItemRecord
from hub.runner import build_app
from hub.storage.models import Source, SyncRun
from hub.storage.tokens import create_token
from hub.sync import SyncEngine
from hub.sync.scheduler import Scheduler
from schema import get_context, schema
from tests.sync.fakes import FakeConnector, item

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def jira_source(name: str = "jira", every: str = "15m") -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "name": name,
            "kind": "jira",
            "base_url": "https://jira.example",
            "projects": ["PAY"],
            "token_env": "JIRA_TOKEN",
            "email_env": "JIRA_EMAIL",
            "every": every,
        }
    ).model_copy(update={"token": SecretStr("t"), "email": SecretStr("a@b.c")})


class BlockingConnector(FakeConnector):
    """Holds its first page until ``release`` is set, so that a sync stays under way."""

    release = asyncio.Event()

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        await self.release.wait()
        async for page in super().batches(stream, cursor):
            yield page


def scheduler_with(
    sessions: async_sessionmaker[AsyncSession],
    items: Sequence[ItemRecord],
    *sources: SourceConfig,
    connector: type[FakeConnector] = FakeConnector,
    **options: Any,
) -> Scheduler:
    engine = SyncEngine(
        sessions,
        connector_factory=lambda source, transport=None: connector(source, items, **options),
    )
    return Scheduler(engine, sources or (jira_source(),), periodic=False)


async def execute(
    sessions: async_sessionmaker[AsyncSession],
    query: str,
    scheduler: Scheduler | None = None,
    **variables: Any,
) -> dict[str, Any]:
    config = HubConfig(sources=scheduler.sources) if scheduler is not None else HubConfig()
    context = get_context(sessions, config=config, syncs=scheduler)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def store_runs(sessions: async_sessionmaker[AsyncSession]) -> None:
    """jira: failed then succeeded; github: succeeded then running; linear: never ran."""
    async with sessions() as session, session.begin():
        for source_id, name in enumerate(("jira", "github", "linear", "hub"), start=1):
            session.add(
                Source(
                    id=source_id, name=name, kind=name, base_url=f"https://{name}", created_at=NOW
                )
            )
        await session.flush()
        for run_id, source_id, status, error in (
            (1, 1, "failed", "jira: the tracker answered 401"),
            (2, 2, "succeeded", None),
            (3, 1, "succeeded", None),
            (4, 2, "running", None),
        ):
            session.add(
                SyncRun(
                    id=run_id,
                    source_id=source_id,
                    status=status,
                    full=run_id == 1,
                    started_at=NOW + timedelta(minutes=run_id),
                    finished_at=None
                    if status == "running"
                    else NOW + timedelta(minutes=run_id, seconds=30),
                    fetched=10 * run_id,
                    created=run_id,
                    requests=run_id + 1,
                    error=error,
                )
            )


SOURCES = "{ sources { name kind baseUrl every health lastRun { id status } } }"


async def test_sources_with_health_from_their_newest_run(sessions) -> None:
    await store_runs(sessions)
    configured = Scheduler(
        SyncEngine(sessions), [jira_source(every="15m"), jira_source("jira-new", every="1h")]
    )
    data = await execute(sessions, SOURCES, configured)

    assert data["sources"] == [
        {"name": "github", "kind": "github", "baseUrl": "https://github", "every": None,
         "health": "SYNCING", "lastRun": {"id": "4", "status": "running"}},
        {"name": "jira", "kind": "jira", "baseUrl": "https://jira", "every": 900,
         "health": "OK", "lastRun": {"id": "3", "status": "succeeded"}},
        {"name": "jira-new", "kind": "jira", "baseUrl": "https://jira.example", "every": 3600,
         "health": "NEVER_SYNCED", "lastRun": None},
        {"name": "linear", "kind": "linear", "baseUrl": "https://linear", "every": None,
         "health": "NEVER_SYNCED", "lastRun": None},
    ]  # fmt: skip


async def test_a_source_whose_newest_run_failed_is_failing(sessions) -> None:
    await store_runs(sessions)
    async with sessions() as session, session.begin():
        session.add(SyncRun(id=5, source_id=3, status="failed", started_at=NOW, error="boom"))
    data = await execute(sessions, "{ sources { name health } }")
    assert {s["name"]: s["health"] for s in data["sources"]}["linear"] == "FAILING"


async def test_sources_cost_the_same_statements_however_many_there_are(
    sessions, count_statements
) -> None:
    await store_runs(sessions)
    with count_statements() as counter:
        data = await execute(sessions, SOURCES)
    assert len(data["sources"]) == 3
    assert counter.count == 2


async def test_sync_runs_newest_first_of_all_or_one_source(sessions) -> None:
    await store_runs(sessions)
    everything = await execute(sessions, "{ syncRuns { id source status } }")
    assert [(r["id"], r["source"]) for r in everything["syncRuns"]] == [
        ("4", "github"), ("3", "jira"), ("2", "github"), ("1", "jira"),
    ]  # fmt: skip

    query = """query ($source: String, $first: Int!) {
      syncRuns(source: $source, first: $first) {
        id source status full startedAt finishedAt fetched created updated unchanged
        deleted skipped requests retries error
      }
    }"""
    (run,) = (await execute(sessions, query, source="jira", first=1))["syncRuns"]
    assert run == {
        "id": "3", "source": "jira", "status": "succeeded", "full": False,
        "startedAt": "2026-03-01T12:03:00+00:00", "finishedAt": "2026-03-01T12:03:30+00:00",
        "fetched": 30, "created": 3, "updated": 0, "unchanged": 0, "deleted": 0, "skipped": 0,
        "requests": 4, "retries": 0, "error": None,
    }  # fmt: skip
    assert (await execute(sessions, query, source="nope", first=5))["syncRuns"] == []


async def test_sync_runs_refuse_a_page_too_large(sessions) -> None:
    result = await schema.execute(
        "{ syncRuns(first: 1000) { id } }", context_value=get_context(sessions)
    )
    assert result.errors and "`first` must be between 0 and 100" in result.errors[0].message


SYNC = """mutation ($name: String!, $full: Boolean) {
  syncSource(name: $name, full: $full) {
    __typename
    ... on SyncSourceProblem { message }
    ... on SyncRun { source status full fetched created updated error }
  }
}"""


async def test_sync_source_without_a_scheduler_is_unavailable(sessions) -> None:
    data = await execute(sessions, SYNC, name="jira")
    assert data["syncSource"]["__typename"] == "SyncUnavailable"
    assert "does not run syncs" in data["syncSource"]["message"]


async def test_sync_source_of_an_unknown_source(sessions) -> None:
    data = await execute(sessions, SYNC, scheduler_with(sessions, []), name="nope")
    assert data["syncSource"] == {
        "__typename": "UnknownSource",
        "message": "no source named 'nope' (configured: jira)",
    }


async def test_sync_source_runs_a_real_sync_and_answers_with_its_run(sessions) -> None:
    scheduler = scheduler_with(sessions, [item(1), item(2), item(3)])
    data = await execute(sessions, SYNC, scheduler, name="jira", full=True)
    assert data["syncSource"] == {
        "__typename": "SyncRun",
        "source": "jira",
        "status": "succeeded",
        "full": True,
        "fetched": 3,
        "created": 3,
        "updated": 0,
        "error": None,
    }
    again = await execute(sessions, SYNC, scheduler, name="jira")
    assert again["syncSource"]["status"] == "succeeded" and again["syncSource"]["created"] == 0
    sources = await execute(sessions, "{ sources { name health } }", scheduler)
    assert sources["sources"] == [{"name": "jira", "health": "OK"}]


async def test_a_sync_that_fails_is_a_run_with_its_error(sessions) -> None:
    scheduler = scheduler_with(sessions, [item(1), item(2), item(3)], fail_after_batches=1)
    data = await execute(sessions, SYNC, scheduler, name="jira")
    assert data["syncSource"]["__typename"] == "SyncRun"
    assert data["syncSource"]["status"] == "failed"
    assert data["syncSource"]["error"] == "jira: the tracker answered 401"
    health = await execute(sessions, "{ sources { health } }", scheduler)
    assert health["sources"] == [{"health": "FAILING"}]


async def test_sync_source_of_a_source_under_way_is_busy(sessions) -> None:
    BlockingConnector.release = asyncio.Event()
    scheduler = scheduler_with(sessions, [item(1)], connector=BlockingConnector)
    first = asyncio.create_task(scheduler.run_now("jira"))
    await asyncio.sleep(0)
    try:
        data = await execute(sessions, SYNC, scheduler, name="jira")
        assert data["syncSource"]["__typename"] == "SyncBusy"
        assert "already being synced" in data["syncSource"]["message"]
        health = await execute(sessions, "{ sources { health } }", scheduler)
        assert health["sources"] == [{"health": "SYNCING"}]
    finally:
        BlockingConnector.release.set()
        assert (await first).ok


def hub_config() -> HubConfig:
    return HubConfig(sources=(jira_source(every="1d"),))


async def test_serve_starts_the_scheduler_with_the_app_and_stops_it_after(sessions) -> None:
    app = build_app(hub_config(), sessions, graphiql=False)
    scheduler = app.state.scheduler
    assert isinstance(scheduler, Scheduler) and not scheduler.running
    async with app.router.lifespan_context(app):
        assert scheduler.running
    assert not scheduler.running


async def test_serve_without_schedule_syncs_only_on_demand(sessions) -> None:
    app = build_app(hub_config(), sessions, graphiql=False, schedule=False)
    token = await create_token(sessions, "reader", "read")
    async with app.router.lifespan_context(app):
        assert not app.state.scheduler.running
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            response = await http.post(
                "/graphql", json={"query": SOURCES}, headers={"Authorization": f"Bearer {token}"}
            )
    assert response.json()["data"]["sources"] == [
        {"name": "jira", "kind": "jira", "baseUrl": "https://jira.example", "every": 86400,
         "health": "NEVER_SYNCED", "lastRun": None}
    ]  # fmt: skip


async def test_sync_source_over_http(sessions) -> None:
    from hub.server.app import create_app

    scheduler = scheduler_with(sessions, [item(1), item(2)])
    app = create_app(
        sessions,
        config=HubConfig(sources=scheduler.sources),
        scheduler=scheduler,
        require_token=False,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            response = await http.post(
                "/graphql", json={"query": SYNC, "variables": {"name": "jira"}}
            )
    assert response.json()["data"]["syncSource"]["fetched"] == 2


async def test_a_mutation_is_refused_over_get(sessions) -> None:
    from hub.server.app import create_app

    app = create_app(sessions, scheduler=scheduler_with(sessions, []), require_token=False)
    transport = httpx.ASGITransport(app=app)
    query = 'mutation { syncSource(name: "jira") { __typename } }'
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        response = await http.get("/graphql", params={"query": query})
    assert response.status_code == 400
    assert "mutations are not allowed" in response.text.lower()
