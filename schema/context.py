"""What every resolver receives: the session factory and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.loaders import Loaders, create_loaders


@dataclass(frozen=True, slots=True)
class Context:
    sessions: async_sessionmaker[AsyncSession]
    loaders: Loaders


Info: TypeAlias = strawberry.Info[Context, None]
"""The typed ``info`` argument of every resolver."""


def get_context(sessions: async_sessionmaker[AsyncSession]) -> Context:
    """A fresh context per request: loaders cache only for the request that filled them."""
    return Context(sessions=sessions, loaders=create_loaders(sessions))
