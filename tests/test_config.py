from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from hub.contract.config import DEFAULT_DATABASE_URL, load_config
from hub.contract.errors import ConfigError

ENV = {"JIRA_EMAIL": "pm@example.com", "JIRA_TOKEN": "s3cr3t-t0ken"}

GOOD = """
[[sources]]
name = "jira-acme"
kind = "jira"
base_url = "https://acme.atlassian.net"
projects = ["PAY", "PLAT"]
email_env = "JIRA_EMAIL"
token_env = "JIRA_TOKEN"
every = "15m"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text)
    return path


def test_a_good_file_gives_sources_with_secrets_from_the_environment(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ENV)
    (source,) = config.sources
    assert source.projects == ("PAY", "PLAT")
    assert source.every == timedelta(minutes=15)
    assert source.token.get_secret_value() == "s3cr3t-t0ken"
    assert "s3cr3t" not in repr(source) and "s3cr3t" not in str(config)
    assert config.database_url == DEFAULT_DATABASE_URL


def test_the_database_url_comes_from_the_environment_first(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://hub@db/hub"
    assert load_config(write(tmp_path, GOOD), {**ENV, "HUB_DATABASE_URL": url}).database_url == url


def test_no_file_at_the_default_place_means_nothing_configured(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(None, {}).sources == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('kind = "jira"', 'kind = "jiraa"'), "source 'jira-acme': key 'kind': must be one of"),
        (
            ('base_url = "https://acme.atlassian.net"\n', ""),
            "source 'jira-acme': key 'base_url': is required",
        ),
        (
            ('every = "15m"', 'every = "soon"'),
            "source 'jira-acme': key 'every': expected a positive duration",
        ),
        (
            ('projects = ["PAY", "PLAT"]', 'repos = ["a/b"]'),
            "source 'jira-acme': key 'repos' does not apply",
        ),
        (
            ('every = "15m"', 'every = "15m"\ntoken = "inline"'),
            "source 'jira-acme': key 'token' is not a known key: put the secret in an environment",
        ),
    ],
)
def test_a_wrong_key_names_the_file_the_source_and_the_key(tmp_path, change, expected) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as error:
        load_config(path, ENV)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message


def test_an_unset_token_variable_is_named_without_any_secret(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match="source 'jira-acme': key 'token_env': environment variable JIRA_TOKEN is not set",
    ):
        load_config(write(tmp_path, GOOD), {"JIRA_EMAIL": "pm@example.com"})


def test_a_named_file_that_is_missing_or_not_toml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", ENV)
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[[sources]\n"), ENV)


def test_source_names_are_unique(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="used twice"):
        load_config(write(tmp_path, GOOD + GOOD), ENV)


GITHUB = """
[[sources]]
name = "gh"
kind = "github"
base_url = "https://api.github.com"
repos = ["acme/payments-api"]
token_env = "GH_TOKEN"
"""


def test_catalog_and_initiatives_are_read(tmp_path: Path) -> None:
    text = (
        GITHUB
        + """
[[components]]
name = "Payments"
owner = "team-payments"
github_repos = ["Acme/Payments-API"]

[[initiatives]]
key = "payments-v2"
title = "Payments v2"
target_date = 2027-03-31
epics = ["PAY-12"]
"""
    )
    config = load_config(write(tmp_path, text), {"GH_TOKEN": "t"})
    assert config.components[0].owner == "team-payments"
    (initiative,) = config.initiatives
    assert initiative.adopting_labels == ("initiative:payments-v2",)
    assert initiative.target_date == date(2027, 3, 31)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '[[components]]\nname = "P"\ngithub_repos = ["acme/other"]\n',
            "component 'P': key 'github_repos': 'acme/other' is not synced by any github source",
        ),
        (
            '[[components]]\nname = "P"\nlinear_teams = ["ENG"]\n',
            "component 'P': key 'linear_teams': 'ENG' is not synced by any linear source",
        ),
        (
            '[[components]]\nname = "P"\ngithub_labels = ["x"]\n[[components]]\nname = "Q"\n'
            'github_labels = ["x"]\n',
            "component 'Q': key 'github_labels': 'x' already maps to component 'P'",
        ),
        (
            '[[components]]\nname = "P"\njira_projects = ["x"]\n',
            "component 'P': key 'jira_projects': is not a known key",
        ),
        (
            '[[initiatives]]\nkey = "Payments V2"\ntitle = "x"\n',
            "initiative 'Payments V2': key 'key'",
        ),
        (
            '[[initiatives]]\nkey = "a"\ntitle = "x"\ntarget_date = "soon"\n',
            "initiative 'a': key 'target_date'",
        ),
    ],
)
def test_unknown_names_in_the_catalog_are_config_errors(tmp_path: Path, extra, expected) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, GITHUB + extra), {"GH_TOKEN": "t"})
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_the_hub_source_name_is_reserved(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reserved"):
        load_config(
            write(tmp_path, GITHUB.replace('name = "gh"', 'name = "hub"')), {"GH_TOKEN": "t"}
        )


def test_catalog_names_are_compared_as_their_trackers_compare_them(tmp_path: Path) -> None:
    """Repositories ignore case and team keys are upper case, as the sync maps them; labels
    are exact."""
    linear = '[[sources]]\nname = "lin"\nkind = "linear"\nbase_url = "https://l"\n'
    linear += 'teams = ["ENG"]\ntoken_env = "GH_TOKEN"\n'
    catalog = (
        '[[components]]\nname = "P"\ngithub_repos = ["ACME/Payments-Api"]\nlinear_teams = ["eng"]\n'
        'github_labels = ["Area"]\n[[components]]\nname = "Q"\ngithub_labels = ["area"]\n'
    )
    config = load_config(write(tmp_path, GITHUB + linear + catalog), {"GH_TOKEN": "t"})
    assert [c.name for c in config.components] == ["P", "Q"]

    twice = catalog + '[[components]]\nname = "R"\ngithub_repos = ["acme/payments-api"]\n'
    with pytest.raises(ConfigError, match="'acme/payments-api' already maps to component 'P'"):
        load_config(write(tmp_path, GITHUB + linear + twice), {"GH_TOKEN": "t"})
