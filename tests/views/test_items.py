"""Item lists at the view: pages after a position in (key, hub id) order, and their count."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.storage.models import Source
from hub.views.item_filter import ItemFilter
from hub.views.items import count_items, item_page, position
from tests.work_items import NOW, work_item


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> None:
    """PAY-1 in two sources (told apart by hub id), three more live items and a deleted one."""
    async with sessions() as session, session.begin():
        session.add_all(
            Source(id=n, name=name, kind=name, base_url=f"https://{name}", created_at=NOW)
            for n, name in ((1, "jira"), (2, "linear"))
        )
        await session.flush()
        session.add_all(
            [
                work_item("linear:a", "PAY-1", "Refunds", source_id=2, labels=["api"]),
                work_item("jira:a", "PAY-1", "Charges", labels=["api"]),
                work_item("jira:c", "PAY-3", "Invoices"),
                work_item("jira:b", "PAY-2", "Payouts", labels=["api"]),
                work_item("jira:d", "PAY-4", "Gone", labels=["api"], deleted=True),
                work_item("jira:e", "PAY-5", "Ledger"),
            ]
        )


async def pages(
    sessions: async_sessionmaker[AsyncSession], item_filter: ItemFilter, first: int
) -> list[list[str]]:
    """The hub ids of every page, following each page's last position to the next (ten
    pages at most, so that paging which never ends fails instead of hanging)."""
    found: list[list[str]] = []
    after = None
    async with sessions() as session:
        for _ in range(10):
            page = await item_page(session, item_filter, first=first, after=after)
            found.append([item.id for item in page.items])
            if not page.has_next_page:
                break
            after = position(page.items[-1])
    return found


async def test_pages_follow_key_then_hub_id_and_skip_deleted_items(sessions, world) -> None:
    assert await pages(sessions, ItemFilter(), first=2) == [
        ["jira:a", "linear:a"],
        ["jira:b", "jira:c"],
        ["jira:e"],
    ]


async def test_the_count_covers_every_page_of_the_same_filter(sessions, world) -> None:
    labelled = ItemFilter(label="api")
    assert await pages(sessions, labelled, first=1) == [["jira:a"], ["linear:a"], ["jira:b"]]
    async with sessions() as session:
        assert await count_items(session, labelled) == 3
        assert await count_items(session, ItemFilter()) == 5


async def test_a_page_after_the_last_item_is_empty_and_last(sessions, world) -> None:
    async with sessions() as session:
        page = await item_page(session, ItemFilter(), first=5, after=("PAY-5", "jira:e"))
    assert (page.items, page.has_next_page) == ([], False)
