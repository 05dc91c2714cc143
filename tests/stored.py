"""Reading back what a test stored: the database's rows, and the API's answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.storage.models import Base

T = TypeVar("T")
Model = TypeVar("Model", bound=Base)
Columns = TypeVarTuple("Columns")

GraphQL = Callable[[str], Awaitable[dict[str, Any]]]
"""The ``graphql`` fixture: the ``data`` of a query that the API answered without errors."""


class StoredRows:
    """What the test database holds, each read in a session of its own."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def rows(self, statement: Select[*Columns]) -> Sequence[Row[*Columns]]:
        async with self._sessions() as session:
            return (await session.execute(statement)).all()

    async def scalar(self, statement: Select[T]) -> T | None:
        async with self._sessions() as session:
            return await session.scalar(statement)

    async def all(self, model: type[Model]) -> list[Model]:
        async with self._sessions() as session:
            return list(await session.scalars(select(model)))

    async def count(self, model: type[Base], *where: ColumnElement[bool]) -> int:
        async with self._sessions() as session:
            counted = select(func.count()).select_from(model).where(*where)
            return (await session.execute(counted)).scalar_one()
