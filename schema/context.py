"""What every resolver receives: the session factory, this request's DataLoaders and, where
the server runs syncs, its scheduler (which also knows the configured sources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.scheduler import Scheduler
from schema.loaders import Loaders, create_loaders


@dataclass(frozen=True, slots=True)
class Context:
    sessions: async_sessionmaker[AsyncSession]
    loaders: Loaders
    scheduler: Scheduler | None = None
    today: date | None = None
    """The day delivery health is judged on; None means today in UTC (tests pin a day)."""


Info: TypeAlias = strawberry.Info[Context, None]
"""The typed ``info`` argument of every resolver."""


def get_context(
    sessions: async_sessionmaker[AsyncSession], scheduler: Scheduler | None = None
) -> Context:
    """A fresh context per request: loaders cache only for the request that filled them."""
    return Context(sessions=sessions, loaders=create_loaders(sessions), scheduler=scheduler)
