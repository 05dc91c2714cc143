from __future__ import annotations

from datetime import UTC, date, datetime

from hub.records import Level, StatusCategory
from hub.reports.terminal import roadmap_summary
from hub.storage.models import Source, WorkItem
from hub.views.roadmap import roadmap

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def work_item(
    key: str, level: Level, category: StatusCategory, parent: str | None = None, **extra
) -> WorkItem:
    return WorkItem(
        id=f"jira:{key}",
        source_id=1,
        external_id=key,
        key=key,
        url=f"https://j/{key}",
        title=key,
        level=level,
        status_name=category.value.title(),
        status_category=category,
        parent_id=f"jira:{parent}" if parent else None,
        created_at=NOW,
        updated_at=NOW,
        raw={},
        content_hash="-",
        synced_at=NOW,
        labels=[],
        **extra,
    )


async def test_progress_rolls_up_from_issues_to_epics_to_initiatives(sessions) -> None:
    T, D, C = StatusCategory.TODO, StatusCategory.DONE, StatusCategory.CANCELED
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://j", created_at=NOW))
        session.add_all(
            [
                work_item("INI-1", Level.INITIATIVE, T, target_date=date(2026, 6, 30)),
                work_item("EP-1", Level.EPIC, T, "INI-1", target_date=date(2026, 3, 1)),
                work_item("EP-2", Level.EPIC, D, "INI-1"),
                work_item("EP-3", Level.EPIC, T),
                work_item("I-1", Level.ISSUE, D, "EP-1", estimate=3.0),
                work_item("I-2", Level.ISSUE, T, "EP-1", estimate=1.0),
                work_item("I-3", Level.ISSUE, C, "EP-1", estimate=8.0),
                work_item("I-4", Level.ISSUE, D, "EP-2"),
                work_item("I-5", Level.ISSUE, D, "EP-3", deleted=True),
            ]
        )
    async with sessions() as session:
        lanes = await roadmap(session)

    initiative, orphans = lanes
    assert initiative.initiative is not None and initiative.initiative.key == "INI-1"
    assert [e.key for e in initiative.epics] == ["EP-1", "EP-2"]
    ep1 = initiative.epics[0].progress
    assert (ep1.total, ep1.done, ep1.estimate_total, ep1.estimate_done) == (2, 1, 4.0, 3.0)
    assert (initiative.progress.total, initiative.progress.done) == (3, 2)
    assert initiative.initiative.progress.ratio == 2 / 3
    assert orphans.initiative is None and [e.key for e in orphans.epics] == ["EP-3"]
    assert orphans.epics[0].progress.ratio is None

    text = roadmap_summary(lanes)
    assert "1 initiatives, 3 epics" in text
    assert "EP-1" in text and "1/2 done" in text and "(no initiative)" in text
