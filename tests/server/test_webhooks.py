"""``POST /webhooks/{source}``: verified on the raw body under a size limit, recorded before
the answer, a redelivery ignored, and every refusal changing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import ApiConfig, HubConfig
from hub.server.app import create_app
from hub.storage.models import Source, WebhookDelivery, WorkItem
from hub.sync import SyncEngine
from hub.sync.webhooks import WebhookApplier
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, item
from tests.sync.webhook_fakes import (
    HOOKED,
    SECRET,
    SECRET_ENV,
    SIGNATURE,
    Handlers,
    TrackerConnector,
    delivery,
    sign,
    signed_headers,
)

LIMIT = 4096


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Handlers:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    fakes = Handlers()
    fakes.install(monkeypatch)
    return fakes


@pytest.fixture
def tracker() -> dict[str, object]:
    return {"1": item(1, title="Now in the tracker")}


@pytest.fixture
def applier(sessions: async_sessionmaker[AsyncSession], tracker) -> WebhookApplier:
    connector = TrackerConnector(HOOKED, tracker)
    engine = SyncEngine(sessions, connector_factory=lambda _source, transport=None: connector)
    return WebhookApplier(engine, [HOOKED])


CONFIG = HubConfig(
    sources=(HOOKED, SOURCE.model_copy(update={"name": "quiet"})),
    api=ApiConfig(max_webhook_bytes=LIMIT),
)
"""A source receiving webhooks, and one whose config names no secret."""


@pytest.fixture
async def client(
    sessions: async_sessionmaker[AsyncSession], handlers: Handlers, applier: WebhookApplier
) -> AsyncIterator[httpx.AsyncClient]:
    """The hub as ``hub serve`` builds it (tokens required), its applier not running."""
    app = create_app(sessions, config=CONFIG, webhooks=applier, api=CONFIG.api)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield http


async def post(client: httpx.AsyncClient, body: bytes, **headers: str) -> httpx.Response:
    return await client.post(
        "/webhooks/jira", content=body, headers={**signed_headers(body), **headers}
    )


async def deliveries(stored: StoredRows) -> list[tuple[str, str, list[str]]]:
    rows = await stored.rows(
        select(WebhookDelivery.delivery_id, WebhookDelivery.status, WebhookDelivery.refs)
    )
    return [(d, s, r) for d, s, r in rows]


async def test_a_signed_delivery_is_recorded_before_it_is_answered_then_applied(
    client: httpx.AsyncClient, stored: StoredRows, applier: WebhookApplier, graphql
) -> None:
    response = await post(client, delivery("d-1", refs=["1"]))

    assert response.status_code == 202, response.text
    assert response.json() == {"delivery": "d-1", "status": "accepted"}
    assert await deliveries(stored) == [("d-1", "pending", ["1"])]
    assert await stored.count(WorkItem) == 0  # no tracker call before the answer
    assert applier._wake.is_set()

    assert await applier.apply_due() == 1
    data = await graphql('{ item(key: "PAY-1") { title } }')
    assert data["item"]["title"] == "Now in the tracker"
    assert await deliveries(stored) == [("d-1", "applied", ["1"])]


async def test_webhooks_need_no_api_token_but_graphql_still_does(
    client: httpx.AsyncClient,
) -> None:
    assert (await post(client, delivery("d-1", refs=["1"]))).status_code == 202
    assert (await client.post("/graphql", json={"query": "{ __typename }"})).status_code == 401


async def test_verify_gets_the_raw_bytes_the_lower_cased_headers_and_the_secret(
    client: httpx.AsyncClient, handlers: Handlers
) -> None:
    body = b'{"id": "d-1",   "refs": ["1"]}'  # spacing a re-serialization would lose
    await client.post(
        "/webhooks/jira", content=body, headers={"X-Test-Signature": sign(body), "X-Event": "e"}
    )

    [(headers, raw, secret, now)] = handlers.verified
    assert raw == body
    assert secret == SECRET.encode()
    assert headers[SIGNATURE] == sign(body) and headers["x-event"] == "e"
    assert abs((datetime.now(UTC) - now).total_seconds()) < 60


@pytest.mark.parametrize(
    "headers",
    [
        {SIGNATURE: sign(delivery("d-1", refs=["1"]), "a wrong secret")},
        {SIGNATURE: sign(delivery("d-1", refs=["1"]))[:-1] + "0"},
        {SIGNATURE: ""},
    ],
    ids=["wrong secret", "altered signature", "empty signature"],
)
async def test_a_bad_signature_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, stored: StoredRows, handlers: Handlers, headers
) -> None:
    response = await post(client, delivery("d-1", refs=["1"]), **headers)

    assert response.status_code == 401
    assert SECRET not in response.text
    assert handlers.parsed == 0  # verified before anything is parsed
    assert await stored.count(WebhookDelivery) == 0
    assert await stored.count(Source) == 0


async def test_a_flipped_bit_in_the_body_is_refused(
    client: httpx.AsyncClient, stored: StoredRows
) -> None:
    body = delivery("d-1", refs=["1"])
    flipped = bytes([body[0] ^ 1]) + body[1:]
    response = await client.post("/webhooks/jira", content=flipped, headers={SIGNATURE: sign(body)})

    assert response.status_code == 401
    assert await stored.count(WebhookDelivery) == 0


async def test_a_missing_signature_is_refused(
    client: httpx.AsyncClient, stored: StoredRows
) -> None:
    response = await client.post("/webhooks/jira", content=delivery("d-1", refs=["1"]))

    assert response.status_code == 401
    assert await stored.count(WebhookDelivery) == 0


@pytest.mark.parametrize("source", ["nowhere", "quiet"], ids=["unknown", "without a secret"])
async def test_a_source_without_webhooks_is_404_before_the_body_is_read(
    client: httpx.AsyncClient, stored: StoredRows, handlers: Handlers, source
) -> None:
    body = delivery("d-1", refs=["1"])
    response = await client.post(f"/webhooks/{source}", content=body, headers=signed_headers(body))

    assert response.status_code == 404
    assert f"'{source}'" in response.json()["errors"][0]["message"]
    assert handlers.verified == []
    assert await stored.count(WebhookDelivery) == 0


async def test_a_secret_not_set_is_503_and_names_no_variable(
    client: httpx.AsyncClient, stored: StoredRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV)
    response = await post(client, delivery("d-1", refs=["1"]))

    assert response.status_code == 503
    assert SECRET_ENV not in response.text
    assert await stored.count(WebhookDelivery) == 0


async def test_a_body_over_the_limit_is_413_with_or_without_its_length(
    client: httpx.AsyncClient, stored: StoredRows, handlers: Handlers
) -> None:
    body = delivery("d-1", refs=["1"], padding="x" * LIMIT)
    declared = await post(client, body)

    sent: list[int] = []

    async def streamed() -> AsyncIterator[bytes]:
        for start in range(0, len(body) * 10, 1024):  # ten times the body, if all were read
            sent.append(start)
            yield body[:1024]

    undeclared = await client.post(
        "/webhooks/jira", content=streamed(), headers=signed_headers(body)
    )

    assert declared.status_code == undeclared.status_code == 413
    assert len(sent) <= LIMIT // 1024 + 2  # refused as the limit passed, not after the end
    assert "max_webhook_bytes" in declared.json()["errors"][0]["message"]
    assert handlers.verified == []
    assert await stored.count(WebhookDelivery) == 0


async def test_a_redelivery_is_answered_200_and_changes_nothing(
    client: httpx.AsyncClient, stored: StoredRows, applier: WebhookApplier
) -> None:
    assert (await post(client, delivery("d-1", refs=["1"]))).status_code == 202
    await applier.apply_due()
    applier._wake.clear()

    again = await post(client, delivery("d-1", refs=["2"]))

    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert await deliveries(stored) == [("d-1", "applied", ["1"])]
    assert not applier._wake.is_set()


async def test_an_event_with_nothing_to_read_is_recorded_ignored(
    client: httpx.AsyncClient, stored: StoredRows, applier: WebhookApplier
) -> None:
    response = await post(client, delivery("ping-1", event="ping"))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert await deliveries(stored) == [("ping-1", "ignored", [])]
    assert not applier._wake.is_set()
    assert await applier.apply_due() == 0


async def test_the_first_delivery_of_a_source_never_synced_registers_it(
    client: httpx.AsyncClient, stored: StoredRows
) -> None:
    await post(client, delivery("d-1", refs=["1"]))

    [source] = [s for s in await stored.all(Source) if s.name != "hub"]
    assert (source.name, source.kind) == ("jira", "jira")
    [row] = await stored.all(WebhookDelivery)
    assert row.source_id == source.id


@pytest.mark.parametrize(
    "body",
    [b"not json", delivery("x" * 201, refs=["1"]), delivery("d-1", refs=["PAY\x00-1"])],
    ids=["unreadable", "delivery id too long", "NUL in a ref"],
)
async def test_a_signed_delivery_that_cannot_be_stored_is_400(
    client: httpx.AsyncClient, stored: StoredRows, body
) -> None:
    response = await post(client, body)

    assert response.status_code == 400, response.text
    assert await stored.count(WebhookDelivery) == 0


async def test_only_post_is_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/webhooks/jira")).status_code == 405
