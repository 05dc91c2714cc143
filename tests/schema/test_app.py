from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import ApiConfig
from hub.contract.records import Level, StatusCategory
from hub.server.app import DEFAULT_API, create_app
from hub.storage.models import Source, WorkItem
from schema.extensions import is_unexpected
from schema.served import served_schema

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://j", created_at=NOW))
        await session.flush()
        session.add(
            WorkItem(
                id="jira:1",
                source_id=1,
                external_id="1",
                key="PAY-1",
                url="https://j/PAY-1",
                title="Checkout",
                level=Level.EPIC,
                status_name="Open",
                status_category=StatusCategory.TODO,
                created_at=NOW,
                updated_at=NOW,
                raw={},
                content_hash="h",
                synced_at=NOW,
                labels=[],
            )
        )
    transport = httpx.ASGITransport(app=create_app(sessions, require_token=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield http


async def post(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query})
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


async def test_healthz_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_graphql_over_http(client: httpx.AsyncClient) -> None:
    body = await post(client, '{ item(key: "PAY-1") { id title level source { name } } }')
    assert "errors" not in body
    assert body["data"]["item"] == {
        "id": "jira:1",
        "title": "Checkout",
        "level": "EPIC",
        "source": {"name": "jira"},
    }


async def test_a_too_deep_query_is_refused(client: httpx.AsyncClient) -> None:
    nested = "key"
    for _ in range(DEFAULT_API.max_depth + 1):
        nested = f"parent {{ {nested} }}"
    body = await post(client, f'{{ item(key: "PAY-1") {{ {nested} }} }}')
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(client: httpx.AsyncClient) -> None:
    aliases = " ".join(f'a{n}: item(key: "PAY-1") {{ key }}' for n in range(40))
    body = await post(client, f"{{ {aliases} }}")
    assert "aliases found" in body["errors"][0]["message"]


async def test_errors_raised_on_purpose_stay_readable(client: httpx.AsyncClient) -> None:
    body = await post(client, "{ items(first: 500) { edges { cursor } } }")
    assert "`first` must be between 0 and 100" in body["errors"][0]["message"]


def test_only_unexpected_errors_are_masked() -> None:
    assert is_unexpected(GraphQLError("boom", original_error=RuntimeError("db password=...")))
    assert not is_unexpected(GraphQLError("bad cursor", original_error=GraphQLError("bad")))
    assert not is_unexpected(GraphQLError("Cannot query field 'nope' on type 'Item'."))


async def test_graphiql_is_off_unless_asked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for graphiql, expected in ((False, 404), (True, 200)):
        transport = httpx.ASGITransport(app=create_app(sessions, graphiql=graphiql))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            response = await http.get("/graphql", headers={"accept": "text/html"})
        assert response.status_code == expected


# What the operator reads, and what production shows


async def test_an_invalid_document_is_logged_as_one_line_without_its_text(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret_looking = "X" * 5000
    document = f'{{ item(key: "{secret_looking}") {{ nope }} }}'
    with caplog.at_level(logging.DEBUG):
        body = await post(client, document)
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]
    graphql_records = [
        r for r in caplog.records if r.name.startswith(("hub.graphql", "strawberry"))
    ]
    assert len(graphql_records) == 1
    record = graphql_records[0]
    assert record.levelno < logging.WARNING
    assert record.exc_info is None
    line = record.getMessage()
    assert "\n" not in line and secret_looking not in line
    assert "Cannot query field 'nope' on type 'Item'" in line


def test_an_unexpected_error_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise RuntimeError("the database went away")
    except RuntimeError as exc:
        error = GraphQLError("the database went away", original_error=exc, path=["items"])
    with caplog.at_level(logging.INFO):
        served_schema(DEFAULT_API).process_errors([error])
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert record.getMessage() == "GraphQL error at items: the database went away"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("{ itemz }", None),
        (
            "query ($level: Level) { items(filter: {level: $level}) { edges { cursor } } }",
            {"level": "EPC"},
        ),
    ],
)
async def test_production_suggests_no_names(
    sessions: async_sessionmaker[AsyncSession], document: str, variables: dict[str, str] | None
) -> None:
    messages = {}
    for production in (False, True):
        app = create_app(sessions, require_token=False, api=ApiConfig(production=production))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            response = await http.post("/graphql", json={"query": document, "variables": variables})
        messages[production] = response.json()["errors"][0]["message"]
    assert "Did you mean" in messages[False]
    assert "Did you mean" not in messages[True]
    assert messages[True] == messages[False].partition(" Did you mean")[0]


TWO_OPERATIONS = 'query A { item(key: "PAY-1") { key } } query B { item(key: "PAY-1") { title } }'


async def test_several_operations_without_an_operation_name_are_refused(
    client: httpx.AsyncClient,
) -> None:
    body = await post(client, TWO_OPERATIONS)
    assert body["data"] is None
    assert "send `operationName`" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_NAME_REQUIRED"
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "B"})
    assert response.json() == {"data": {"item": {"title": "Checkout"}}}
