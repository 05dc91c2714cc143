"""The API under abuse: tokens, scopes, limits on size, depth, aliases, cost and introspection."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx
import pytest
import strawberry
from graphql import build_schema, parse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import ApiConfig, HubConfig
from hub.contract.errors import ConfigError
from hub.runner import build_app
from hub.server.app import DEFAULT_API, create_app
from hub.storage.tokens import create_token, revoke_token
from schema import create_schema, get_context, schema
from schema.cost import UNPAGED_LIST_SIZE, QueryComplexityLimiter, estimate_cost

ITEMS = "{ items(first: 1) { edges { cursor } } }"
SYNC = 'mutation { syncSource(name: "jira") { __typename } }'


def client_of(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def tokens(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    return {
        "read": await create_token(sessions, "reader", "read"),
        "write": await create_token(sessions, "writer", "write"),
    }


@pytest.fixture
async def http(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(create_app(sessions)) as client:
        yield client


async def query(http: httpx.AsyncClient, token: str, text: str, **variables: Any) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": text, "variables": variables}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refusal(body: dict[str, Any]) -> str:
    assert body.get("data") is None, body
    return str(body["errors"][0]["message"])


# Tokens and scopes


async def test_a_request_without_a_token_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": ITEMS})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "authentication required" in refusal(response.json())
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_query_in_the_url_needs_a_token_too(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": ITEMS})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer thub_not-a-token", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "],
)
async def test_a_wrong_token_is_refused_and_never_echoed(
    http: httpx.AsyncClient, header: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await http.post("/graphql", json={"query": ITEMS}, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    secret = header.partition(" ")[2]
    if secret:
        assert secret not in response.text and secret not in caplog.text


async def test_a_revoked_token_is_refused(
    http: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], tokens: dict[str, str]
) -> None:
    assert "errors" not in await query(http, tokens["read"], ITEMS)
    assert await revoke_token(sessions, "reader")
    response = await http.post("/graphql", json={"query": ITEMS}, headers=bearer(tokens["read"]))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert "revoked" in refusal(response.json())


async def test_a_read_token_may_not_run_a_mutation(
    http: httpx.AsyncClient, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await http.post("/graphql", json={"query": SYNC}, headers=bearer(tokens["read"]))
    assert response.status_code == 403
    message = refusal(response.json())
    assert "token 'reader' is read-only" in message and "--scope write" in message
    assert tokens["read"] not in response.text and tokens["read"] not in caplog.text


async def test_a_write_token_may(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    body = await query(http, tokens["write"], SYNC)
    assert body["data"]["syncSource"]["__typename"] == "SyncUnavailable"


async def test_healthz_needs_no_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).status_code == 200


async def test_hub_serve_requires_a_token(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with client_of(build_app(HubConfig(), sessions, graphiql=False)) as client:
        response = await client.post("/graphql", json={"query": ITEMS})
    assert response.status_code == 401


async def test_the_demo_needs_no_token(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with client_of(create_app(sessions, graphiql=True, require_token=False)) as client:
        response = await client.post("/graphql", json={"query": ITEMS})
    assert response.status_code == 200 and "errors" not in response.json()


# Abusive documents


async def test_depth_50_is_refused(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    nested = "key"
    for _ in range(50):
        nested = f"parent {{ {nested} }}"
    body = await query(http, tokens["read"], f'{{ item(key: "PAY-1") {{ {nested} }} }}')
    assert f"exceeds maximum operation depth of {DEFAULT_API.max_depth}" in refusal(body)


async def test_three_hundred_aliases_are_refused(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(300))
    body = await query(http, tokens["read"], f"{{ {aliases} }}")
    assert f"300 aliases found. Allowed: {DEFAULT_API.max_aliases}" in refusal(body)


async def test_circular_fragments_are_refused(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    text = """
        { item(key: "PAY-1") { ...A } }
        fragment A on Item { parent { ...B } }
        fragment B on Item { parent { ...A } }
    """
    assert "Cannot spread fragment 'A' within itself" in refusal(
        await query(http, tokens["read"], text)
    )


async def test_a_huge_first_is_refused_before_it_runs(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    literal = "{ items(first: 100000) { edges { node { key } } } }"
    assert "query is too complex" in refusal(await query(http, tokens["read"], literal))
    by_variable = "query($n: Int!) { items(first: $n) { edges { node { key } } } }"
    assert "query is too complex" in refusal(
        await query(http, tokens["read"], by_variable, n=100000)
    )


async def test_a_too_complex_query_is_refused(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    text = "{ items(first: 100) { edges { node { children { children { children { key } } } } } } }"
    message = refusal(await query(http, tokens["read"], text))
    assert "estimated cost 111301 is over the limit of 50000" in message


async def test_a_document_with_too_many_tokens_is_refused(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    text = "{ " + "__typename " * 6000 + "}"
    assert "token" in refusal(await query(http, tokens["read"], text)).lower()


async def test_a_megabyte_document_gets_413_before_parsing(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    text = "{ " + "__typename " * 100_000 + "}"
    response = await http.post("/graphql", json={"query": text}, headers=bearer(tokens["read"]))
    assert response.status_code == 413
    assert "larger than 262144 bytes" in refusal(response.json())


async def test_a_streamed_body_is_counted_as_it_arrives(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ '
        for _ in range(400):
            yield b"__typename " * 100
        yield b'}"}'

    headers = {**bearer(tokens["read"]), "content-type": "application/json"}
    response = await http.post("/graphql", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_the_body_limit_comes_from_the_config(
    sessions: async_sessionmaker[AsyncSession], tokens: dict[str, str]
) -> None:
    app = create_app(sessions, api=ApiConfig(max_body_bytes=1024))
    async with client_of(app) as client:
        small = await client.post("/graphql", json={"query": ITEMS}, headers=bearer(tokens["read"]))
        big = await client.post(
            "/graphql", json={"query": ITEMS + " " * 2000}, headers=bearer(tokens["read"])
        )
    assert small.status_code == 200 and big.status_code == 413


# Introspection and GraphiQL


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_off_in_production(
    sessions: async_sessionmaker[AsyncSession], tokens: dict[str, str]
) -> None:
    app = build_app(HubConfig(), sessions, graphiql=False, production=True)
    async with client_of(app) as client:
        body = await query(client, tokens["read"], INTROSPECTION)
        typename = await query(client, tokens["read"], "{ __typename }")
    assert "introspection" in refusal(body).lower()
    assert typename["data"] == {"__typename": "Query"}


async def test_introspection_is_on_in_the_demo(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with client_of(create_app(sessions, graphiql=True, require_token=False)) as client:
        response = await client.post("/graphql", json={"query": INTROSPECTION})
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_can_be_turned_off_outside_production(
    sessions: async_sessionmaker[AsyncSession], tokens: dict[str, str]
) -> None:
    app = create_app(sessions, api=ApiConfig(introspection=False))
    async with client_of(app) as client:
        assert "introspection" in refusal(await query(client, tokens["read"], INTROSPECTION))


async def test_graphiql_is_refused_in_production(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    config = HubConfig(api=ApiConfig(production=True))
    with pytest.raises(ConfigError, match="GraphiQL is off in production mode"):
        build_app(config, sessions, graphiql=True)
    with pytest.raises(ConfigError, match="introspection is off in production mode"):
        build_app(HubConfig(api=ApiConfig(introspection=True)), sessions, graphiql=False,
                  production=True)  # fmt: skip
    app = build_app(config, sessions, graphiql=False)
    async with client_of(app) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404


# The cost estimate


def limited_to(max_complexity: int) -> strawberry.Schema:
    return create_schema(
        extensions=[partial(QueryComplexityLimiter, max_complexity=max_complexity)]
    )


async def is_refused(
    sessions: async_sessionmaker[AsyncSession], max_complexity: int, text: str, **variables: Any
) -> bool:
    result = await limited_to(max_complexity).execute(
        text, variable_values=variables, context_value=get_context(sessions)
    )
    messages = [error.message for error in result.errors or ()]
    assert all("query is too complex" in message for message in messages), messages
    return bool(messages)


async def assert_cost(
    sessions: async_sessionmaker[AsyncSession], expected: int, text: str, **variables: Any
) -> None:
    """The estimate is ``expected``: a limit of as much runs the query, one less refuses it."""
    assert not await is_refused(sessions, expected, text, **variables)
    assert await is_refused(sessions, expected - 1, text, **variables)


async def test_list_fields_multiply_the_cost_of_their_children(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await assert_cost(
        sessions, 1 + 10 * (1 + 1 + 2), "{ items(first: 10) { edges { node { key title } } } }"
    )
    by_variable = "query($n: Int!) { items(first: $n) { edges { cursor } } }"
    await assert_cost(sessions, 1 + 7 * 2, by_variable, n=7)
    await assert_cost(sessions, 1 + 50 * 2, "{ items { edges { cursor } } }")  # the default `first`
    unpaged = '{ item(key: "A") { children { key } } }'
    await assert_cost(sessions, 1 + 1 + UNPAGED_LIST_SIZE, unpaged)


def test_fragments_are_costed_once_and_cycles_end() -> None:
    """Validation refuses a cycle before the limit runs; the estimate ends on one all the
    same, so it is asked directly, of the schema as its SDL describes it."""
    text = """
        { item(key: "A") { ...F ...F } }
        fragment F on Item { children { ...G } }
        fragment G on Item { key parent { ...F } }
    """
    described = build_schema(schema.as_str())
    cost = estimate_cost(described, parse(text), None, {})
    assert cost == 1 + 2 * (1 + UNPAGED_LIST_SIZE * (1 + 1 + 0))


async def test_the_served_limit_comes_from_the_config(
    sessions: async_sessionmaker[AsyncSession], tokens: dict[str, str]
) -> None:
    nested = '{ item(key: "A") { children { children { key } } } }'
    cost = 1 + 1 + UNPAGED_LIST_SIZE * (1 + UNPAGED_LIST_SIZE)

    async def served_with(max_complexity: int) -> dict[str, Any]:
        app = create_app(sessions, api=ApiConfig(max_complexity=max_complexity))
        async with client_of(app) as client:
            return await query(client, tokens["read"], nested)

    assert await served_with(cost) == {"data": {"item": None}}
    refused = refusal(await served_with(cost - 1))
    assert f"estimated cost {cost} is over the limit of {cost - 1}" in refused


async def test_fragments_that_fan_out_are_refused_quickly(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    """Each fragment spreads the next twice: 2**30 fields once expanded, in 31 lines."""
    chain = "\n".join(f"fragment F{i} on Item {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    text = f'{{ item(key: "A") {{ ...F0 }} }}\n{chain}\nfragment F30 on Item {{ key }}'
    assert f"more than {DEFAULT_API.max_fields} fields" in refusal(
        await query(http, tokens["read"], text)
    )


async def test_one_field_repeated_four_thousand_times_is_refused_by_the_token_limit(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    """Quadratic to validate (every pair of same-named fields is compared; 0.3-0.47 s): the
    parser stops at the token limit instead."""
    text = "{ items(first: 1) { edges { " + "cursor " * 4000 + "} } }"
    message = refusal(await query(http, tokens["read"], text))
    assert f"Document contains more than {DEFAULT_API.max_tokens} tokens" in message


async def test_a_document_over_the_field_cap_is_refused_before_validation(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    """Within the token limit, over the field cap."""
    text = "{ items(first: 1) { edges { " + "cursor " * 600 + "} } }"
    body = await query(http, tokens["read"], text)
    assert f"selects more than {DEFAULT_API.max_fields} fields" in refusal(body)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_repeated_fields_under_the_cap_are_refused_on_their_comparison_budget(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    """300 ``cursor``s make 44,850 pairs to compare: graphql-core's budget (lowered) ends
    the validation, and the hub says why in words."""
    text = "{ items(first: 1) { edges { " + "cursor " * 300 + "} } }"
    body = await query(http, tokens["read"], text)
    assert "too complex to validate" in refusal(body)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_document_within_every_limit_runs(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    text = "{ items(first: 1) { edges { " + "cursor " * 50 + "} } }"
    assert await query(http, tokens["read"], text) == {"data": {"items": {"edges": []}}}


async def test_requests_over_a_tokens_rate_get_429_and_retry_after(
    sessions: async_sessionmaker[AsyncSession], tokens: dict[str, str]
) -> None:
    api = ApiConfig(rate_limit_per_minute=1, rate_limit_burst=2)
    async with client_of(create_app(sessions, api=api)) as client:
        answers = [
            await client.post("/graphql", json={"query": ITEMS}, headers=bearer(tokens["read"]))
            for _ in range(3)
        ]
        other = await client.post(
            "/graphql", json={"query": ITEMS}, headers=bearer(tokens["write"])
        )
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2].headers["retry-after"]) <= 60
    assert answers[2].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert other.status_code == 200, "each token has its own bucket"
