"""`hub serve --port`: a port out of range or in use is one line of error, not a traceback,
nor a server quietly listening on another port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.runner import bind

CLEAN_ENV = {"HUB_DATABASE_URL": None, "HUB_CONFIG": None}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose database is migrated: `hub serve` gets as far as binding its port."""
    path = tmp_path / "hub.toml"
    path.write_text(f'database_url = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n')
    upgraded = CliRunner().invoke(main, ["--config", str(path), "db", "upgrade"], env=CLEAN_ENV)
    assert upgraded.exit_code == 0, upgraded.output
    return path


@pytest.mark.parametrize("port", ["0", "65536", "70000", "-1"])
def test_a_port_out_of_range_is_one_line_of_error(config: Path, port: str) -> None:
    result = CliRunner().invoke(
        main, ["--config", str(config), "serve", "--port", port], env=CLEAN_ENV
    )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors == [f"Error: Invalid value for '--port': {port} is not in the range 1<=x<=65535."]


def test_a_port_in_use_fails_clearly_instead_of_serving_elsewhere(config: Path) -> None:
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "hub", "--config", str(config), "serve", "--no-schedule"]
            + ["--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        taken.close()
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"Error: port {port} on 127.0.0.1 is in use: stop what holds it or pick another with --port"
    )
