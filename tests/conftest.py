"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
``HUB_TEST_DATABASE_URL`` is set), emptied after every test, a reader of what it holds, the
GraphQL API over it, and a SQL statement counter."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.server.app import create_app
from hub.storage.database import create_engine, session_factory
from hub.storage.migrate import upgrade
from hub.storage.models import Base
from tests.stored import GraphQL, StoredRows


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """SQLite in a temporary file, or a fresh PostgreSQL database of its own for this run,
    so that test runs sharing one server never see each other's rows."""
    server_url = os.environ.get("HUB_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('db')) / 'hub-test.db'}"
        return
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(scope="session")
async def migrated_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(migrated_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The test database, migrated to head; every table is emptied after the test."""
    yield migrated_engine
    async with migrated_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def stored(sessions: async_sessionmaker[AsyncSession]) -> StoredRows:
    return StoredRows(sessions)


@pytest.fixture
def graphql(sessions: async_sessionmaker[AsyncSession]) -> GraphQL:
    """``await graphql(query)``: the ``data`` of a query the API answered without errors."""

    async def query(document: str) -> dict[str, Any]:
        transport = httpx.ASGITransport(app=create_app(sessions, require_token=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            response = await client.post("/graphql", json={"query": document})
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    return query


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(engine: AsyncEngine) -> Any:
    """``with count_statements() as counter: ...`` counts the SQL statements run inside."""

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            counter.statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)

    return counting
