"""The GitHub client and connector over respx: Link paging, PRs, auth, GraphQL batches, cursors."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
import respx
from pydantic import SecretStr

import simulators
from connectors import connector_for
from connectors.base import Batch, Connector
from connectors.github import GitHubConnector
from connectors.github.client import DEPENDENCIES_QUERY, GitHubClient, graphql_url
from connectors.github.cursor import Cursor, decode_cursor
from connectors.http.retry import RetryPolicy
from hub.contract.config import SourceConfig
from hub.contract.errors import (
    ConfigError,
    HubError,
    TrackerAuthError,
    TrackerDataError,
    TrackerRequestError,
)
from tests.connectors.conftest import FakeSleep
from tests.connectors.test_github_mapping import issue

API = "https://api.github.com"
GRAPHQL = f"{API}/graphql"
REPO = "Acme/Identity"
LIST = f"{API}/repos/{REPO}/issues"


def make_source(**update: Any) -> SourceConfig:
    source = SourceConfig(
        name="gh", kind="github", base_url=API, repos=(REPO,), token_env="GITHUB_TOKEN"
    )
    return source.model_copy(update={"token": SecretStr("ghp_s3cr3t"), **update})


def pull_request(number: int, updated: str = "2024-11-29T10:00:00Z") -> dict[str, Any]:
    pr = issue(number, updated_at=updated)
    pr["pull_request"] = {
        "url": f"{API}/repos/{REPO}/pulls/{number}",
        "html_url": f"https://github.com/{REPO}/pull/{number}",
        "diff_url": f"https://github.com/{REPO}/pull/{number}.diff",
        "patch_url": f"https://github.com/{REPO}/pull/{number}.patch",
        "merged_at": None,
    }
    return pr


def blocker(number: int, updated: str = "2024-11-29T10:00:00Z") -> dict[str, Any]:
    summary = {"blocked_by": 0, "blocking": 1, "total_blocked_by": 0, "total_blocking": 1}
    return issue(number, updated_at=updated, issue_dependencies_summary=summary)


def next_url(after: str, per_page: int = 2) -> str:
    """The form GitHub really sends: repository by id, an opaque ``after`` cursor."""
    return (
        f"{API}/repositories/1296269/issues?state=all&sort=updated&direction=asc"
        f"&per_page={per_page}&after={after}"
    )


def listing(issues: list[dict[str, Any]], next_page: str | None = None) -> httpx.Response:
    headers = {"Link": f'<{next_page}>; rel="next", <{LIST}?page=1>; rel="first"'}
    return httpx.Response(200, json=issues, headers=headers if next_page else {})


def graphql_node(number: int, blocks: list[tuple[str, int]]) -> dict[str, Any]:
    def ends(pairs: list[tuple[str, int]]) -> dict[str, Any]:
        return {"nodes": [{"number": n, "repository": {"nameWithOwner": r}} for r, n in pairs]}

    return {
        "id": f"I_kwDOAbc{number:04d}",
        "number": number,
        "repository": {"nameWithOwner": REPO},
        "blocking": ends(blocks),
    }


def graphql_answer(nodes: list[dict[str, Any] | None], **extra: Any) -> httpx.Response:
    rate = {"cost": 1, "remaining": 4999, "resetAt": "2024-11-29T11:00:00Z"}
    return httpx.Response(200, json={"data": {"nodes": nodes, "rateLimit": rate}, **extra})


@pytest.fixture
async def connector(sleep: FakeSleep) -> AsyncIterator[GitHubConnector]:
    github = GitHubConnector(make_source(page_size=2), sleep=sleep)
    yield github
    await github.aclose()


async def collect(connector: Connector, cursor: str | None = None) -> list[Batch]:
    return [b async for b in connector.batches(REPO, cursor)]


def urls(route: respx.Route) -> list[str]:
    return [str(call.request.url) for call in route.calls]


def ids_sent(route: respx.Route) -> list[list[str]]:
    return [json.loads(call.request.content)["variables"]["ids"] for call in route.calls]


async def test_follows_link_next_exactly_and_skips_pull_requests(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    second, third = next_url("Y3Vyc29yOnYyOpK5"), next_url("Y3Vyc29yOnYyOpK9")
    route = mock.get(url__startswith=API).mock(
        side_effect=[
            listing([issue(1), pull_request(2)], second),
            listing([issue(3), issue(4)], third),
            listing([pull_request(5)]),
        ]
    )
    batches = await collect(connector)

    assert urls(route) == [
        f"{LIST}?state=all&sort=updated&direction=asc&per_page=2",
        second,
        third,
    ]
    assert [[i.key for i in b.items] for b in batches] == [[f"{REPO}#1", f"{REPO}#3", f"{REPO}#4"]]
    assert batches[0].skipped == []
    assert connector.stats.requests == 3


async def test_sends_bearer_token_accept_and_api_version(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    route = mock.get(url__startswith=LIST).mock(return_value=listing([]))
    await collect(connector)

    headers = route.calls.last.request.headers
    assert headers["authorization"] == "Bearer ghp_s3cr3t"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"


async def test_enterprise_server_base_for_rest_and_graphql(mock: respx.MockRouter) -> None:
    base = "https://ghe.example.com/api/v3"
    rest = mock.get(url__startswith=f"{base}/repos/{REPO}/issues").mock(
        return_value=listing([blocker(1)])
    )
    gql = mock.post("https://ghe.example.com/api/graphql").mock(
        return_value=graphql_answer([graphql_node(1, [("acme/identity", 9)])])
    )
    async with GitHubConnector(make_source(base_url=f"{base}/")) as github:
        [batch] = await collect(github)

    assert rest.call_count == 1 and gql.call_count == 1
    assert batch.items[0].blocks == ("acme/identity#9",)
    assert gql.calls.last.request.headers["authorization"] == "Bearer ghp_s3cr3t"


@pytest.mark.parametrize(
    ("base", "endpoint"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/api/graphql"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/graphql"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/graphql"),
    ],
)
def test_graphql_endpoint_rule(base: str, endpoint: str) -> None:
    assert graphql_url(base) == endpoint


async def test_dependencies_of_many_pages_come_in_one_graphql_call(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    afters = [f"c{n}" for n in range(2, 7)]
    pages_listed = [
        listing([blocker(1), issue(2)], next_url(afters[0])),
        listing([issue(3), blocker(4)], next_url(afters[1])),
        listing([issue(5), issue(6)], next_url(afters[2])),
        listing([blocker(7), pull_request(8)], next_url(afters[3])),
        listing([issue(9), issue(10)], next_url(afters[4])),
        listing([issue(11)]),
    ]
    mock.get(url__startswith=API).mock(side_effect=pages_listed)
    gql = mock.post(GRAPHQL).mock(
        return_value=graphql_answer(
            [
                graphql_node(1, [("Acme/Identity", 3)]),
                graphql_node(4, [("Other/Infra", 2)]),
                graphql_node(7, [("Acme/Identity", 1), ("Acme/Identity", 4)]),
            ]
        )
    )
    batches = await collect(connector)

    assert gql.call_count == 1
    assert ids_sent(gql) == [["I_kwDOAbc0001", "I_kwDOAbc0004", "I_kwDOAbc0007"]]
    assert gql.calls.last.request.headers["authorization"] == "Bearer ghp_s3cr3t"
    sent = json.loads(gql.calls.last.request.content)["query"]
    assert sent == DEPENDENCIES_QUERY
    assert [len(b.items) for b in batches] == [10]
    by_key = {i.external_id: i for i in batches[0].items}
    assert by_key["acme/identity#1"].blocks == ("acme/identity#3",)
    assert by_key["acme/identity#4"].blocks == ("other/infra#2",)
    assert by_key["acme/identity#7"].blocks == ("acme/identity#1", "acme/identity#4")
    assert by_key["acme/identity#2"].blocks == ()
    assert connector.stats.requests == 7


async def test_no_graphql_call_without_dependency_counts(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    mock.get(url__startswith=API).mock(return_value=listing([issue(1), issue(2)]))
    gql = mock.post(GRAPHQL).mock(return_value=graphql_answer([]))
    [batch] = await collect(connector)
    assert len(batch.items) == 2
    assert gql.call_count == 0
    assert connector.stats.requests == 1


async def test_graphql_batches_hold_at_most_100_ids(mock: respx.MockRouter) -> None:
    many = [blocker(n) for n in range(1, 151)]
    mock.get(url__startswith=API).mock(return_value=listing(many))

    def answer(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["variables"]["ids"]
        return graphql_answer([graphql_node(int(i[-4:]), []) for i in ids])

    gql = mock.post(GRAPHQL).mock(side_effect=answer)
    async with GitHubConnector(make_source()) as github:
        [batch] = await collect(github)
    assert [len(ids) for ids in ids_sent(gql)] == [100, 50]
    assert len(batch.items) == 150


async def test_unchanged_resync_costs_one_request_and_yields_nothing(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    stored = [
        issue(1, updated_at="2024-11-29T09:00:00Z"),
        issue(2, updated_at="2024-11-29T10:00:00Z"),
        issue(3, updated_at="2024-11-29T10:00:00Z"),
    ]
    route = mock.get(url__startswith=API).mock(return_value=listing(stored))
    [first] = await collect(connector)
    assert first.cursor == (
        '{"since":"2024-11-29T10:00:00Z","seen":["acme/identity#2","acme/identity#3"]}'
    )

    route.mock(return_value=listing(stored[1:]))
    requests_before = connector.stats.requests
    [again] = await collect(connector, first.cursor)

    assert connector.stats.requests - requests_before == 1
    assert again == Batch(items=[], cursor=first.cursor, skipped=[])
    assert route.calls.last.request.url.params["since"] == "2024-11-29T10:00:00Z"


async def test_same_second_issue_not_yet_seen_is_kept(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    cursor = '{"since":"2024-11-29T10:00:00Z","seen":["acme/identity#2"]}'
    mock.get(url__startswith=API).mock(
        return_value=listing(
            [
                issue(2, updated_at="2024-11-29T10:00:00Z"),
                issue(4, updated_at="2024-11-29T10:00:00Z"),
                issue(5, updated_at="2024-11-29T10:00:07Z"),
            ]
        )
    )
    [batch] = await collect(connector, cursor)
    assert [i.external_id for i in batch.items] == ["acme/identity#4", "acme/identity#5"]
    assert batch.cursor == '{"since":"2024-11-29T10:00:07Z","seen":["acme/identity#5"]}'


async def test_a_batch_closes_once_its_dependency_lookups_fill_one_call(
    mock: respx.MockRouter, connector: GitHubConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("connectors.github.connector.MAX_NODE_IDS", 2)
    mock.get(url__startswith=API).mock(
        side_effect=[
            listing([blocker(1), issue(2)], next_url("c2")),
            listing([blocker(3)], next_url("c3")),
            listing([blocker(4), issue(5)]),
        ]
    )
    gql = mock.post(GRAPHQL).mock(return_value=graphql_answer([]))
    batches = await collect(connector)
    assert [len(b.items) for b in batches] == [3, 2]
    assert gql.call_count == 2


async def test_seen_grows_across_batches_at_the_same_second(
    mock: respx.MockRouter, connector: GitHubConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("connectors.github.connector.MAX_PAGES_PER_BATCH", 5)
    same = "2024-11-29T10:00:00Z"
    listed = [listing([issue(n, updated_at=same)], next_url(f"c{n}")) for n in range(1, 6)]
    mock.get(url__startswith=API).mock(side_effect=[*listed, listing([issue(6, updated_at=same)])])
    first, second = await collect(connector)
    assert decode_cursor(first.cursor).seen == {f"acme/identity#{n}" for n in range(1, 6)}
    assert decode_cursor(second.cursor).seen == {f"acme/identity#{n}" for n in range(1, 7)}


async def test_pull_requests_move_the_cursor_but_are_no_items(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    mock.get(url__startswith=API).mock(
        return_value=listing([issue(1), pull_request(2, updated="2024-11-30T08:00:00Z")])
    )
    [batch] = await collect(connector)
    assert [i.external_id for i in batch.items] == ["acme/identity#1"]
    assert decode_cursor(batch.cursor) == Cursor(
        decode_cursor('{"since":"2024-11-30T08:00:00Z","seen":[]}').since, {"acme/identity#2"}
    )


async def test_cursor_never_moves_backwards(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    later = '{"since":"2024-12-01T00:00:00Z","seen":[]}'
    mock.get(url__startswith=API).mock(
        return_value=listing([issue(1, updated_at="2024-11-29T10:00:00Z")])
    )
    [batch] = await collect(connector, later)
    assert batch.cursor == later
    assert [i.external_id for i in batch.items] == ["acme/identity#1"]


async def test_full_sync_of_an_empty_repository_has_no_cursor(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    mock.get(url__startswith=API).mock(return_value=listing([]))
    assert await collect(connector) == [Batch(items=[], cursor=None, skipped=[])]


async def test_unmappable_issue_is_skipped_and_reported(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    mock.get(url__startswith=API).mock(
        return_value=listing([issue(1), issue(2, state="merged"), issue(3)])
    )
    [batch] = await collect(connector)
    assert [i.external_id for i in batch.items] == ["acme/identity#1", "acme/identity#3"]
    assert [s.key for s in batch.skipped] == ["acme/identity#2"]
    assert "unknown state 'merged'" in batch.skipped[0].reason


async def test_issue_listed_twice_is_kept_once_as_last_listed(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    newer = issue(1, title="Renamed", updated_at="2024-11-29T11:00:00Z")
    mock.get(url__startswith=API).mock(
        side_effect=[listing([issue(1), issue(2)], next_url("c2")), listing([newer])]
    )
    [batch] = await collect(connector)
    assert [(i.external_id, i.title) for i in batch.items][-1] == ("acme/identity#1", "Renamed")
    assert len(batch.items) == 2


async def test_blocker_listed_again_without_dependencies_is_not_looked_up(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    # Edited mid-sync: it blocked something when first listed, no longer when listed again.
    newer = issue(1, title="Unblocked", updated_at="2024-11-29T11:00:00Z")
    mock.get(url__startswith=API).mock(
        side_effect=[listing([blocker(1), blocker(2)], next_url("c2")), listing([newer])]
    )
    gql = mock.post(GRAPHQL).mock(return_value=graphql_answer([graphql_node(2, [])]))
    [batch] = await collect(connector)
    assert ids_sent(gql) == [["I_kwDOAbc0002"]]
    assert [i.external_id for i in batch.items] == ["acme/identity#2", "acme/identity#1"]
    assert batch.items[1].title == "Unblocked"


async def test_repeated_next_url_is_a_data_error(
    mock: respx.MockRouter, connector: GitHubConnector
) -> None:
    loop = next_url("same")
    mock.get(url__startswith=API).mock(
        side_effect=[listing([issue(1)], loop), listing([issue(2)], loop), listing([issue(3)])]
    )
    with pytest.raises(TrackerDataError, match="same next page URL twice"):
        await collect(connector)


async def test_unknown_repository_names_it(
    mock: respx.MockRouter, connector: GitHubConnector, sleep: FakeSleep
) -> None:
    mock.get(url__startswith=API).respond(404, json={"message": "Not Found"})
    with pytest.raises(TrackerRequestError, match="'Acme/Identity' is unknown or the token"):
        await collect(connector)
    assert sleep.waits == []


async def test_unauthorized_is_an_auth_error_without_retry(
    mock: respx.MockRouter, connector: GitHubConnector, sleep: FakeSleep
) -> None:
    route = mock.get(url__startswith=API).respond(401, json={"message": "Bad credentials"})
    with pytest.raises(TrackerAuthError) as caught:
        await collect(connector)
    assert route.call_count == 1
    assert sleep.waits == []
    assert "ghp_s3cr3t" not in str(caught.value)


async def test_graphql_rate_limited_with_200_is_retried(
    mock: respx.MockRouter, connector: GitHubConnector, sleep: FakeSleep
) -> None:
    mock.get(url__startswith=API).mock(return_value=listing([blocker(1)]))
    limited = httpx.Response(
        200,
        json={
            "data": None,
            "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}],
        },
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"},
    )
    gql = mock.post(GRAPHQL).mock(
        side_effect=[limited, graphql_answer([graphql_node(1, [(REPO, 2)])])]
    )
    [batch] = await collect(connector)

    assert gql.call_count == 2
    assert len(sleep.waits) == 1
    assert connector.stats.retries == 1
    assert batch.items[0].blocks == ("acme/identity#2",)


async def test_graphql_errors_without_data_are_a_data_error(
    mock: respx.MockRouter, connector: GitHubConnector, sleep: FakeSleep
) -> None:
    mock.get(url__startswith=API).mock(return_value=listing([blocker(1)]))
    mock.post(GRAPHQL).respond(
        200, json={"errors": [{"message": "Field 'blockedBy' doesn't exist on type 'Issue'"}]}
    )
    with pytest.raises(TrackerDataError, match="without data: Field 'blockedBy'"):
        await collect(connector)
    assert sleep.waits == []


async def test_graphql_partial_data_is_used_with_a_warning(
    mock: respx.MockRouter, connector: GitHubConnector, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get(url__startswith=API).mock(return_value=listing([blocker(1), blocker(2)]))
    not_found = {
        "type": "NOT_FOUND",
        "path": ["nodes", 1],
        "message": "Could not resolve to a node with the global id of 'I_kwDOAbc0002'.",
    }
    mock.post(GRAPHQL).mock(
        return_value=graphql_answer([graphql_node(1, [(REPO, 5)]), None], errors=[not_found])
    )
    with caplog.at_level(logging.WARNING, logger="connectors.github.client"):
        [batch] = await collect(connector)

    assert [i.blocks for i in batch.items] == [("acme/identity#5",), ()]
    assert "Could not resolve" in caplog.text


async def test_cost_stays_within_budget_for_a_thousand_issues(mock: respx.MockRouter) -> None:
    """1,000 issues (and 30 PRs), a fifth of them with dependencies: ≤ 12 requests."""
    issues = [blocker(n) if n % 5 == 0 else issue(n) for n in range(1, 1001)]
    issues += [pull_request(n) for n in range(1001, 1031)]
    chunks = [issues[i : i + 100] for i in range(0, len(issues), 100)]
    mock.get(url__startswith=API).mock(
        side_effect=[
            listing(chunk, next_url(f"c{i}", 100) if i + 1 < len(chunks) else None)
            for i, chunk in enumerate(chunks)
        ]
    )

    def answer(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["variables"]["ids"]
        return graphql_answer([graphql_node(int(i[-4:]), [(REPO, 1)]) for i in ids])

    gql = mock.post(GRAPHQL).mock(side_effect=answer)
    async with GitHubConnector(make_source()) as github:
        batches = await collect(github)

    assert sum(len(b.items) for b in batches) == 1000
    assert gql.call_count == 2
    assert github.stats.requests == 11 + 2


def test_dependencies_query_is_valid_against_the_github_schema() -> None:
    """The simulator's subset of GitHub's real SDL; the query was checked against the full one."""
    sdl = Path(simulators.__file__).with_name("github_schema.graphql")
    schema = graphql.build_schema(sdl.read_text(encoding="utf-8"), assume_valid=True)
    assert graphql.validate(schema, graphql.parse(DEPENDENCIES_QUERY)) == []


@pytest.mark.parametrize(
    "cursor", ["garbage", '{"since": 1, "seen": []}', '{"since": "2024-11-29T10:00:00"}', "[]"]
)
def test_unreadable_cursor_asks_for_a_full_sync(cursor: str) -> None:
    with pytest.raises(HubError, match="full sync"):
        decode_cursor(cursor)


def test_repos_must_be_owner_slash_name() -> None:
    with pytest.raises(ConfigError, match="'acme' is not 'owner/repo'"):
        GitHubConnector(make_source(repos=("acme",)))


async def test_connector_for_picks_github_with_one_stream_per_repo() -> None:
    source = make_source(repos=(REPO, "acme/billing"))
    github = connector_for(source, transport=httpx.MockTransport(lambda r: listing([])))
    try:
        assert isinstance(github, GitHubConnector)
        assert github.streams() == (REPO, "acme/billing")
        with pytest.raises(ValueError, match="no stream"):
            await collect_stream(github, "acme/other")
    finally:
        await github.aclose()


async def collect_stream(connector: Connector, stream: str) -> list[Batch]:
    return [b async for b in connector.batches(stream, None)]


async def test_client_clamps_per_page_to_100(sleep: FakeSleep) -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return listing([])

    client = GitHubClient(
        make_source(page_size=250),
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        policy=RetryPolicy(attempts=2),
    )
    try:
        assert [p async for p in client.issue_pages(REPO, since="2024-11-29T10:00:00Z")] == [[]]
    finally:
        await client.aclose()
    assert seen[0].params["per_page"] == "100"
    assert seen[0].params["since"] == "2024-11-29T10:00:00Z"
