"""The Jira client and connector over respx: paging, JQL, auth, retries and skipped issues."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from connectors import connector_for
from connectors.base import Batch, Connector
from connectors.http.retry import RetryPolicy
from connectors.jira import JiraConnector
from connectors.jira.client import JiraClient
from connectors.jira.connector import decode_cursor, encode_cursor, issue_jql, strip_order_by
from hub.contract.config import SourceConfig
from hub.contract.errors import ConfigError, HubError, TrackerAuthError, TrackerDataError
from hub.contract.records import StatusCategory
from tests.connectors.conftest import FakeSleep

BASE = "https://acme.atlassian.net"
SEARCH = f"{BASE}/rest/api/3/search/jql"
ID_SEARCH = f"{BASE}/rest/api/3/search/id"
FIELDS = f"{BASE}/rest/api/3/field"
FIELD_LIST = [
    {"id": "summary", "key": "summary", "name": "Summary", "custom": False},
    {"id": "customfield_10015", "key": "customfield_10015", "name": "Start date", "custom": True},
    {"id": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate"},
]


def make_source(**update: Any) -> SourceConfig:
    source = SourceConfig(
        name="jira",
        kind="jira",
        base_url=BASE,
        projects=("PAY",),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
    )
    return source.model_copy(
        update={"token": SecretStr("t0k3n"), "email": SecretStr("pm@example.com"), **update}
    )


def jira_issue(
    n: int, updated: str = "2024-11-29T10:00:00.000+0000", **fields: Any
) -> dict[str, Any]:
    return {
        "id": str(10000 + n),
        "key": f"PAY-{n}",
        "self": f"{BASE}/rest/api/3/issue/{10000 + n}",
        "fields": {
            "summary": f"Issue {n}",
            "description": None,
            "status": {
                "id": "3",
                "name": "In Progress",
                "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"},
            },
            "issuetype": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
            "created": "2024-11-01T08:00:00.000+0000",
            "updated": updated,
            "issuelinks": [],
            **fields,
        },
    }


def page(issues: list[dict[str, Any]], token: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"issues": issues, "isLast": token is None}
    if token is not None:
        body["nextPageToken"] = token
    return httpx.Response(200, json=body)


@pytest.fixture
def mock(mock: respx.MockRouter) -> respx.MockRouter:
    """The shared router, answering the field lookup every sync starts with."""
    mock.get(FIELDS).respond(200, json=FIELD_LIST)
    return mock


@pytest.fixture
async def connector(sleep: FakeSleep) -> AsyncIterator[JiraConnector]:
    jira = JiraConnector(make_source(page_size=2), sleep=sleep)
    yield jira
    await jira.aclose()


async def collect(connector: Connector, cursor: str | None = None) -> list[Batch]:
    await connector.prepare()
    return [b async for b in connector.batches("issues", cursor)]


def bodies(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


async def test_paging_follows_next_page_token_until_absent(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    search = mock.post(SEARCH).mock(
        side_effect=[
            page([jira_issue(1), jira_issue(2)], token="t-2"),
            page([jira_issue(3), jira_issue(4)], token="t-3"),
            page([jira_issue(5)]),
        ]
    )
    batches = await collect(connector)

    assert [[i.key for i in b.items] for b in batches] == [
        ["PAY-1", "PAY-2"],
        ["PAY-3", "PAY-4"],
        ["PAY-5"],
    ]
    sent = bodies(search)
    assert [b.get("nextPageToken") for b in sent] == [None, "t-2", "t-3"]
    assert sent[0]["jql"] == '(project in ("PAY")) ORDER BY updated ASC'
    assert sent[0]["maxResults"] == 2
    assert {"summary", "status", "issuetype", "parent", "issuelinks", "updated"} <= set(
        sent[0]["fields"]
    )
    assert {"customfield_10015", "customfield_10016"} <= set(sent[0]["fields"])
    assert connector.stats.requests == 4


async def test_sends_basic_auth_and_accept_json(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    search = mock.post(SEARCH).mock(return_value=page([]))
    await collect(connector)

    request = search.calls.last.request
    expected = base64.b64encode(b"pm@example.com:t0k3n").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"


async def test_oauth_base_url_uses_bearer(mock: respx.MockRouter) -> None:
    oauth = "https://api.atlassian.com/ex/jira/11223344-a1b2"
    source = make_source(base_url=oauth, email=None, email_env=None)
    route = mock.get(f"{oauth}/rest/api/3/field").respond(200, json=[])
    client = JiraClient(source)
    try:
        assert await client.fields() == []
    finally:
        await client.aclose()
    assert route.calls.last.request.headers["authorization"] == "Bearer t0k3n"


async def test_stops_on_is_last_even_with_a_token(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    body = {"issues": [jira_issue(1)], "isLast": True, "nextPageToken": "stale"}
    search = mock.post(SEARCH).respond(200, json=body)
    assert len(await collect(connector)) == 1
    assert search.call_count == 1


async def test_repeated_page_token_is_a_data_error(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(SEARCH).mock(
        side_effect=[
            page([jira_issue(1)], token="same"),
            page([jira_issue(2)], token="same"),
            page([jira_issue(3)]),
        ]
    )
    with pytest.raises(TrackerDataError, match="same nextPageToken twice"):
        await collect(connector)


def id_page(ids: list[int], token: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"issueIds": ids}
    if token is not None:
        body["nextPageToken"] = token
    return httpx.Response(200, json=body)


async def census(connector: Connector) -> list[list[str]]:
    return [list(ids) async for ids in connector.census()]


async def test_census_follows_next_page_token_until_absent(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    route = mock.post(ID_SEARCH).mock(
        side_effect=[id_page([10001, 10002], token="t1"), id_page([10003])]
    )
    assert await census(connector) == [["10001", "10002"], ["10003"]]
    sent = bodies(route)
    assert [b.get("nextPageToken") for b in sent] == [None, "t1"]
    assert all(b["jql"] == '(project in ("PAY"))' for b in sent)


async def test_census_with_a_repeated_page_token_is_a_data_error(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    route = mock.post(ID_SEARCH).mock(
        side_effect=[id_page([1], token="same"), id_page([2], token="same"), id_page([3])]
    )
    with pytest.raises(TrackerDataError, match="same nextPageToken twice.*id census"):
        await census(connector)
    assert route.call_count == 2


async def test_census_answer_without_issue_ids_is_a_data_error(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(ID_SEARCH).respond(200, json={"ids": [1]})
    with pytest.raises(TrackerDataError, match="without an 'issueIds' list"):
        await census(connector)


@pytest.mark.parametrize(
    "body",
    [
        {"isLast": True},
        {"issues": None},
        ["not", "an", "object"],
        {"issues": [], "nextPageToken": 7},
        {"issues": [], "isLast": "no"},
    ],
)
async def test_body_without_issues_list_is_a_data_error(
    mock: respx.MockRouter, connector: JiraConnector, body: Any
) -> None:
    mock.post(SEARCH).respond(200, json=body)
    with pytest.raises(TrackerDataError, match="'issues' list"):
        await collect(connector)


async def test_unauthorized_is_an_auth_error_without_retry(
    mock: respx.MockRouter, connector: JiraConnector, sleep: FakeSleep
) -> None:
    search = mock.post(SEARCH).respond(401, json={"errorMessages": ["Unauthorized"]})
    with pytest.raises(TrackerAuthError) as caught:
        await collect(connector)
    assert search.call_count == 1
    assert sleep.waits == []
    assert "t0k3n" not in str(caught.value)


async def test_rate_limited_then_ok_waits_at_least_retry_after(
    mock: respx.MockRouter, connector: JiraConnector, sleep: FakeSleep
) -> None:
    search = mock.post(SEARCH).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), page([jira_issue(1)])]
    )
    batches = await collect(connector)

    assert [i.key for i in batches[0].items] == ["PAY-1"]
    assert search.call_count == 2
    assert len(sleep.waits) == 1 and sleep.waits[0] >= 7
    assert connector.stats.retries == 1


async def test_incremental_jql_uses_epoch_ms_minus_five_minutes(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    search = mock.post(SEARCH).mock(return_value=page([]))
    cursor_ms = 1_732_877_091_000
    batches = await collect(connector, encode_cursor(cursor_ms))

    jql = bodies(search)[0]["jql"]
    assert jql == (
        f'(project in ("PAY")) AND updated >= {cursor_ms - 300_000} ORDER BY updated ASC'
    )
    assert batches == [Batch(items=[], cursor='{"updated_ms":1732877091000}', skipped=[])]


async def test_cursor_is_the_max_updated_and_never_moves_back(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(SEARCH).mock(
        side_effect=[
            page(
                [
                    jira_issue(1, "2024-11-29T10:00:00.000+0000"),
                    jira_issue(2, "2024-11-29T10:05:00.250+0000"),
                ],
                token="t-2",
            ),
            page([jira_issue(3, "2024-11-29T09:00:00.000+0000")], token="t-3"),
            page([]),
        ]
    )
    newest = 1_732_874_700_250
    older_cursor = encode_cursor(newest - 3_600_000)
    batches = await collect(connector, older_cursor)

    assert [decode_cursor(b.cursor) for b in batches] == [newest, newest, newest]


async def test_cursor_stays_when_a_later_cursor_came_in(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(SEARCH).mock(return_value=page([jira_issue(1, "2024-11-29T10:00:00.000+0000")]))
    later = encode_cursor(1_732_880_000_000)
    batches = await collect(connector, later)
    assert batches[0].cursor == later


async def test_full_sync_of_an_empty_scope_has_no_cursor(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(SEARCH).mock(return_value=page([]))
    assert await collect(connector) == [Batch(items=[], cursor=None, skipped=[])]


async def test_unmappable_issue_is_skipped_and_the_rest_yielded(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    odd = jira_issue(2)
    odd["fields"]["status"]["statusCategory"] = {"id": 1, "key": "undefined"}
    mock.post(SEARCH).mock(return_value=page([jira_issue(1), odd, jira_issue(3)]))
    [only] = await collect(connector)

    assert [i.key for i in only.items] == ["PAY-1", "PAY-3"]
    assert [s.key for s in only.skipped] == ["PAY-2"]
    assert "undefined" in only.skipped[0].reason
    assert all(i.status_category is StatusCategory.IN_PROGRESS for i in only.items)


async def test_duplicates_within_a_page_are_dropped(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(SEARCH).mock(return_value=page([jira_issue(1), jira_issue(2), jira_issue(1)]))
    [only] = await collect(connector)
    assert [i.external_id for i in only.items] == ["10001", "10002"]


async def test_issues_without_an_id_are_each_skipped_not_taken_for_duplicates(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    first, second = jira_issue(1), jira_issue(2)
    first["id"] = second["id"] = None
    mock.post(SEARCH).mock(return_value=page([first, second, jira_issue(3)]))
    [only] = await collect(connector)
    assert [i.key for i in only.items] == ["PAY-3"]
    assert [s.key for s in only.skipped] == ["PAY-1", "PAY-2"]


async def test_an_entry_that_is_no_object_is_skipped(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    body = {"issues": [jira_issue(1), "PAY-2", None], "isLast": True}
    mock.post(SEARCH).respond(200, json=body)
    [only] = await collect(connector)
    assert [i.key for i in only.items] == ["PAY-1"]
    assert [(s.key, s.reason) for s in only.skipped] == [
        ("?", "search returned a non-object issue")
    ] * 2


async def test_batches_look_up_the_fields_themselves(
    mock: respx.MockRouter, connector: JiraConnector
) -> None:
    mock.post(SEARCH).mock(return_value=page([jira_issue(1, customfield_10016=3)]))
    [only] = [b async for b in connector.batches("issues", None)]
    assert only.items[0].estimate == 3.0
    assert mock.routes[0].call_count == 1


def test_scope_from_user_jql_drops_order_by() -> None:
    source = make_source(projects=(), jql="project = PAY AND labels = platform ORDER BY rank")
    assert issue_jql(source, None) == ("(project = PAY AND labels = platform) ORDER BY updated ASC")


def test_order_by_inside_quotes_is_kept() -> None:
    assert strip_order_by('summary ~ "order by" order by key') == 'summary ~ "order by"'
    assert strip_order_by("text ~ 'sort order by date'") == "text ~ 'sort order by date'"


def test_project_keys_are_quoted() -> None:
    assert issue_jql(make_source(projects=("PAY", "PLAT")), None) == (
        '(project in ("PAY", "PLAT")) ORDER BY updated ASC'
    )


def test_jql_with_only_order_by_is_refused() -> None:
    with pytest.raises(ConfigError, match="unbounded"):
        issue_jql(make_source(projects=(), jql="ORDER BY created"), None)


@pytest.mark.parametrize("cursor", ["garbage", '{"since": 1}', '{"updated_ms": "1"}', "[]"])
def test_unreadable_cursor_asks_for_a_full_sync(cursor: str) -> None:
    with pytest.raises(HubError, match="full sync"):
        decode_cursor(cursor)


async def test_connector_for_picks_by_kind() -> None:
    jira = connector_for(make_source(), transport=httpx.MockTransport(lambda r: page([])))
    try:
        assert isinstance(jira, JiraConnector)
        assert jira.streams() == ("issues",)
    finally:
        await jira.aclose()
    github = SourceConfig(name="gh", kind="github", base_url=BASE, repos=("a/b",), token_env="T")
    linear = SourceConfig(name="ln", kind="linear", base_url=BASE, teams=("ENG",), token_env="T")
    for source, kind in ((github, "github"), (linear, "linear")):
        connector = connector_for(source)
        try:
            assert connector.kind == kind
        finally:
            await connector.aclose()


async def test_transport_is_used_when_given(sleep: FakeSleep) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/field"):
            return httpx.Response(200, json=FIELD_LIST)
        return page([jira_issue(1)])

    async with JiraConnector(
        make_source(),
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        policy=RetryPolicy(attempts=2),
    ) as jira:
        batches = await collect(jira)
    assert seen == ["/rest/api/3/field", "/rest/api/3/search/jql"]
    assert batches[0].items[0].key == "PAY-1"
