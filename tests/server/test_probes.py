"""``/readyz`` and ``/metrics``: ready only on a current database, never naming its URL; the
metrics of syncs, webhooks and GraphQL operations, each app counting in its own registry."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.contract.config import HubConfig
from hub.server.app import create_app
from hub.storage.database import create_engine, session_factory
from hub.sync import SyncEngine
from hub.sync.metrics import MAX_OPERATION_NAME, HubMetrics, OperationNames
from hub.sync.webhooks import WebhookApplier
from tests.sync.fakes import SOURCE, FakeConnector, item
from tests.sync.webhook_fakes import (
    HOOKED,
    SECRET,
    SECRET_ENV,
    Handlers,
    TrackerConnector,
    delivery,
    signed_headers,
)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def get(app: Starlette, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        return await http.get(path)


async def scraped(app: Starlette) -> Samples:
    """Every sample of ``/metrics``, parsed as Prometheus parses it."""
    response = await get(app, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def test_ready_on_a_migrated_database(sessions: async_sessionmaker[AsyncSession]) -> None:
    response = await get(create_app(sessions), "/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_not_ready_while_migrations_are_pending(tmp_path: Path) -> None:
    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'never-upgraded.db'}")
    try:
        response = await get(create_app(session_factory(fresh)), "/readyz")
    finally:
        await fresh.dispose()

    assert response.status_code == 503
    assert "hub db upgrade" in response.json()["reason"]
    assert "never-upgraded" not in response.text


async def test_not_ready_when_the_database_does_not_answer_and_its_url_is_not_told() -> None:
    url = "postgresql+asyncpg://hub:s3cret-pw@127.0.0.1:1/hubdb"  # nothing listens on port 1
    away = create_engine(url)
    try:
        response = await get(create_app(session_factory(away)), "/readyz")
    finally:
        await away.dispose()

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "does not answer" in response.json()["reason"]
    for part in ("s3cret-pw", "127.0.0.1", "hubdb", "postgresql"):
        assert part not in response.text


async def test_probes_and_metrics_need_no_token(sessions: async_sessionmaker[AsyncSession]) -> None:
    app = create_app(sessions, metrics=HubMetrics())  # tokens required, as `hub serve` builds
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await get(app, path)).status_code == 200, path


async def test_a_sync_shows_in_the_metrics_of_its_source(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    metrics = HubMetrics()
    connector = FakeConnector(SOURCE, [item(1), item(2), item(3)])
    engine = SyncEngine(
        sessions, connector_factory=lambda _source, transport=None: connector, metrics=metrics
    )
    report = await engine.sync(SOURCE)
    assert report.ok and report.requests > 0

    samples = await scraped(create_app(sessions, metrics=metrics))

    jira = {"source": "jira"}
    assert sample(samples, "hub_sync_runs_total", status="succeeded", **jira) == 1
    assert sample(samples, "hub_sync_duration_seconds_count", **jira) == 1
    assert sample(samples, "hub_sync_items_total", change="fetched", **jira) == 3
    assert sample(samples, "hub_sync_items_total", change="created", **jira) == 3
    assert sample(samples, "hub_sync_items_total", change="updated", **jira) == 0
    assert sample(samples, "hub_tracker_requests_total", **jira) == report.requests
    assert sample(samples, "hub_tracker_retries_total", **jira) == 0
    # Another app's registry saw none of it.
    assert (
        sample(
            await scraped(create_app(sessions, metrics=HubMetrics())),
            "hub_sync_runs_total",
            status="succeeded",
            **jira,
        )
        is None
    )


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Handlers:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    fakes = Handlers()
    fakes.install(monkeypatch)
    return fakes


async def test_a_webhook_delivery_moves_the_webhook_metrics(
    sessions: async_sessionmaker[AsyncSession], handlers: Handlers
) -> None:
    metrics = HubMetrics()
    connector = TrackerConnector(HOOKED, {"1": item(1, title="Now")})
    engine = SyncEngine(
        sessions, connector_factory=lambda _source, transport=None: connector, metrics=metrics
    )
    applier = WebhookApplier(engine, [HOOKED])
    app = create_app(
        sessions, config=HubConfig(sources=(HOOKED,)), webhooks=applier, metrics=metrics
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        body = delivery("d-1", refs=["1"])
        assert (
            await http.post("/webhooks/jira", content=body, headers=signed_headers(body))
        ).status_code == 202
        assert (
            await http.post("/webhooks/jira", content=body, headers=signed_headers(body))
        ).status_code == 200
        assert (
            await http.post(
                "/webhooks/jira", content=body, headers={"content-type": "application/json"}
            )
        ).status_code != 202
        assert (await http.post("/webhooks/nowhere-0", content=body)).status_code == 404
        assert (await http.post("/webhooks/nowhere-1", content=body)).status_code == 404

    waiting = await scraped(app)
    assert sample(waiting, "hub_webhook_queue_depth") == 1
    assert sample(waiting, "hub_webhook_lag_seconds_count", source="jira") is None

    assert await applier.apply_due() == 1
    samples = await scraped(app)

    def received(source: str, outcome: str) -> float | None:
        return sample(samples, "hub_webhook_deliveries_total", source=source, outcome=outcome)

    assert received("jira", "accepted") == 1
    assert received("jira", "duplicate") == 1
    assert received("jira", "refused") == 1
    assert received("unknown", "not_found") == 2  # the names asked for are not labels
    assert sample(samples, "hub_webhook_lag_seconds_count", source="jira") == 1
    assert sample(samples, "hub_webhook_queue_depth") == 0


async def test_graphql_latency_is_labelled_by_operation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    metrics = HubMetrics()
    app = create_app(sessions, require_token=False, metrics=metrics)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        for query in ("query Roadmap { sources { name } }", "{ sources { name } }"):
            assert (await http.post("/graphql", json={"query": query})).status_code == 200
        long_name = "Q" * (MAX_OPERATION_NAME + 1)
        await http.post("/graphql", json={"query": f"query {long_name} {{ sources {{ name }} }}"})

    samples = await scraped(app)

    def count(operation: str) -> float | None:
        return sample(samples, "hub_graphql_request_duration_seconds_count", operation=operation)

    assert count("Roadmap") == 1
    assert count("anonymous") == 1
    assert count("other") == 1
    assert count(long_name) is None


def test_operation_names_beyond_the_limit_count_as_other() -> None:
    names = OperationNames(limit=2)

    labels = [names.label(name) for name in ("A", "B", "C", "A", None, "")]

    assert labels == ["A", "B", "other", "A", "anonymous", "anonymous"]
