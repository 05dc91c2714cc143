"""No credential leaves a client, whatever the error path: a GraphQL error inside HTTP 200, a
partial-data warning, a refusal whose excerpt is cut across the secret, a Basic pair echoed
in base64 — in the error's message and in every log line, at any level."""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from connectors.github.client import GitHubClient
from connectors.http.redaction import REDACTED, Redactor
from connectors.jira.client import JiraClient
from connectors.linear.client import LinearClient
from connectors.linear.queries import ISSUES, ISSUES_QUERY
from hub.contract.config import SourceConfig
from hub.contract.errors import TrackerAuthError, TrackerDataError, TrackerError

GITHUB_TOKEN = "ghp_FAKE0123456789abcdefghijklmnopqrstuvwx"
LINEAR_KEY = "lin_api_FAKE0123456789abcdefghijklmnopqrstuv"
LINEAR_OAUTH = "lin_oauth_FAKE0123456789abcdefghijklmnop"
JIRA_EMAIL, JIRA_TOKEN = "pm@acme.example", "ATATT3xFAKE0123456789abcdefghij"
JIRA_PAIR = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()


def source(kind: str, base: str, token: str, **fields: Any) -> SourceConfig:
    scope = {"github": {"repos": ("acme/app",)}, "linear": {"teams": ("ENG",)}}
    config = SourceConfig(
        name=kind,
        kind=kind,
        base_url=base,
        token_env="TOKEN",
        **scope.get(kind, {"projects": ("PAY",), "email_env": "EMAIL"}),
    )
    return config.model_copy(update={"token": SecretStr(token), **fields})


def fragments(secret: str, size: int = 8) -> list[str]:
    """Every piece of ``secret`` long enough to help guess it."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        leaked = [piece for piece in fragments(secret) if piece in text]
        assert not leaked, f"{secret[:4]}… leaked in: {text}"


def graphql_errors(message: str, code: str | None = None, data: Any = None) -> httpx.Response:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return httpx.Response(200, json={"data": data, "errors": [error]})


@pytest.fixture(autouse=True)
def everything_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


async def test_github_graphql_error_in_a_200_does_not_carry_the_token(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.post("https://api.github.com/graphql").mock(
        return_value=graphql_errors(f"Bad credentials for Bearer {GITHUB_TOKEN}")
    )
    client = GitHubClient(source("github", "https://api.github.com", GITHUB_TOKEN))
    with pytest.raises(TrackerDataError) as caught:
        await client.dependencies(["I_1"])
    await client.aclose()

    assert "GraphQL answered without data: Bad credentials for" in str(caught.value)
    assert REDACTED in str(caught.value)
    assert_clean(str(caught.value) + caplog.text, GITHUB_TOKEN)


async def test_github_partial_data_warning_does_not_carry_the_token(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.post("https://api.github.com/graphql").mock(
        return_value=graphql_errors(f"token {GITHUB_TOKEN} cannot see I_2", data={"nodes": []})
    )
    client = GitHubClient(source("github", "https://api.github.com", GITHUB_TOKEN))
    assert await client.dependencies(["I_2"]) == []
    await client.aclose()

    assert "partial data" in caplog.text
    assert_clean(caplog.text, GITHUB_TOKEN)


@pytest.mark.parametrize(
    ("code", "error"),
    [("AUTHENTICATION_ERROR", TrackerAuthError), ("INTERNAL_ERROR", TrackerDataError)],
)
async def test_linear_refusal_in_a_200_does_not_carry_the_key(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture, code: str, error: type[TrackerError]
) -> None:
    mock.post("https://api.linear.app/graphql").mock(
        return_value=graphql_errors(f"Authentication failed for key {LINEAR_KEY}", code)
    )
    client = LinearClient(source("linear", "https://api.linear.app", LINEAR_KEY))
    with pytest.raises(error) as caught:
        await client.connection(ISSUES_QUERY, ISSUES, {"first": 1})
    await client.aclose()

    assert REDACTED in str(caught.value)
    assert_clean(str(caught.value) + caplog.text, LINEAR_KEY)


async def test_linear_partial_data_warning_does_not_carry_the_key(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    page = {ISSUES: {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}
    mock.post("https://api.linear.app/graphql").mock(
        return_value=graphql_errors(f"token {LINEAR_OAUTH} may not read labels", data=page)
    )
    client = LinearClient(source("linear", "https://api.linear.app", LINEAR_OAUTH))
    assert await client.connection(ISSUES_QUERY, ISSUES, {"first": 1}) == ([], False, None)
    await client.aclose()

    assert "partial data" in caplog.text
    assert_clean(caplog.text, LINEAR_OAUTH)


@pytest.mark.parametrize("echoed", [JIRA_PAIR, f"Basic {JIRA_PAIR}", JIRA_TOKEN])
@pytest.mark.parametrize("padding", [225, 280, 290, 299])
async def test_a_secret_across_the_excerpt_cut_is_redacted_whole(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture, echoed: str, padding: int
) -> None:
    """Cutting at 300 characters before redacting left all but the secret's last ones."""
    base = "https://acme.atlassian.net"
    mock.get(f"{base}/rest/api/3/field").mock(
        return_value=httpx.Response(401, text="x" * padding + f" you sent {echoed} here")
    )
    jira = source("jira", base, JIRA_TOKEN, email=SecretStr(JIRA_EMAIL))
    client = JiraClient(jira)
    with pytest.raises(TrackerAuthError) as caught:
        await client.fields()
    await client.aclose()

    assert_clean(str(caught.value) + caplog.text, JIRA_TOKEN, JIRA_PAIR)


def test_the_redactor_knows_every_form_of_a_basic_credential() -> None:
    redactor = Redactor.of_credentials((), {"Authorization": f"Basic {JIRA_PAIR}"})
    for form in (JIRA_PAIR, f"{JIRA_EMAIL}:{JIRA_TOKEN}", JIRA_TOKEN, JIRA_EMAIL):
        assert redactor(f"<{form}>") == f"<{REDACTED}>"


def test_the_redactor_knows_escaped_echoes() -> None:
    secret = "a/b+c=d&e"
    redactor = Redactor.of_credentials([secret])
    assert redactor('"a\\/b+c=d&e" and a%2Fb%2Bc%3Dd%26e') == f'"{REDACTED}" and {REDACTED}'
