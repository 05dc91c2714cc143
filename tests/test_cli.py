from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main

SOURCE = """
[[sources]]
name = "jira-acme"
kind = "{kind}"
base_url = "https://acme.atlassian.net"
projects = ["PAY"]
email_env = "JIRA_EMAIL"
token_env = "JIRA_TOKEN"
"""


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        (SOURCE.format(kind="jirra"), {"JIRA_EMAIL": "e", "JIRA_TOKEN": "t"}, "key 'kind'"),
        (
            SOURCE.format(kind="jira").replace('base_url = "https://acme.atlassian.net"\n', ""),
            {"JIRA_EMAIL": "e", "JIRA_TOKEN": "t"},
            "key 'base_url': is required",
        ),
        (
            SOURCE.format(kind="jira"),
            {"JIRA_EMAIL": "e"},
            "key 'token_env': environment variable JIRA_TOKEN is not set",
        ),
    ],
)
def test_sync_with_a_bad_config_fails_with_one_line(tmp_path: Path, text, env, expected) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(text)
    result = CliRunner().invoke(
        main, ["--config", str(config), "sync"], env={"JIRA_TOKEN": None, **env}
    )
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {config}: source 'jira-acme': ") and expected in line


def test_sync_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'database_url = "sqlite+aiosqlite:///{tmp_path}/hub.db"\n' + SOURCE.format(kind="jira")
    )
    result = CliRunner().invoke(
        main,
        ["--config", str(config), "sync"],
        env={"JIRA_EMAIL": "e", "JIRA_TOKEN": "t", "HUB_DATABASE_URL": None},
    )
    assert result.exit_code == 1
    assert "is not up to date: run `hub db upgrade`" in result.output


def test_db_upgrade_then_sync_of_an_unknown_source(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'database_url = "sqlite+aiosqlite:///{tmp_path}/hub.db"\n' + SOURCE.format(kind="jira")
    )
    env = {"JIRA_EMAIL": "e", "JIRA_TOKEN": "t", "HUB_DATABASE_URL": None}
    upgraded = CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    result = CliRunner().invoke(
        main, ["--config", str(config), "sync", "--source", "nope"], env=env
    )
    assert (
        result.exit_code == 1 and "no source named 'nope' (configured: jira-acme)" in result.output
    )
