"""Stored work items built in one line, for tests that fill the database by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.contract.records import Level, StatusCategory
from hub.storage.models import WorkItem

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def work_item(
    item_id: str,
    key: str,
    title: str,
    *,
    source_id: int = 1,
    level: Level = Level.ISSUE,
    parent_id: str | None = None,
    category: StatusCategory = StatusCategory.TODO,
    **extra: Any,
) -> WorkItem:
    return WorkItem(
        id=item_id,
        source_id=source_id,
        external_id=item_id.split(":", 1)[1],
        key=key,
        url=f"https://tracker.example/{key}",
        title=title,
        level=level,
        status_name=category.title(),
        status_category=category,
        parent_id=parent_id,
        created_at=NOW,
        updated_at=NOW,
        raw={},
        content_hash="h",
        synced_at=NOW,
        labels=extra.pop("labels", []),
        **extra,
    )
