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
    assert source.token.get_secret_value() == ""  # read only when a sync needs it
    synced = source.with_secrets()
    assert synced.token.get_secret_value() == "s3cr3t-t0ken"
    assert synced.email is not None and synced.email.get_secret_value() == "pm@example.com"
    assert "s3cr3t" not in repr(synced) and "s3cr3t" not in str(synced)
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
    path = write(tmp_path, GOOD)
    (source,) = load_config(path, {"JIRA_EMAIL": "pm@example.com"}).sources
    with pytest.raises(ConfigError) as error:
        source.with_secrets()
    assert str(error.value) == (
        f"{path}: source 'jira-acme': key 'token_env': environment variable JIRA_TOKEN is not set"
    )


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
        (
            '[[initiatives]]\nkey = "a"\ntitle = "x"\ntarget_date = 9999-12-31\n',
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


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (
            "https://pm:hunter2@acme.atlassian.net",
            "base_url must not contain a user name or password",
        ),
        (
            "https://hunter2@acme.atlassian.net/",
            "base_url must not contain a user name or password",
        ),
        ("ftp://acme.atlassian.net", "must be an http:// or https:// address"),
        ("javascript:alert(1)", "must be an http:// or https:// address"),
        (
            "https://acme.atlassian.net\\u0000hunter2",
            "must not contain spaces or control characters",
        ),
        ("https://acme.atlassian.net\\nhunter2", "must not contain spaces or control characters"),
        ("https://", "must be an http:// or https:// address"),
        ("https://:443/", "must name a host"),
    ],
)
def test_a_base_url_with_credentials_or_another_scheme_is_refused_without_echoing_it(
    tmp_path: Path, base_url: str, expected: str
) -> None:
    text = GOOD.replace("https://acme.atlassian.net", base_url)
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), ENV)
    message = str(error.value)
    assert f"source 'jira-acme': key 'base_url': {expected}" in message
    assert "hunter2" not in message and "\n" not in message and "\0" not in message


def test_a_plain_http_base_url_with_a_port_and_path_is_accepted(tmp_path: Path) -> None:
    text = GOOD.replace("https://acme.atlassian.net", "http://127.0.0.1:8801/jira@2")
    assert load_config(write(tmp_path, text), ENV).sources[0].base == "http://127.0.0.1:8801/jira@2"


@pytest.mark.parametrize(
    ("every", "expected"),
    [
        ('"99999999999d"', "'99999999999d' is longer than the longest period allowed, 366d"),
        ('"999999999d"', "'999999999d' is longer than the longest period allowed, 366d"),
        ('"367d"', "longer than the longest period allowed"),
        ('"59s"', "must be at least 1m"),
    ],
)
def test_every_is_between_a_minute_and_a_year(tmp_path: Path, every: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, GOOD.replace('"15m"', every)), ENV)
    assert "source 'jira-acme': key 'every': " in str(error.value)
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_every_of_a_minute_or_a_year_is_accepted(tmp_path: Path) -> None:
    for every, expected in (("1m", timedelta(minutes=1)), ("366d", timedelta(days=366))):
        config = load_config(write(tmp_path, GOOD.replace("15m", every)), ENV)
        assert config.sources[0].every == expected


@pytest.mark.parametrize(
    "url",
    ["mysql://hub:hunter2@db/hub", "postgresql://hub:hunter2@db/hub", "hub.db", "sqlite:///hub.db"],
)
def test_a_database_url_of_an_unknown_scheme_is_refused_without_its_password(
    tmp_path: Path, url: str
) -> None:
    path = write(tmp_path, f'database_url = "{url}"\n' + GOOD)
    with pytest.raises(ConfigError) as in_file:
        load_config(path, ENV)
    with pytest.raises(ConfigError) as in_env:
        load_config(write(tmp_path, GOOD), {"HUB_DATABASE_URL": url})
    assert str(in_file.value).startswith(f"{path}: key 'database_url': ")
    assert str(in_env.value).startswith("HUB_DATABASE_URL: ")
    for message in (str(in_file.value), str(in_env.value)):
        assert "is not supported: use sqlite+aiosqlite:///FILE or postgresql+asyncpg://" in message
        assert "hunter2" not in message and "\n" not in message


def test_jql_and_projects_together_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace('projects = ["PAY", "PLAT"]', 'projects = ["PAY"]\njql = "project = PLAT"')
    with pytest.raises(ConfigError, match="source 'jira-acme': keys 'projects' and 'jql' exclude"):
        load_config(write(tmp_path, text), ENV)


def test_a_config_loads_without_any_secret_set(tmp_path: Path) -> None:
    """Secrets are read when a sync needs them: loading, and the commands that sync nothing,
    need none."""
    config = load_config(write(tmp_path, GOOD + GITHUB), {})
    assert [s.name for s in config.sources] == ["jira-acme", "gh"]
    with pytest.raises(ConfigError, match="environment variable GH_TOKEN is not set"):
        config.source("gh").with_secrets()


def test_github_projects_are_read_with_their_field_names_and_refused_elsewhere(
    tmp_path: Path,
) -> None:
    planned = GITHUB + 'projects_v2 = [{ owner = "acme", number = 7, target_field = "Due" }]\n'
    [source] = load_config(write(tmp_path, planned), {}).sources
    [project] = source.projects_v2
    assert (project.owner, project.number, project.label) == ("acme", 7, "acme/7")
    assert (project.start_field, project.target_field) == ("Start date", "Due")
    assert (project.iteration_field, project.status_field) == ("Iteration", "Status")

    on_jira = GOOD + 'projects_v2 = [{ owner = "acme", number = 7 }]\n'
    with pytest.raises(ConfigError, match="'projects_v2' does not apply to a jira source"):
        load_config(write(tmp_path, on_jira), ENV)
    twice = (
        GITHUB + 'projects_v2 = [{ owner = "acme", number = 7 }, { owner = "Acme", number = 7 }]\n'
    )
    with pytest.raises(ConfigError, match="a project is listed twice"):
        load_config(write(tmp_path, twice), {})
    no_number = GITHUB + 'projects_v2 = [{ owner = "acme" }]\n'
    with pytest.raises(ConfigError, match="source 'gh': key 'projects_v2.number': is required"):
        load_config(write(tmp_path, no_number), {})


NESTED = """
[[initiatives]]
key = "platform-2027"
title = "Platform 2027"

[[initiatives]]
key = "payments-v2"
title = "Payments v2"
parent = "platform-2027"

[[initiatives]]
key = "checkout"
title = "One checkout"
parent = "PLAN-3"
"""


def test_an_initiative_names_its_parent_in_the_config_or_in_a_tracker(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, NESTED), {})
    assert {i.key: i.parent for i in config.initiatives} == {
        "platform-2027": None,
        "payments-v2": "platform-2027",
        "checkout": "PLAN-3",
    }


@pytest.mark.parametrize(
    ("initiatives", "expected"),
    [
        (
            [("a", "a")],
            "hub.toml: initiative 'a': key 'parent': names the initiative itself",
        ),
        (
            [("a", "b"), ("b", "a")],
            "hub.toml: initiative parents form a cycle: a > b > a",
        ),
        (
            [("top", "a"), ("a", "b"), ("b", "c"), ("c", "a")],
            "hub.toml: initiative parents form a cycle: a > b > c > a",
        ),
    ],
)
def test_a_parent_that_leads_back_is_a_config_error(
    tmp_path: Path, initiatives: list[tuple[str, str]], expected: str
) -> None:
    text = "".join(
        f'[[initiatives]]\nkey = "{key}"\ntitle = "{key}"\nparent = "{parent}"\n'
        for key, parent in initiatives
    )
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), {})
    assert expected in str(error.value) and "\n" not in str(error.value)
