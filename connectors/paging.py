"""Reading a listing page by page: its next-page links without going in circles, and each
page's objects once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import msgspec

from connectors.base import Skipped
from connectors.body import element
from connectors.payload import MAPPINGS
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


def page_objects(
    entries: Iterable[msgspec.Raw], skipped: list[Skipped], not_an_object: str
) -> Iterator[tuple[Mapping[str, Any], bytes]]:
    """Each object of a page once, parsed right before it is mapped, with its raw text
    (``connectors.body.element``). An entry that is no object goes to ``skipped`` with the
    reason ``not_an_object``; one whose ``id`` came earlier in the page is dropped."""
    seen: set[str] = set()
    for raw in entries:
        value, text = element(raw)
        if not isinstance(value, MAPPINGS):
            skipped.append(Skipped(key="?", reason=not_an_object))
            continue
        item_id = str(value.get("id") or "")
        if item_id and item_id in seen:
            continue
        seen.add(item_id)
        yield value, text
