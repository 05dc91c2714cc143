"""A ``hub serve`` killed with SIGKILL after answering a delivery and before applying it:
the delivery was recorded, and the next process applies it as it starts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from hub.runner import APPLIER_DELAY_ENV
from hub.storage.models import WebhookDelivery, WorkItem
from tests.server.webhook_hub import STATE_ENV
from tests.sockets import free_port
from tests.stored import StoredRows
from tests.sync.webhook_fakes import SECRET, SECRET_ENV, delivery, signed_headers

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60.0


def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        "[[sources]]\n"
        'name = "jira"\nkind = "jira"\nbase_url = "https://jira.example"\nprojects = ["PAY"]\n'
        'email_env = "RESTART_EMAIL"\ntoken_env = "RESTART_TOKEN"\n'
        f'webhook_secret_env = "{SECRET_ENV}"\n'
    )
    return path


def hub_serve(path: Path, port: int, state: Path, *, hold: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RESTART_EMAIL": "pm@example.com",
        "RESTART_TOKEN": "token",
        SECRET_ENV: SECRET,
        STATE_ENV: str(state),
        APPLIER_DELAY_ENV: "3600" if hold else "0",
    }
    env.pop("HUB_DATABASE_URL", None)
    command = ["-m", "tests.server.webhook_hub", "--config", str(path), "serve"]
    return subprocess.Popen(
        [sys.executable, *command, "--port", str(port), "--no-schedule"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def until_up(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        assert process.poll() is None, "hub serve ended before it was up"
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("hub serve did not come up")


async def until_stored(stored: StoredRows) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if await stored.count(WorkItem, WorkItem.key == "PAY-1"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the delivery was not applied after the restart")


async def test_a_delivery_answered_then_killed_is_applied_after_a_restart(
    stored: StoredRows, database_url: str, tmp_path: Path
) -> None:
    path = config(tmp_path, database_url)
    state = tmp_path / "tracker.json"
    state.write_text(json.dumps({"1": "Changed before the kill"}))
    port = free_port()
    body = delivery("d-1", refs=["1"])

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        held = hub_serve(path, port, state, hold=True)
        try:
            await until_up(client, held)
            response = await client.post(
                "/webhooks/jira", content=body, headers=signed_headers(body)
            )
        finally:
            os.kill(held.pid, signal.SIGKILL)
            held.wait()
        assert response.status_code == 202
        assert await stored.count(WorkItem, WorkItem.key == "PAY-1") == 0

        restarted = hub_serve(path, port, state, hold=False)
        try:
            await until_stored(stored)
        finally:
            restarted.terminate()
            restarted.wait(timeout=PATIENCE)

    rows = await stored.rows(
        select(WebhookDelivery.status, WebhookDelivery.attempts, WorkItem.title).join(
            WorkItem, WorkItem.key == "PAY-1"
        )
    )
    assert [tuple(row) for row in rows] == [("applied", 1, "Changed before the kill")]
