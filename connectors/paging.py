"""Following a listing from page to page, so that no tracker can send a connector in a circle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from hub.contract.errors import TrackerDataError

P = TypeVar("P")


async def follow_pages(
    read: Callable[[str | None], Awaitable[tuple[P, str | None]]], repeated: str
) -> AsyncIterator[P]:
    """Every page of a listing: ``read(None)`` gives the first page and the link to the next
    (a token or a URL), ``read(link)`` each next one, until a page gives no link.

    A link seen twice would loop forever, so it ends the listing with
    ``TrackerDataError(repeated)`` once the page that gave it has been yielded.
    """
    seen: set[str] = set()
    link: str | None = None
    while True:
        page, link = await read(link)
        yield page
        if not link:
            return
        if link in seen:
            raise TrackerDataError(repeated)
        seen.add(link)

