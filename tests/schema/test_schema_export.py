"""The committed ``schema.graphql`` is the schema the code serves."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from schema import schema

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_the_committed_schema_matches_the_code() -> None:
    assert COMMITTED.exists(), "schema.graphql is missing: run `hub schema export` to create it"
    assert COMMITTED.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql differs from the schema in code: run `hub schema export` to update it"
    )


def test_export_writes_the_sdl(tmp_path: Path) -> None:
    output = tmp_path / "out.graphql"
    result = CliRunner().invoke(main, ["schema", "export", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == schema.as_str() + "\n"
    printed = CliRunner().invoke(main, ["schema", "export", "-o", "-"])
    assert printed.stdout == schema.as_str() + "\n"
