"""Root queries: one item by tracker key or by hub id (``node``), filtered keyset-paginated
item lists, sources and their sync runs (``schema.sync``).

Errors a client can fix are raised as ``GraphQLError`` so that the app's error masking keeps
their message; anything else is a bug and reaches the client masked.
"""

from __future__ import annotations

import base64
import binascii
import json

import strawberry
from graphql import GraphQLError

from hub.views.items import Position, item_page, position
from schema.context import Info
from schema.filter_checks import check_known, client_errors
from schema.runs import SyncRun
from schema.sync import sources, sync_runs
from schema.types import Item, ItemConnection, ItemEdge, ItemFilter, PageInfo
from schema.types import Source as SourceType

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
_CURSOR_PREFIX = "item:"


def encode_cursor(after: Position) -> str:
    """An opaque form of a position in (key, id) order."""
    payload = _CURSOR_PREFIX + json.dumps(list(after), separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(cursor: str) -> Position:
    """The (key, id) a cursor points after; a clear error for anything this API did not issue."""
    try:
        payload = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
        if not payload.startswith(_CURSOR_PREFIX):
            raise ValueError(payload)
        position = json.loads(payload.removeprefix(_CURSOR_PREFIX))
        if not (isinstance(position, list) and all(isinstance(part, str) for part in position)):
            raise ValueError(payload)
        key, item_id = position
    except (UnicodeError, binascii.Error, ValueError, TypeError):
        raise GraphQLError(
            f"`after` is not a cursor issued by this API: {cursor[:40]!r}; "
            "pass an `endCursor` or `cursor` from a previous page."
        ) from None
    return key, item_id


def _checked_page_size(first: int) -> int:
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}; "
            "page through larger lists with `after`."
        )
    return first


def _given(value: str | None) -> tuple[str, ...]:
    return () if value is None else (value,)


@strawberry.type
class Query:
    sources: list[SourceType] = strawberry.field(
        resolver=sources,
        description="Tracker connections by name: those the database knows and those "
        "configured on this server.",
    )
    sync_runs: list[SyncRun] = strawberry.field(
        resolver=sync_runs, description="Sync runs, newest first."
    )

    @strawberry.field(
        description="The item with this tracker key, in any case; null if unknown or deleted."
    )
    async def item(self, info: Info, key: str) -> Item | None:
        rows = await info.context.loaders.items_by_key.load(key)
        if len(rows) > 1:
            raise GraphQLError(
                f"key {key!r} names items in several sources ({', '.join(r.id for r in rows)}); "
                "narrow it with `items(filter: {text, source})`."
            )
        return Item.from_row(rows[0]) if rows else None

    @strawberry.field(description="The item with this hub id; null if unknown or deleted.")
    async def node(self, info: Info, id: strawberry.ID) -> Item | None:
        row = await info.context.loaders.item_by_id.load(str(id))
        return None if row is None else Item.from_row(row)

    @strawberry.field(description=f"Items ordered by key; at most {MAX_PAGE_SIZE} per page.")
    async def items(
        self,
        info: Info,
        filter: ItemFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> ItemConnection:
        page_size = _checked_page_size(first)
        with client_errors():
            item_filter = (filter or ItemFilter()).to_view()
        await check_known(
            info,
            sources=_given(item_filter.source),
            components=_given(item_filter.component),
            initiatives=_given(item_filter.initiative),
        )
        start = None if after is None else decode_cursor(after)
        async with info.context.sessions() as session:
            page = await item_page(session, item_filter, first=page_size, after=start)
        edges = [
            ItemEdge(cursor=encode_cursor(position(row)), node=Item.from_row(row))
            for row in page.items
        ]
        return ItemConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
                start_cursor=edges[0].cursor if edges else None,
            ),
            item_filter=item_filter,
        )
