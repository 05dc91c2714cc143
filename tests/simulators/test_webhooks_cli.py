"""``hub sim run --webhook-url``: the simulator edits issues on a timer and posts each change
as a signed webhook that the connector's ``verify`` accepts."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.github.webhooks import parse, verify
from connectors.webhooks import WebhookEvent, WebhookRefused
from hub.cli import main
from simulators import serve


def receiver(events: list[WebhookEvent], refused: list[int]) -> Starlette:
    async def receive(request: Request) -> Response:
        body = await request.body()
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            verify(headers, body, b"cli-secret", datetime.now(UTC))
            events.append(parse(headers, body))
        except WebhookRefused as exc:
            refused.append(exc.status)
            return Response(status_code=exc.status)
        return Response(status_code=200)

    return Starlette(routes=[Route("/webhooks/gh", receive, methods=["POST"])])


def test_sim_run_posts_signed_webhooks_of_its_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[WebhookEvent] = []
    refused: list[int] = []
    monkeypatch.setenv("SIM_WEBHOOK_SECRET", "cli-secret")
    with serve(receiver(events, refused)) as url:

        async def briefly(self: uvicorn.Server) -> None:
            await asyncio.sleep(0.5)

        monkeypatch.setattr(uvicorn.Server, "serve", briefly)
        flags = [
            "sim", "run", "github", "--items", "60", "--port", "0",
            "--webhook-url", f"{url}/webhooks/gh", "--webhook-secret-env", "SIM_WEBHOOK_SECRET",
            "--webhook-forge", "--change-every", "0.1",
        ]  # fmt: skip
        result = CliRunner().invoke(main, flags)
        assert result.exit_code == 0, result.output
        deadline = time.monotonic() + 5
        while (not events or not refused) and time.monotonic() < deadline:
            time.sleep(0.02)
    assert "sending signed webhooks to" in result.output and "changed " in result.output
    assert events and all(e.event == "issues.edited" for e in events)
    assert refused and set(refused) == {401}
    assert "cli-secret" not in result.output


def test_sim_run_needs_the_secret_s_variable_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIM_WEBHOOK_SECRET", raising=False)
    flags = ["sim", "run", "jira", "--webhook-url", "http://127.0.0.1:9/x"]
    missing_flag = CliRunner().invoke(main, flags)
    missing_value = CliRunner().invoke(main, [*flags, "--webhook-secret-env", "SIM_WEBHOOK_SECRET"])
    assert missing_flag.exit_code == 2 and "--webhook-secret-env" in missing_flag.output
    assert missing_value.exit_code == 2 and "SIM_WEBHOOK_SECRET is not set" in missing_value.output
