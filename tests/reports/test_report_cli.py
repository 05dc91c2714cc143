"""Mistakes on the `hub report` command line: one line that says what is wrong, no traceback,
and no file written."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hub.cli import main
from tests.views.test_roadmap import build_world


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("roadmap", "--from", "2026-13-01"),
            "Error: Invalid value for '--from': '2026-13-01' is not a date such as 2026-04-30",
        ),
        (
            ("roadmap", "--as-of", "tomorrow"),
            "Error: Invalid value for '--as-of': 'tomorrow' is not a date such as 2026-04-30",
        ),
        (("roadmap", "--group-by", "team"), "Error: Invalid value for '--group-by': 'team'"),
        (("roadmap", "--format", "pdf"), "Error: Invalid value for '--format': 'pdf'"),
        (("dependencies", "--root-kind", "component"), "Error: --root-kind needs --root"),
        (("dependencies", "--depth", "two"), "Error: Invalid value for '--depth': 'two'"),
    ],
)
def test_a_bad_option_is_a_usage_error(tmp_path: Path, args: tuple[str, ...], expected) -> None:
    output = tmp_path / "report.out"
    result = CliRunner().invoke(main, ["report", *args, "--output", str(output)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(expected), result.output
    assert "Traceback" not in result.output and not output.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("roadmap", "--from", "2026-05-01", "--to", "2026-04-01"),
            "Error: `from` (2026-05-01) is after `to` (2026-04-01); swap them.",
        ),
        (
            ("dependencies", "--root", "EP-ON", "--depth", "11"),
            "Error: `depth` must be between 1 and 10, got 11; ask again from an item further "
            "out to see beyond.",
        ),
        (
            ("dependencies", "--root", "nope", "--root-kind", "initiative"),
            "Error: no live initiative has the key or hub id 'nope'; check `root` and `rootKind`.",
        ),
    ],
)
async def test_a_refused_query_is_one_line(
    sessions, hub_report, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    await build_world(sessions)
    output = tmp_path / "report.out"
    result = await hub_report(*args, "--output", str(output))
    assert result.exit_code == 1
    assert result.output == expected + "\n"
    assert not output.exists()


async def test_a_report_into_a_missing_folder(sessions, hub_report, tmp_path: Path) -> None:
    await build_world(sessions)
    output = tmp_path / "missing" / "roadmap.md"
    result = await hub_report("roadmap", "--output", str(output))
    assert result.exit_code == 1
    assert result.output == f"Error: cannot write {output}: No such file or directory\n"


async def test_a_dash_writes_to_stdout(sessions, hub_report) -> None:
    await build_world(sessions)
    result = await hub_report("roadmap", "--format", "json", "--output", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["roadmap"]["groupBy"] == "INITIATIVE"


def test_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'database_url = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n')
    result = CliRunner().invoke(
        main, ["--config", str(config), "report", "roadmap"], env={"HUB_DATABASE_URL": None}
    )
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.endswith("is not up to date: run `hub db upgrade`")


def test_help_says_what_each_option_does() -> None:
    roadmap = CliRunner().invoke(main, ["report", "roadmap", "--help"]).output
    assert "--group-by [initiative|component|source|quarter]" in roadmap
    assert "--from YYYY-MM-DD" in roadmap
    dependencies = CliRunner().invoke(main, ["report", "dependencies", "--help"]).output
    assert "Default: every initiative" in dependencies
    assert "--root-kind [item|initiative|component]" in dependencies


async def test_the_html_report_is_one_file_with_the_roadmap_inside(
    sessions, hub_report, tmp_path: Path
) -> None:
    await build_world(sessions)
    output = tmp_path / "roadmap.html"
    result = await hub_report("roadmap", "--format", "html", "--output", str(output))
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    data = json.loads((await hub_report("roadmap", "--format", "json")).stdout)
    for lane in data["roadmap"]["lanes"]:
        assert json.dumps(lane["title"]) in page
        for epic in lane["epics"]:
            assert json.dumps(epic["item"]["key"]) in page
    assert "<script src=" not in page and "<link" not in page  # nothing loaded from elsewhere


async def test_a_configured_source_not_yet_synced_is_known_to_the_report(
    sessions, database_url: str, tmp_path: Path
) -> None:
    """The report answers with the config, as the server does: a configured source is a
    filter value even before its first sync, and an unknown one is refused."""
    await build_world(sessions)
    config = tmp_path / "hub.toml"
    config.write_text(
        f"database_url = {json.dumps(database_url)}\n"
        "[[sources]]\nname = 'jira-later'\nkind = 'jira'\n"
        "base_url = 'https://acme.atlassian.net'\nprojects = ['PAY']\n"
        "token_env = 'JIRA_TOKEN'\nemail_env = 'JIRA_EMAIL'\n"
    )

    def report(source: str) -> Result:
        command = ["--config", str(config), "report", "roadmap", "--source", source]
        return CliRunner().invoke(main, [*command, "--format", "json", "-o", "-"], env={})

    known = await asyncio.to_thread(report, "jira-later")
    assert known.exit_code == 0, known.output
    assert json.loads(known.stdout)["roadmap"]["lanes"] == []
    unknown = await asyncio.to_thread(report, "nope")
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: unknown source 'nope'; known: "), unknown.output
    assert "jira-later" in unknown.output
