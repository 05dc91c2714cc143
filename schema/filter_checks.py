"""Filter values checked before a list is read: a source, component or initiative that
neither this server's configuration nor the database knows is a client's typo, refused
with the names it could have meant, not answered with an empty list.

Known means configured (``Context.config``, synced or not) or stored; the database is asked
only about values the configuration does not name, so a filter of configured names costs no
statement.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.views.filter_values import (
    FilterRefused,
    refuse_unknown,
    stored_component_names,
    stored_initiatives,
    stored_source_names,
)
from schema.context import Info


@contextmanager
def client_errors() -> Iterator[None]:
    """A value the views refuse is the client's to fix: its message reaches them unmasked."""
    try:
        yield
    except FilterRefused as error:
        raise GraphQLError(str(error)) from None


Stored = Callable[[AsyncSession], Coroutine[Any, Any, tuple[list[str], set[str]]]]
"""The names to list in a refusal, and every value that names something (keys folded)."""


async def check_known(
    info: Info,
    *,
    sources: Sequence[str] = (),
    components: Sequence[str] = (),
    initiatives: Sequence[str] = (),
) -> None:
    """Refuses the first source, component or initiative named that nothing knows."""
    config = info.context.config
    await _check(info, "source", sources, [s.name for s in config.sources], _sources)
    await _check(info, "component", components, [c.name for c in config.components], _components)
    configured = [i.key for i in config.initiatives]
    await _check(info, "initiative", initiatives, configured, _initiatives, fold=str.lower)


async def _sources(session: AsyncSession) -> tuple[list[str], set[str]]:
    names = await stored_source_names(session)
    return names, set(names)


async def _components(session: AsyncSession) -> tuple[list[str], set[str]]:
    names = await stored_component_names(session)
    return names, set(names)


async def _initiatives(session: AsyncSession) -> tuple[list[str], set[str]]:
    """Keys in any case, or hub ids (accepted, not listed)."""
    rows = await stored_initiatives(session)
    return [key for _, key in rows], {*(key.lower() for _, key in rows), *(i for i, _ in rows)}


async def _check(
    info: Info,
    kind: str,
    given: Sequence[str],
    configured: Sequence[str],
    stored: Stored,
    *,
    fold: Callable[[str], str] = str,
) -> None:
    missing = [value for value in given if fold(value) not in {fold(n) for n in configured}]
    if not missing:
        return
    async with info.context.sessions() as session:
        names, accepted = await stored(session)
    with client_errors():
        unknown = [v for v in missing if fold(v) not in accepted and v not in accepted]
        refuse_unknown(kind, unknown, [*configured, *names])
