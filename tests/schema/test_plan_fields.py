"""The API shows where each date came from, dates derived from children, the health a team
declared beside the computed one, and where the two disagree."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import DateSource, DeclaredHealth, Level, StatusCategory
from hub.storage.models import Source
from tests.stored import GraphQL
from tests.work_items import NOW, work_item

P = StatusCategory.IN_PROGRESS
SAID_AT = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
DATES = "startDate targetDate startDateSource { source field } targetDateSource { source field }"


async def build(sessions: async_sessionmaker[AsyncSession]) -> None:
    """An initiative declared on track with no dates, over an epic dated by its sprint and
    project field, which the dates show late, and an undated epic whose issue is dated."""
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://j", created_at=NOW))
        session.add_all(
            [
                work_item(
                    "jira:INI",
                    "INI",
                    "Payments",
                    level=Level.INITIATIVE,
                    category=P,
                    declared_health=DeclaredHealth.ON_TRACK,
                    declared_health_at=SAID_AT,
                    declared_health_by="ada",
                    declared_health_note="All good.",
                ),
                work_item(
                    "jira:E1",
                    "E1",
                    "Late epic",
                    level=Level.EPIC,
                    category=P,
                    parent_id="jira:INI",
                    start_date=date(2026, 1, 5),
                    start_date_source=DateSource.SPRINT,
                    start_date_field="Sprint 1",
                    target_date=date(2026, 3, 1),
                    target_date_source=DateSource.PROJECT_FIELD,
                    target_date_field="Target date",
                    declared_health=DeclaredHealth.ON_TRACK,
                ),
                work_item(
                    "jira:E2",
                    "E2",
                    "Undated epic",
                    level=Level.EPIC,
                    category=P,
                    parent_id="jira:INI",
                ),
                work_item(
                    "jira:I1",
                    "I1",
                    "Issue",
                    parent_id="jira:E2",
                    start_date=date(2026, 2, 1),
                    target_date=date(2026, 12, 1),
                ),
            ]
        )


async def test_an_item_shows_where_its_dates_came_from(sessions, graphql: GraphQL) -> None:
    await build(sessions)
    data = await graphql(f'{{ item(key: "E1") {{ {DATES} }} }}')

    assert data["item"] == {
        "startDate": "2026-01-05",
        "targetDate": "2026-03-01",
        "startDateSource": {"source": "SPRINT", "field": "Sprint 1"},
        "targetDateSource": {"source": "PROJECT_FIELD", "field": "Target date"},
    }


async def test_undated_epics_and_initiatives_show_their_childrens_dates(
    sessions, graphql: GraphQL
) -> None:
    await build(sessions)
    data = await graphql(
        f'{{ e2: item(key: "E2") {{ {DATES} }} ini: item(key: "INI") {{ {DATES} }}'
        f' issue: item(key: "I1") {{ {DATES} }} }}'
    )

    derived = {"source": "CHILDREN", "field": None}
    assert data["e2"] == {
        "startDate": "2026-02-01",
        "targetDate": "2026-12-01",
        "startDateSource": derived,
        "targetDateSource": derived,
    }
    # E1's declared start (January) and E2's derived target (December).
    assert data["ini"] == {
        "startDate": "2026-01-05",
        "targetDate": "2026-12-01",
        "startDateSource": derived,
        "targetDateSource": derived,
    }
    # A date stored without a source (before sources existed) was read from a field.
    assert data["issue"]["startDateSource"] == {"source": "FIELD", "field": None}


async def test_declared_health_is_shown_with_when_and_who(sessions, graphql: GraphQL) -> None:
    await build(sessions)
    data = await graphql(
        '{ ini: item(key: "INI") { declaredHealth { status at by note } }'
        ' e2: item(key: "E2") { declaredHealth { status } } }'
    )

    assert data == {
        "ini": {
            "declaredHealth": {
                "status": "ON_TRACK",
                "at": "2026-03-20T09:30:00+00:00",
                "by": "ada",
                "note": "All good.",
            }
        },
        "e2": {"declaredHealth": None},
    }


async def test_the_roadmap_flags_declared_health_the_dates_contradict(
    sessions, graphql: GraphQL
) -> None:
    """Today (the real one) is after E1's March target: declared ON_TRACK, computed OFF_TRACK."""
    await build(sessions)
    data = await graphql(
        "{ roadmap(filter: { statusCategories: [IN_PROGRESS] }) { lanes { key health "
        "healthDisagrees initiative { key targetDate targetDateSource { source } } "
        "epics { item { key targetDate targetDateSource { source } } health healthDisagrees } "
        "} } }"
    )

    [lane] = data["roadmap"]["lanes"]
    assert lane["initiative"] == {
        "key": "INI",
        "targetDate": "2026-12-01",
        "targetDateSource": {"source": "CHILDREN"},
    }
    epics = {epic["item"]["key"]: epic for epic in lane["epics"]}
    assert (epics["E1"]["health"], epics["E1"]["healthDisagrees"]) == ("OFF_TRACK", True)
    assert epics["E2"]["healthDisagrees"] is False  # nothing declared
    assert epics["E2"]["item"]["targetDateSource"] == {"source": "CHILDREN"}
    assert lane["healthDisagrees"] is True
