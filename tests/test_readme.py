"""The README as a newcomer follows it: its example hub.toml loads, and after the demo its
report commands run as written, leaving nothing behind that git would pick up."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.contract.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str, text: str = README) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def section(heading: str) -> str:
    start = README.index(f"\n## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_the_example_config_loads_as_printed(tmp_path: Path) -> None:
    (toml,) = blocks("toml")
    path = tmp_path / "hub.toml"
    path.write_text(toml, encoding="utf-8")
    config = load_config(path, {})  # no secret set: none is read until a sync
    assert [s.name for s in config.sources] == ["jira", "github", "linear"]
    assert [c.name for c in config.components] == ["payments-api"]
    assert [i.key for i in config.initiatives] == ["payments-v2"]


@pytest.fixture(scope="module")
def after_the_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory as `hub demo --no-serve` leaves it (a small world, the default file)."""
    directory = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        result = CliRunner().invoke(main, ["demo", "--no-serve", "--items", "300"])
    assert result.exit_code == 0, result.output
    return directory


def commands(script: str) -> tuple[dict[str, str], list[list[str]]]:
    """A shell block's `export`s and its `hub` commands, comments and other tools left out."""
    env: dict[str, str] = {}
    hub: list[list[str]] = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"]:
            name, _, value = words[1].partition("=")
            env[name] = value
        elif words[:1] == ["hub"]:
            hub.append(words[1:])
    return env, hub


def test_the_report_commands_run_as_written_after_the_demo(
    after_the_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (script,) = blocks("sh", section("Reports"))
    env, reports = commands(script)
    assert len(reports) >= 7 and all(words[0] == "report" for words in reports)
    monkeypatch.chdir(after_the_demo)
    for words in reports:
        result = CliRunner().invoke(
            main, words, env={"HUB_CONFIG": None, "HUB_DATABASE_URL": None, **env}
        )
        assert result.exit_code == 0, f"hub {shlex.join(words)}: {result.output}"
        if "-o" in words:
            assert (after_the_demo / words[words.index("-o") + 1]).stat().st_size > 0


def test_git_ignores_what_the_demo_leaves_behind(after_the_demo: Path) -> None:
    patterns = [
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    left = sorted(p.name for p in after_the_demo.iterdir() if p.suffix in (".db", ".sync-lock"))
    assert "hub-demo.db" in left and "hub-demo.db.jira.sync-lock" in left
    for name in left:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
