from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from hub.cli import main
from hub.storage import migrate
from hub.storage.database import create_engine

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
    (tmp_path / "hub.db").touch()
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


JIRA = SOURCE.format(kind="jira")
SECRETS = {"JIRA_EMAIL": "e", "JIRA_TOKEN": "t", "HUB_DATABASE_URL": None, "HUB_CONFIG": None}


def one_line_failure(tmp_path: Path, text: str, *args: str, **env: str | None) -> str:
    """``hub --config FILE ARGS`` on a config of ``text``: fails with one line, no traceback."""
    config = tmp_path / "hub.toml"
    config.write_text(text)
    result = CliRunner().invoke(main, ["--config", str(config), *args], env={**SECRETS, **env})
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "Unexpected error" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    return line


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('projects = ["PAY"]', 'projects = ["PAY"]\nevery = "999999999d"'), "longer than"),
        (
            ('projects = ["PAY"]', 'projects = ["PAY"]\nevery = "99999999999999999999d"'),
            "longer than",
        ),
        (('projects = ["PAY"]', 'projects = ["PAY"]\nevery = "10s"'), "must be at least 1m"),
        (('projects = ["PAY"]', 'projects = ["PAY"]\njql = "project = X"'), "exclude each other"),
        (("https://", "https://pm:hunter2@"), "base_url must not contain a user name or password"),
        (("https://acme", "https://ac\\u0000me"), "must not contain spaces or control characters"),
        (('kind = "jira"', 'kind = "jira"\ndatabase_url = "x"'), "is not a known key"),
    ],
)
@pytest.mark.parametrize("command", [("sync",), ("db", "upgrade"), ("token", "list")])
def test_a_bad_source_fails_every_command_with_one_line(
    tmp_path: Path, change: tuple[str, str], expected: str, command: tuple[str, ...]
) -> None:
    line = one_line_failure(tmp_path, JIRA.replace(*change), *command)
    assert "source 'jira-acme': key" in line and expected in line
    assert "hunter2" not in line


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://hub:hunter2@db/hub", "scheme 'mysql' is not supported: use sqlite"),
        ("postgresql+asyncpg://postgres@127.0.0.1:1/x", "cannot open database"),
        ("postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/x", "127.0.0.1:1/x: Connect call"),
        ("sqlite+aiosqlite:////nonexistent/dir/x.db", "x.db: its directory does not exist"),
        ("postgresql+asyncpg://postgres@127.0.0.1:notaport/x", "not a valid database URL"),
    ],
)
def test_db_upgrade_of_a_database_it_cannot_reach_fails_with_one_line(
    tmp_path: Path, url: str, expected: str
) -> None:
    for text, env in ((f'database_url = "{url}"\n' + JIRA, {}), (JIRA, {"HUB_DATABASE_URL": url})):
        line = one_line_failure(tmp_path, text, "db", "upgrade", **env)
        assert expected in line and "hunter2" not in line


def test_commands_on_a_missing_database_file_say_so_and_create_nothing(tmp_path: Path) -> None:
    database = tmp_path / "hub.db"
    text = f'database_url = "sqlite+aiosqlite:///{database}"\n' + JIRA
    for command in (("token", "list"), ("report", "roadmap"), ("sync",)):
        line = one_line_failure(tmp_path, text, *command)
        assert line.endswith("does not exist, so it is not up to date: run `hub db upgrade`")
    assert not database.exists()


def test_a_missing_database_fails_with_one_line(tmp_path: Path) -> None:
    """On the test database's server: a database that does not exist there."""
    server = os.environ.get("HUB_TEST_DATABASE_URL")
    if server:
        url = make_url(server).set(database="hub_no_such_database").render_as_string(False)
        expected = 'database "hub_no_such_database" does not exist'
    else:
        url, expected = f"sqlite+aiosqlite:///{tmp_path}/no/dir/hub.db", "directory does not exist"
    line = one_line_failure(tmp_path, JIRA, "db", "upgrade", HUB_DATABASE_URL=url)
    assert expected in line


def test_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    """A new file: the schema is created; again: already at the head; from an older revision:
    upgraded from it."""
    database = tmp_path / "hub.db"
    config = tmp_path / "hub.toml"
    config.write_text(f'database_url = "sqlite+aiosqlite:///{database}"\n' + JIRA)

    def upgrade() -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"], env=SECRETS)
        assert result.exit_code == 0, result.output
        return result.output.strip()

    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    url = f"sqlite+aiosqlite:///{database}"
    assert upgrade() == f"database {url} had no schema: created it at revision {head}"
    assert upgrade() == f"database {url} is already at revision {head}"

    database.unlink()
    asyncio.run(upgrade_to(url, "0007"))
    assert upgrade() == f"database {url} upgraded from revision 0007 to {head}"


async def upgrade_to(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine, revision)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("command", [("sync",), ("token", "list"), ("report", "roadmap")])
def test_commands_on_a_server_they_cannot_reach_fail_with_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    url = "postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/x"
    line = one_line_failure(tmp_path, JIRA, *command, HUB_DATABASE_URL=url)
    assert line == (
        "Error: cannot open database postgresql+asyncpg://postgres:***@127.0.0.1:1/x: "
        "Connect call failed ('127.0.0.1', 1)"
    )
