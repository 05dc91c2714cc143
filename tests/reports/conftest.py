"""Runs ``hub report`` against the test database, as a user would from a shell."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hub.cli import main

Invoke = Callable[..., Awaitable[Result]]


@pytest.fixture
def hub_report(database_url: str, tmp_path: Path) -> Invoke:
    """``await hub_report("roadmap", "--format", "csv")``: the command's result. It runs in a
    thread, since the command starts an event loop of its own."""
    config = tmp_path / "hub.toml"
    config.write_text(f"database_url = {json.dumps(database_url)}\n")

    async def invoke(*args: str) -> Result:
        command = ["--config", str(config), "report", *args]
        return await asyncio.to_thread(
            CliRunner().invoke, main, command, env={"HUB_DATABASE_URL": None}
        )

    return invoke
