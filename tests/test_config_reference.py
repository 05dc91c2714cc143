"""docs/configuration.md is generated from the config model: a test fails when they drift,
and every key it lists has a description and an example the model accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from hub.cli import main
from hub.cli.config_reference import REGENERATE, TABLES, render_reference

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "configuration.md"


def test_the_committed_page_is_the_generated_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_reference(), (
        f"docs/configuration.md is stale: run `{REGENERATE}`"
    )


def test_hub_config_docs_prints_the_page_and_writes_it(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["config", "docs"])
    assert printed.exit_code == 0 and printed.output == render_reference()
    target = tmp_path / "configuration.md"
    written = CliRunner().invoke(main, ["config", "docs", "-o", str(target)])
    assert written.exit_code == 0 and target.read_text(encoding="utf-8") == render_reference()


def keys() -> list[Any]:
    return [
        pytest.param(title, name, field, id=f"{model.__name__}.{name}")
        for title, model in TABLES
        for name, field in model.model_fields.items()
        if not field.exclude
    ]


@pytest.mark.parametrize(("table", "key", "field"), keys())
def test_every_key_is_described_and_listed(table: str, key: str, field: FieldInfo) -> None:
    assert field.description, f"{table} key '{key}' needs a docstring (its description)"
    assert f"| `{key}` |" in render_reference()


@pytest.mark.parametrize(("table", "key", "field"), keys())
def test_every_example_is_accepted_by_its_key(table: str, key: str, field: FieldInfo) -> None:
    annotation: Any = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return  # a table: its keys have examples of their own
    checked = TypeAdapter(Annotated[annotation, *field.metadata] if field.metadata else annotation)
    for example in field.examples or ():
        checked.validate_python(example)


SOURCES = """
[[sources]]
name = "jira"
kind = "jira"
base_url = "https://acme.atlassian.net"
projects = ["PAY"]
email_env = "JIRA_EMAIL"
token_env = "JIRA_TOKEN"
every = "1h"
"""


def test_config_check_names_unset_secrets_without_values(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(SOURCES)
    args = ["--config", str(config), "config", "check"]
    missing = CliRunner().invoke(
        main, args, env={"JIRA_EMAIL": "pm@acme.example", "JIRA_TOKEN": None}
    )
    assert missing.exit_code == 1
    assert missing.output == "jira (jira, every 1h): unset: JIRA_TOKEN\n"
    ready = CliRunner().invoke(
        main, args, env={"JIRA_EMAIL": "pm@acme.example", "JIRA_TOKEN": "s3"}
    )
    assert ready.exit_code == 0 and ready.output == "jira (jira, every 1h): secrets set\n"
    assert "s3" not in ready.output and "pm@acme" not in ready.output
