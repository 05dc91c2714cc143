"""A command asks only for the secrets it uses: the trackers' tokens are read when a source is
synced, so the commands that sync nothing run with none set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hub.cli import main
from hub.contract.config import SourceConfig
from hub.contract.records import RunStatus
from hub.sync import SyncEngine, SyncReport
from tests.sockets import free_port

SOURCES = """
[[sources]]
name = "jira"
kind = "jira"
base_url = "https://acme.atlassian.net"
projects = ["PAY"]
email_env = "JIRA_EMAIL"
token_env = "JIRA_TOKEN"

[[sources]]
name = "github"
kind = "github"
base_url = "https://api.github.com"
repos = ["acme/payments-api"]
token_env = "GITHUB_TOKEN"
"""

NO_SECRETS = {"JIRA_EMAIL": None, "JIRA_TOKEN": None, "GITHUB_TOKEN": None}


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``hub ARGS`` with a config of two sources on a migrated SQLite file, in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "hub.toml"
    config.write_text(f'database_url = "sqlite+aiosqlite:///{tmp_path}/hub.db"\n' + SOURCES)

    def invoke(*args: str, **env: str | None) -> Result:
        environment = {**NO_SECRETS, "HUB_DATABASE_URL": None, "HUB_CONFIG": None, **env}
        return CliRunner().invoke(main, ["--config", str(config), *args], env=environment)

    upgraded = invoke("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    return invoke


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "Traceback" not in result.output
    return line


def test_db_upgrade_needs_no_secret(hub: Any) -> None:
    result = hub("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "is already at revision" in result.output


def test_token_commands_need_no_secret(hub: Any) -> None:
    created = hub("token", "create", "bot", "--scope", "read")
    assert created.exit_code == 0, created.output
    listed = hub("token", "list")
    assert listed.exit_code == 0 and "bot" in listed.output
    revoked = hub("token", "revoke", "bot")
    assert revoked.exit_code == 0 and "revoked" in revoked.output


def test_reports_need_no_secret(hub: Any) -> None:
    roadmap = hub("report", "roadmap", "--format", "json")
    assert roadmap.exit_code == 0, roadmap.output
    assert '"lanes"' in roadmap.output
    graph = hub("report", "dependencies", "--format", "json")
    assert graph.exit_code == 0, graph.output


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Apps ``hub serve`` would serve, kept instead of served."""
    apps: list[Any] = []

    async def keep(app: Any, sock: Any, api: Any) -> None:
        sock.close()
        apps.append(app)

    monkeypatch.setattr("hub.runner.serve_app", keep)
    return apps


def test_serve_without_scheduling_needs_no_secret(hub: Any, served: list[Any]) -> None:
    result = hub("serve", "--no-schedule", "--port", str(free_port()))
    assert result.exit_code == 0, result.output
    assert len(served) == 1


def test_serve_with_scheduling_names_the_missing_secret_and_serves_nothing(
    hub: Any, served: list[Any]
) -> None:
    line = one_line_error(
        hub("serve", "--port", str(free_port()), JIRA_EMAIL="pm@acme.example", JIRA_TOKEN="t")
    )
    assert line.endswith(
        "source 'github': key 'token_env': environment variable GITHUB_TOKEN is not set"
    )
    assert served == []


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[SourceConfig]:
    """Sources the sync engine was asked to sync, answered as succeeded without a tracker."""
    sources: list[SourceConfig] = []

    async def sync(_engine: SyncEngine, source: SourceConfig, **_options: Any) -> SyncReport:
        sources.append(source)
        return SyncReport(source=source.name, status=RunStatus.SUCCEEDED)

    monkeypatch.setattr(SyncEngine, "sync", sync)
    return sources


def test_sync_of_one_source_needs_only_its_secrets(hub: Any, synced: list[SourceConfig]) -> None:
    result = hub("sync", "--source", "github", GITHUB_TOKEN="ghp_t0ken")
    assert result.exit_code == 0, result.output
    (source,) = synced
    assert source.name == "github" and source.token.get_secret_value() == "ghp_t0ken"
    assert "ghp_t0ken" not in result.output


def test_sync_names_the_missing_secret_of_its_source_and_syncs_nothing(
    hub: Any, synced: list[SourceConfig]
) -> None:
    line = one_line_error(hub("sync", "--source", "jira", JIRA_TOKEN="t", GITHUB_TOKEN="g"))
    assert line.endswith(
        "source 'jira': key 'email_env': environment variable JIRA_EMAIL is not set"
    )
    line = one_line_error(hub("sync", GITHUB_TOKEN="g"))
    assert "source 'jira': key 'token_env': environment variable JIRA_TOKEN is not set" in line
    assert synced == []


async def test_on_demand_syncs_read_a_sources_secrets_when_its_connector_is_built(
    tmp_path: Path,
) -> None:
    """`hub serve --no-schedule` starts without secrets; ``syncSource`` reads them then."""
    from hub.contract.config import load_config
    from hub.contract.errors import ConfigError
    from hub.runner import connector_with_secrets

    config_file = tmp_path / "hub.toml"
    config_file.write_text(SOURCES)
    env: dict[str, str] = {}
    github = load_config(config_file, env).source("github")
    missing = connector_with_secrets(github)
    with pytest.raises(ConfigError, match="environment variable GITHUB_TOKEN is not set"):
        await missing.prepare()
    env["GITHUB_TOKEN"] = "ghp_later"
    connector = connector_with_secrets(github)
    try:
        assert connector.source.token.get_secret_value() == "ghp_later"
    finally:
        await connector.aclose()


SYNC_NOW = """mutation { syncSource(name: "github") {
  __typename ... on SyncRun { status error } ... on SyncSourceProblem { message } } }"""


async def test_sync_source_without_its_secret_answers_a_failed_run_naming_the_variable(
    tmp_path: Path, sessions: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from hub.contract.config import load_config
    from hub.runner import build_app
    from hub.storage.tokens import create_token

    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    config_file = tmp_path / "hub.toml"
    config_file.write_text(SOURCES)
    app = build_app(load_config(config_file, {}), sessions, graphiql=False, schedule=False)
    token = await create_token(sessions, "ops", "write")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        response = await client.post(
            "/graphql", json={"query": SYNC_NOW}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200 and "errors" not in response.json(), response.json()
    answer = response.json()["data"]["syncSource"]
    assert answer["__typename"] == "SyncRun" and answer["status"] == "failed"
    assert answer["error"] == (
        f"{config_file}: source 'github': key 'token_env': environment variable GITHUB_TOKEN "
        "is not set"
    )
