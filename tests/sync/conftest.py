"""Fixtures of the sync tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import Connector
from hub.contract.config import SourceConfig
from hub.sync import SyncEngine
from hub.sync.engine import utcnow
from hub.sync.rules import HubRules
from tests.sync.fakes import EngineFor


@pytest.fixture
def engine_for(sessions: async_sessionmaker[AsyncSession]) -> EngineFor:
    def build(
        connector: Connector,
        *,
        rules: HubRules | None = None,
        clock: Callable[[], datetime] | None = None,
        wait_for_lock: bool = False,
    ) -> SyncEngine:
        def factory(
            _source: SourceConfig, transport: httpx.AsyncBaseTransport | None = None
        ) -> Connector:
            return connector

        return SyncEngine(
            sessions,
            rules=rules,
            connector_factory=factory,
            clock=clock or utcnow,
            wait_for_lock=wait_for_lock,
        )

    return build
