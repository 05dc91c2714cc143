from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main


def test_demo_syncs_three_trackers_and_prints_the_cross_tool_roadmap(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = CliRunner().invoke(
        main, ["demo", "--no-serve", "--items", "300", "--database", str(database)]
    )
    assert result.exit_code == 0, result.output
    for source in ("jira", "github", "linear"):
        assert f"{source}: succeeded" in result.output
    assert "payments-v2" in result.output and "Payments v2" in result.output
    assert "Dependencies across tools (blocker → blocked):" in result.output
    assert "[mention]" in result.output
    assert database.exists()


def test_the_example_query_the_demo_prints_is_valid() -> None:
    from graphql import parse, validate

    from hub.demo import EXAMPLE_QUERY
    from schema import schema

    assert validate(schema._schema, parse(EXAMPLE_QUERY)) == []
