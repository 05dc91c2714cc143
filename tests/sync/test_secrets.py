"""A tracker's credentials stay out of ``sync_runs.error``, the ``syncRuns`` API and the logs
at any level, whatever error path a sync ends on."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import SourceConfig
from hub.contract.errors import TrackerAuthError
from hub.contract.records import RunStatus
from hub.storage.models import SyncRun
from hub.sync import SyncEngine
from tests.stored import GraphQL, StoredRows
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item

KEY = "lin_api_FAKE0123456789abcdefghijklmnopqrstuv"
TOKEN = "ATATT3xFAKE0123456789abcdefghij"


def pieces(secret: str, size: int = 8) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


async def stored_and_shown(stored: StoredRows, graphql: GraphQL) -> str:
    (error,) = [e for (e,) in await stored.rows(select(SyncRun.error))]
    runs = (await graphql("{ syncRuns { status error } }"))["syncRuns"]
    assert [run["status"] for run in runs] == ["failed"]
    return f"{error}\n{runs[0]['error']}"


async def test_a_linear_refusal_in_a_200_leaves_no_key_anywhere(
    sessions: async_sessionmaker[AsyncSession],
    stored: StoredRows,
    graphql: GraphQL,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    source = SourceConfig(
        name="linear",
        kind="linear",
        base_url="https://api.linear.app",
        teams=("ENG",),
        token_env="LINEAR_KEY",
    ).model_copy(update={"token": SecretStr(KEY)})
    refusal = {
        "errors": [
            {
                "message": f"Authentication failed for {KEY}",
                "extensions": {"code": "AUTHENTICATION_ERROR"},
            }
        ]
    }
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post("https://api.linear.app/graphql").mock(
            return_value=httpx.Response(200, json=refusal)
        )
        report = await SyncEngine(sessions).sync(source)

    assert report.status is RunStatus.FAILED
    assert "Linear refused the credentials" in (report.error or "")
    everything = "\n".join([report.summary(), await stored_and_shown(stored, graphql), caplog.text])
    assert not [piece for piece in pieces(KEY) if piece in everything]


async def test_the_engine_redacts_what_a_connector_let_through(
    engine_for: EngineFor,
    stored: StoredRows,
    graphql: GraphQL,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Defence in depth: a connector that forgot to redact still stores no secret."""
    caplog.set_level(logging.DEBUG)
    source = SOURCE.model_copy(update={"token": SecretStr(TOKEN)})
    careless = FakeConnector(
        source,
        [item(1), item(2), item(3)],
        fail_after_batches=1,
        failure=TrackerAuthError(f"jira: the tracker said: token {TOKEN} is revoked"),
    )
    report = await engine_for(careless).sync(source)

    assert report.error == "jira: the tracker said: token [redacted] is revoked"
    everything = "\n".join([report.summary(), await stored_and_shown(stored, graphql), caplog.text])
    assert TOKEN not in everything
