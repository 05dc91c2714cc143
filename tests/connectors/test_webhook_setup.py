"""``hub webhooks setup`` over respx, on the vendors' request and response shapes: created,
already there (nothing created twice), refused (the steps to do it by hand), other failures
(an error, redacted), and the secret never shown."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from click.testing import CliRunner
from pydantic import SecretStr

from connectors.http.retry import RetryPolicy
from connectors.webhook_setup import (
    GITHUB_REPO_EVENTS,
    JIRA_EVENTS,
    LINEAR_RESOURCE_TYPES,
    Outcome,
    hook_url,
    set_up_webhooks,
)
from hub.cli import main
from hub.contract.config import ProjectRef, SourceConfig
from hub.contract.errors import ConfigError, HubError, TrackerRequestError, TrackerUnavailable

SECRET = "whsec-It-is-a-Secret-to-Everybody"
GITHUB = "https://api.github.com"
JIRA = "https://acme.atlassian.net"
LINEAR = "https://api.linear.app"
HUB = "https://hub.example.com"


SCOPES: dict[str, tuple[dict[str, Any], str]] = {
    "github": ({"repos": ("acme/api",)}, GITHUB),
    "jira": ({"projects": ("PAY", "PLAT")}, JIRA),
    "linear": ({"teams": ("ENG",)}, LINEAR),
}


def source(kind: str, **fields: Any) -> SourceConfig:
    scope, base = SCOPES[kind]
    config = SourceConfig.model_validate(
        {"name": kind[:2], "kind": kind, "base_url": base, "token_env": "TOKEN",
         "webhook_secret_env": "HOOK_SECRET", **scope, **fields}
    )  # fmt: skip
    configured = config.read_secrets_from({"HOOK_SECRET": SECRET}, "hub.toml")
    return configured.model_copy(update={"token": SecretStr("tok-abcdef")})


def github_hook(hook_id: int, url: str, scope: str = "repos/acme/api") -> dict[str, Any]:
    """A hook as ``GET /repos/{owner}/{repo}/hooks`` lists it (the secret masked)."""
    return {
        "type": "Organization" if scope.startswith("orgs/") else "Repository",
        "id": hook_id,
        "name": "web",
        "active": True,
        "events": list(GITHUB_REPO_EVENTS),
        "config": {"content_type": "json", "insecure_ssl": "0", "url": url, "secret": "********"},
        "updated_at": "2026-03-01T12:00:00Z",
        "created_at": "2026-03-01T12:00:00Z",
        "url": f"{GITHUB}/{scope}/hooks/{hook_id}",
        "ping_url": f"{GITHUB}/{scope}/hooks/{hook_id}/pings",
        "deliveries_url": f"{GITHUB}/{scope}/hooks/{hook_id}/deliveries",
        "last_response": {"code": None, "status": "unused", "message": None},
    }


NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest",
             "status": "404"}  # fmt: skip


def test_the_hook_url_is_the_public_address_and_the_source() -> None:
    assert hook_url("https://hub.example.com/", "gh") == "https://hub.example.com/webhooks/gh"
    assert hook_url("https://hub.example.com/webhooks/gh", "gh").count("/webhooks/") == 1
    for bad in ("hub.example.com", "ftp://hub", "https://u:p@hub.example.com", "https://h/?a=1"):
        with pytest.raises(HubError):
            hook_url(bad, "gh")


async def test_github_creates_a_hook_per_repository_and_one_for_the_organisation(mock) -> None:
    config = source("github", projects_v2=(ProjectRef(owner="acme", number=7),))
    mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(200, json=[github_hook(1, "https://x")])
    created = mock.post(f"{GITHUB}/repos/acme/api/hooks").respond(
        201, json=github_hook(2, f"{HUB}/webhooks/gi")
    )
    mock.get(f"{GITHUB}/orgs/acme/hooks").respond(200, json=[])
    org = mock.post(f"{GITHUB}/orgs/acme/hooks").respond(
        201, json=github_hook(3, f"{HUB}/webhooks/gi", "orgs/acme")
    )

    results = await set_up_webhooks(config, HUB)

    assert [(r.place, r.outcome, r.detail) for r in results] == [
        ("repository acme/api", Outcome.CREATED, "id 2"),
        ("organisation acme", Outcome.CREATED, "id 3"),
    ]
    assert json.loads(created.calls.last.request.content) == {
        "name": "web",
        "active": True,
        "events": ["issues", "sub_issues", "issue_dependencies"],
        "config": {"url": f"{HUB}/webhooks/gi", "content_type": "json", "secret": SECRET,
                   "insecure_ssl": "0"},
    }  # fmt: skip
    assert json.loads(org.calls.last.request.content)["events"] == ["projects_v2_item"]
    assert created.calls.last.request.headers["Authorization"] == "Bearer tok-abcdef"


async def test_github_leaves_a_hook_to_the_hub_alone_on_any_page(mock) -> None:
    second = f"{GITHUB}/repositories/1296269/hooks?per_page=100&page=2"
    mock.get(second).respond(200, json=[github_hook(9, f"{HUB}/webhooks/gi")])
    mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(
        200, json=[github_hook(1, "https://x")], headers={"Link": f'<{second}>; rel="next"'}
    )
    created = mock.post(f"{GITHUB}/repos/acme/api/hooks")

    (result,) = await set_up_webhooks(source("github"), HUB)

    assert result.outcome is Outcome.EXISTS and not created.called


async def test_github_answering_that_the_hook_exists_is_no_failure(mock) -> None:
    mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(200, json=[])
    mock.post(f"{GITHUB}/repos/acme/api/hooks").respond(
        422,
        json={"message": "Validation Failed", "status": "422", "errors": [
            {"resource": "Hook", "code": "custom",
             "message": "Hook already exists on this repository"}]},
    )  # fmt: skip
    (result,) = await set_up_webhooks(source("github"), HUB)
    assert result.outcome is Outcome.EXISTS


async def test_github_refusing_the_token_gives_the_manual_steps(mock) -> None:
    mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(404, json=NOT_FOUND)
    created = mock.post(f"{GITHUB}/repos/acme/api/hooks")

    (result,) = await set_up_webhooks(source("github"), HUB)

    assert result.outcome is Outcome.MANUAL and not created.called
    steps = "\n".join(result.steps)
    assert "https://github.com/acme/api/settings/hooks/new" in steps
    assert f"Payload URL: {HUB}/webhooks/gi" in steps
    assert "application/json" in steps and "HOOK_SECRET" in steps
    assert "Issues, Sub issues, Issue dependencies" in steps
    assert SECRET not in steps


async def test_an_enterprise_server_gets_its_own_settings_page(mock) -> None:
    base = "https://ghe.acme.test/api/v3"
    mock.get(f"{base}/repos/acme/api/hooks").respond(403, json={"message": "Must have admin"})
    (result,) = await set_up_webhooks(source("github", base_url=base), HUB)
    assert result.outcome is Outcome.MANUAL
    assert result.steps[0].startswith("Open https://ghe.acme.test/acme/api/settings/hooks/new")


async def test_other_failures_raise_without_the_secret(mock) -> None:
    mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(200, json=[])
    mock.post(f"{GITHUB}/repos/acme/api/hooks").respond(
        422, json={"message": f"Validation Failed: config.secret {SECRET} is not allowed"}
    )
    with pytest.raises(TrackerRequestError) as raised:
        await set_up_webhooks(source("github"), HUB)
    assert raised.value.status == 422
    assert SECRET not in str(raised.value) and "[redacted]" in str(raised.value)


async def test_a_tracker_down_is_an_error(mock) -> None:
    mock.get(f"{JIRA}/rest/webhooks/1.0/webhook").respond(503)
    config = source("jira").model_copy(update={"email": SecretStr("me@acme.test")})
    with pytest.raises(TrackerUnavailable):
        await set_up_webhooks(config, HUB, policy=RetryPolicy(attempts=1))  # never waits


async def test_a_source_without_a_secret_variable_is_refused_before_any_request(mock) -> None:
    config = source("github").model_copy(update={"webhook_secret_env": None})
    with pytest.raises(ConfigError, match="webhook_secret_env"):
        await set_up_webhooks(config, HUB)
    unset = source("github").read_secrets_from({}, "hub.toml")
    with pytest.raises(ConfigError, match="HOOK_SECRET is not set"):
        await set_up_webhooks(unset, HUB)
    assert not mock.calls


def jira_hook(url: str) -> dict[str, Any]:
    """An admin webhook as ``GET /rest/webhooks/1.0/webhook`` lists it."""
    return {
        "name": "Tracker Hub (ji)",
        "url": url,
        "excludeBody": False,
        "filters": {"issue-related-events-section": 'project in ("PAY", "PLAT")'},
        "events": list(JIRA_EVENTS),
        "enabled": True,
        "self": f"{JIRA}/rest/webhooks/1.0/webhook/7",
        "lastUpdatedUser": "admin",
        "lastUpdatedDisplayName": "Administrator",
        "lastUpdated": 1772366400000,
    }


async def test_jira_creates_an_admin_webhook_filtered_to_the_sources_issues(mock) -> None:
    mock.get(f"{JIRA}/rest/webhooks/1.0/webhook").respond(200, json=[jira_hook("https://x")])
    created = mock.post(f"{JIRA}/rest/webhooks/1.0/webhook").respond(
        201, json=jira_hook(f"{HUB}/webhooks/ji")
    )
    config = source("jira").model_copy(update={"email": SecretStr("me@acme.test")})

    (result,) = await set_up_webhooks(config, HUB)

    assert result.outcome is Outcome.CREATED
    assert result.detail == f"id {JIRA}/rest/webhooks/1.0/webhook/7"
    assert json.loads(created.calls.last.request.content) == {
        "name": "Tracker Hub (ji)",
        "url": f"{HUB}/webhooks/ji",
        "events": ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
                   "issuelink_created", "issuelink_deleted"],
        "filters": {"issue-related-events-section": 'project in ("PAY", "PLAT")'},
        "excludeBody": False,
        "secret": SECRET,
    }  # fmt: skip


async def test_jira_with_a_jql_source_filters_on_its_jql_and_is_idempotent(mock) -> None:
    mock.get(f"{JIRA}/rest/webhooks/1.0/webhook").respond(
        200, json=[jira_hook(f"{HUB}/webhooks/ji")]
    )
    created = mock.post(f"{JIRA}/rest/webhooks/1.0/webhook")
    config = source("jira", projects=(), jql="component = Billing")
    (result,) = await set_up_webhooks(config, HUB)
    assert result.outcome is Outcome.EXISTS and not created.called


async def test_jira_refusing_a_non_admin_gives_the_manual_steps(mock) -> None:
    mock.get(f"{JIRA}/rest/webhooks/1.0/webhook").respond(
        403, json={"errorMessages": ["You are not authorized to perform this action."]}
    )
    (result,) = await set_up_webhooks(source("jira", projects=(), jql="component = Billing"), HUB)
    assert result.outcome is Outcome.MANUAL
    steps = "\n".join(result.steps)
    assert f"{JIRA}/plugins/servlet/webhooks" in steps and "JQL: component = Billing" in steps
    assert "HOOK_SECRET" in steps and SECRET not in steps


def linear_webhook(url: str, team: str | None, *, all_public: bool = False) -> dict[str, Any]:
    return {
        "id": "5b6c7d8e-0000-4000-8000-000000000001",
        "url": url,
        "enabled": True,
        "allPublicTeams": all_public,
        "team": None if team is None else {"key": team},
        "resourceTypes": ["Issue"],
    }


def linear_page(*hooks: dict[str, Any], end: str | None = None) -> dict[str, Any]:
    info = {"hasNextPage": end is not None, "endCursor": end}
    return {"data": {"webhooks": {"nodes": list(hooks), "pageInfo": info}}}


async def test_linear_creates_one_webhook_per_team_it_lacks(mock) -> None:
    config = source("linear", teams=("ENG", "INFRA"))
    answers = [
        httpx.Response(200, json=linear_page(linear_webhook("https://x", "ENG"), end="c1")),
        httpx.Response(200, json=linear_page(linear_webhook(f"{HUB}/webhooks/li", "eng"))),
        httpx.Response(200, json={"data": {"webhookCreate": {"success": True, "webhook":
            linear_webhook(f"{HUB}/webhooks/li", "INFRA") | {"id": "w-2"}}}}),
    ]  # fmt: skip
    route = mock.post(f"{LINEAR}/graphql").mock(side_effect=answers)

    results = await set_up_webhooks(config, HUB)

    assert [(r.place, r.outcome) for r in results] == [
        ("team ENG", Outcome.EXISTS),
        ("team INFRA", Outcome.CREATED),
    ]
    listing, next_page, creation = (json.loads(c.request.content) for c in route.calls)
    assert listing["variables"] == {"after": None} and next_page["variables"] == {"after": "c1"}
    assert creation["variables"]["input"] == {
        "url": f"{HUB}/webhooks/li",
        "secret": SECRET,
        "teamId": "INFRA",
        "resourceTypes": list(LINEAR_RESOURCE_TYPES),
        "label": "Tracker Hub (li)",
    }
    assert "webhookCreate(input: $input)" in creation["query"]


async def test_linear_refusing_a_non_admin_gives_the_manual_steps(mock) -> None:
    forbidden = {"data": None, "errors": [{"message": "Forbidden", "extensions": {
        "type": "forbidden", "code": "FORBIDDEN", "statusCode": 403, "userError": True,
        "userPresentableMessage": "You need to be a workspace admin"}}]}  # fmt: skip
    mock.post(f"{LINEAR}/graphql").respond(400, json=forbidden)

    (result,) = await set_up_webhooks(source("linear"), HUB)

    assert result.outcome is Outcome.MANUAL
    steps = "\n".join(result.steps)
    assert "https://linear.app/settings/api" in steps and "Team: ENG" in steps
    assert "HOOK_SECRET" in steps and SECRET not in steps


CONFIG = """
[[sources]]
name = "gh"
kind = "github"
base_url = "https://api.github.com"
repos = ["acme/api"]
token_env = "GH_TOKEN"
webhook_secret_env = "GH_HOOK_SECRET"
"""


@pytest.fixture
def config_file(tmp_path: Any) -> str:
    path = tmp_path / "hub.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return str(path)


def invoke(config_file: str, *args: str) -> Any:
    env = {"GH_TOKEN": "tok-abcdef", "GH_HOOK_SECRET": SECRET}
    return CliRunner().invoke(main, ["--config", config_file, "webhooks", "setup", *args], env=env)


def test_the_command_prints_the_steps_when_refused_and_exits_0(config_file: str) -> None:
    with respx.mock(assert_all_mocked=True) as mock:
        mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(404, json=NOT_FOUND)
        result = invoke(config_file, "--source", "gh", "--url", HUB)
    assert result.exit_code == 0, result.output
    assert "gh: repository acme/api: the tracker answered 404" in result.output
    assert "  3. Content type: application/json" in result.output
    assert "GH_HOOK_SECRET" in result.output and SECRET not in result.output


def test_the_command_says_what_it_created(config_file: str) -> None:
    with respx.mock(assert_all_mocked=True) as mock:
        mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(200, json=[])
        mock.post(f"{GITHUB}/repos/acme/api/hooks").respond(
            201, json=github_hook(42, f"{HUB}/webhooks/gh")
        )
        result = invoke(config_file, "--source", "gh", "--url", HUB)
    assert result.exit_code == 0, result.output
    assert result.output == "gh: repository acme/api: created the webhook (id 42)\n"


def test_the_command_fails_clearly_otherwise(config_file: str) -> None:
    unknown = invoke(config_file, "--source", "nope", "--url", HUB)
    assert unknown.exit_code == 1 and "no source named 'nope' (configured: gh)" in unknown.output
    with respx.mock(assert_all_mocked=True) as mock:
        mock.get(f"{GITHUB}/repos/acme/api/hooks").respond(200, json=[])
        mock.post(f"{GITHUB}/repos/acme/api/hooks").respond(
            422, json={"message": f"bad config {SECRET}"}
        )
        failed = invoke(config_file, "--source", "gh", "--url", HUB)
    assert failed.exit_code == 1 and "422" in failed.output and SECRET not in failed.output
