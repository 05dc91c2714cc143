"""What every resolver receives: the session factory, this request's DataLoaders, the hub's
configuration (sources, components, initiatives) and, where this process runs syncs, the
service that runs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import HubConfig, SourceConfig
from hub.sync.service import SyncService
from schema.loaders import Loaders, create_loaders

NO_CONFIG = HubConfig()
"""A server of a database alone: no configured sources, components or initiatives."""


@dataclass(frozen=True, slots=True)
class Context:
    sessions: async_sessionmaker[AsyncSession]
    loaders: Loaders
    config: HubConfig = NO_CONFIG
    syncs: SyncService | None = None
    """Runs ``syncSource``; None where this server runs no syncs."""
    today: date | None = None
    """The day delivery health is judged on; None means today in UTC (tests pin a day)."""

    def source(self, name: str) -> SourceConfig | None:
        """The configured source of that name, if there is one."""
        return next((s for s in self.config.sources if s.name == name), None)


Info: TypeAlias = strawberry.Info[Context, None]
"""The typed ``info`` argument of every resolver."""


def get_context(
    sessions: async_sessionmaker[AsyncSession],
    *,
    config: HubConfig = NO_CONFIG,
    syncs: SyncService | None = None,
) -> Context:
    """A fresh context per request: loaders cache only for the request that filled them."""
    return Context(sessions=sessions, loaders=create_loaders(sessions), config=config, syncs=syncs)
