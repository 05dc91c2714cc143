"""The bounds a filter's values must keep, and the names the hub knows, so that a client's
typo or an absurd value is refused with a clear message instead of an empty answer or a
database error.

Text searches are SQL ``LIKE`` patterns with the wildcards escaped; bounding their length
keeps them below SQLite's pattern limit (50,000 bytes) and cheap on PostgreSQL. Dates are
bounded so that day arithmetic (``to`` + one day) cannot leave Python's calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import false, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.errors import HubError
from hub.contract.records import EARLIEST_DAY, LATEST_DAY, Level
from hub.storage.models import Component, Source, WorkItem

MAX_TEXT_LENGTH = 256
"""Longer than any tracker's title (Jira 255, GitHub 256), so a longer text matches nothing."""
NAMES_SHOWN = 20


class FilterRefused(HubError):
    """A filter value out of bounds or unknown; nothing was queried."""


def check_text(text: str | None, name: str = "text") -> None:
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        raise FilterRefused(
            f"`{name}` is {len(text)} characters long; search for at most {MAX_TEXT_LENGTH}."
        )


def check_day(day: date | None, name: str) -> None:
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise FilterRefused(
            f"`{name}` ({day}) is outside the days the hub plans for, "
            f"{EARLIEST_DAY} to {LATEST_DAY}."
        )


def refuse_unknown(kind: str, unknown: Iterable[str], known: Iterable[str]) -> None:
    """``unknown source 'nope'; known: github, jira`` for the first value not known."""
    for value in unknown:
        names = sorted(set(known))
        shown = ", ".join(names[:NAMES_SHOWN]) or "none"
        if len(names) > NAMES_SHOWN:
            shown += f" and {len(names) - NAMES_SHOWN} more"
        raise FilterRefused(f"unknown {kind} {value!r}; known: {shown}")


async def stored_source_names(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Source.name)))


async def stored_component_names(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Component.name)))


async def stored_initiatives(session: AsyncSession) -> list[tuple[str, str]]:
    """(hub id, key) of every live initiative; there are few."""
    rows = await session.execute(
        select(WorkItem.id, WorkItem.key).where(
            WorkItem.level == Level.INITIATIVE, WorkItem.deleted == false()
        )
    )
    return [(item_id, key) for item_id, key in rows]
