"""API tokens: shown once, stored as a digest, refused once revoked, and the CLI round trip."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.cli import main
from hub.contract.errors import HubError, NotFound
from hub.storage.models import ApiToken
from hub.storage.tokens import (
    PREFIX,
    create_token,
    list_tokens,
    revoke_token,
    utcnow,
    verify_token,
)


async def test_a_token_is_stored_only_as_its_digest(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    token = await create_token(sessions, "ci", "write")
    assert token.startswith(PREFIX) and len(token) > 40
    async with sessions() as session:
        row = (await session.scalars(select(ApiToken))).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert not any(token in value or token[len(PREFIX) :] in value for value in stored)


async def test_verification(sessions: async_sessionmaker[AsyncSession]) -> None:
    read = await create_token(sessions, "dash", "read")
    grant = await verify_token(sessions, read)
    assert grant is not None and grant.name == "dash" and not grant.can_write
    assert await verify_token(sessions, read + "x") is None
    assert await verify_token(sessions, read[len(PREFIX) :]) is None
    assert await verify_token(sessions, PREFIX + "a" * 10_000) is None
    assert await revoke_token(sessions, "dash")
    assert await verify_token(sessions, read) is None
    assert not await revoke_token(sessions, "dash")


async def test_last_use_is_written_at_most_once_a_minute(
    sessions: async_sessionmaker[AsyncSession], count_statements
) -> None:
    token = await create_token(sessions, "dash", "read")
    start = utcnow()
    with count_statements() as counter:
        for seconds in (0, 20, 59, 61):
            assert await verify_token(sessions, token, now=start + timedelta(seconds=seconds))
    writes = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 2
    (info,) = await list_tokens(sessions)
    assert info.last_used_at == start + timedelta(seconds=61)


async def test_names_are_unique_and_revoking_an_unknown_name_says_so(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await create_token(sessions, "ci", "read")
    with pytest.raises(HubError, match="a token named 'ci' exists"):
        await create_token(sessions, "ci", "write")
    with pytest.raises(NotFound, match="no token named 'nope'"):
        await revoke_token(sessions, "nope")


def test_the_token_commands_round_trip(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'database_url = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n')
    env = {"HUB_DATABASE_URL": None, "HUB_CONFIG": None}

    def hub(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), *args], env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    hub("db", "upgrade")
    token = hub("token", "create", "ci", "--scope", "write").strip()
    assert token.startswith(PREFIX) and "\n" not in token
    listed = hub("token", "list")
    assert "ci" in listed and "write" in listed and token not in listed
    assert "revoked" in hub("token", "revoke", "ci")
    (line,) = [row for row in hub("token", "list").splitlines() if row.startswith("ci ")]
    assert line.split()[-1] == "UTC"  # the REVOKED column has a date
    again = CliRunner().invoke(main, ["--config", str(config), "token", "create", "ci"], env=env)
    assert again.exit_code == 1 and "a token named 'ci' exists" in again.output
