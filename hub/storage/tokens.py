"""API tokens: create, list, revoke and verify, with only a digest of each token at rest.

A token is ``thub_`` followed by 32 random bytes (URL-safe base64). It is shown once, when
created; the table keeps its SHA-256 digest. A fast, unsalted digest is right here, unlike for
passwords: a token carries 256 bits of entropy, so nobody can guess it from its digest however
fast the digest is, and an unsalted digest lets verification find the row with one indexed
lookup instead of trying every stored hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.errors import HubError, NotFound
from hub.storage.database import transaction
from hub.storage.models import ApiToken

Scope = Literal["read", "write"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
PREFIX = "thub_"
MAX_TOKEN_LENGTH = 100
"""Far longer than any token issued; anything longer is refused before it is hashed."""
TOUCH_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token, not on every request."""


@dataclass(frozen=True, slots=True)
class Grant:
    """Who a verified token belongs to and what it may do."""

    name: str
    scope: Scope

    @property
    def can_write(self) -> bool:
        return self.scope == "write"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as ``hub token list`` shows it: everything but the token."""

    name: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 hex digest stored for ``token`` (see the module docstring for why)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    scope: Scope,
    *,
    now: datetime | None = None,
) -> str:
    """Store a new token's digest and return the token, which exists nowhere else."""
    if scope not in SCOPES:
        raise HubError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    if not name.strip() or len(name) > 100:
        raise HubError("a token name must have 1 to 100 characters")
    token = new_token()
    row = ApiToken(name=name, token_hash=digest(token), scope=scope, created_at=now or utcnow())
    try:
        async with transaction(sessions) as session:
            session.add(row)
    except IntegrityError:
        raise HubError(f"a token named '{name}' exists: revoke it or pick another name") from None
    return token


async def list_tokens(sessions: async_sessionmaker[AsyncSession]) -> list[TokenInfo]:
    async with sessions() as session:
        rows = await session.scalars(select(ApiToken).order_by(ApiToken.name))
        return [
            TokenInfo(r.name, r.scope, r.created_at, r.last_used_at, r.revoked_at) for r in rows
        ]


async def revoke_token(
    sessions: async_sessionmaker[AsyncSession], name: str, *, now: datetime | None = None
) -> bool:
    """Refuse the token from now on; False when it was revoked already."""
    async with transaction(sessions) as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.name == name))
        if row is None:
            raise NotFound(f"no token named '{name}': see `hub token list`")
        if row.revoked_at is not None:
            return False
        row.revoked_at = now or utcnow()
        return True


async def verify_token(
    sessions: async_sessionmaker[AsyncSession], token: str, *, now: datetime | None = None
) -> Grant | None:
    """The grant of a live token, or None for an unknown, malformed or revoked one.

    The lookup is by digest, so the stored value is never compared with the secret itself;
    ``compare_digest`` keeps the final check constant-time all the same.
    """
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    hashed = digest(token)
    async with sessions() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hashed))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.token_hash, hashed):  # pragma: no cover - belt and braces
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        await _touch(sessions, row.id, now)
    scope: Scope = "write" if row.scope == "write" else "read"
    return Grant(name=row.name, scope=scope)


async def _touch(sessions: async_sessionmaker[AsyncSession], token_id: int, now: datetime) -> None:
    """Record a use; the condition keeps replicas racing on one token to a single write."""
    stale = now - TOUCH_EVERY
    async with transaction(sessions) as session:
        await session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale),
            )
            .values(last_used_at=now)
        )
