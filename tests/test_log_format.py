"""`hub serve --log-format json`: each log line one JSON object with time, level, logger,
message and, when there is one, the exception's text."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from hub.cli.log_format import JsonFormatter


def record_of(message: str, *args: object, exc_info: bool = False) -> logging.LogRecord:
    logger = logging.getLogger("hub.test")
    info = sys.exc_info() if exc_info else None
    return logger.makeRecord("hub.test", logging.WARNING, __file__, 1, message, args, info)


def test_a_line_carries_time_level_logger_and_the_formatted_message() -> None:
    line = json.loads(JsonFormatter().format(record_of("sync of %s failed: %s", "jira", 'a "b"')))

    assert line.keys() == {"time", "level", "logger", "message"}
    assert line["level"] == "WARNING"
    assert line["logger"] == "hub.test"
    assert line["message"] == 'sync of jira failed: a "b"'
    assert datetime.fromisoformat(line["time"]).tzinfo is not None


def test_an_exception_is_one_field_of_one_line() -> None:
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        text = JsonFormatter().format(record_of("a pass failed", exc_info=True))

    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "a pass failed"
    assert "Traceback" in line["exception"]
    assert "RuntimeError: the database went away" in line["exception"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_hub_serve_writes_its_log_lines_as_json(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'database_url = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("HUB_DATABASE_URL", "HUB_CONFIG")}
    upgraded = CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    command = [sys.executable, "-m", "hub", "--config", str(config), "serve", "--no-schedule"]
    command += ["--port", str(free_port()), "--log-format", "json"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stderr is not None
        first = server.stderr.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)

    line = json.loads(first)
    assert line["level"] == "INFO"
    assert line["logger"] == "hub.runner"
    assert line["message"].startswith("GraphQL API on http://127.0.0.1:")
