"""``Item.milestones``: an epic's checkpoints in the tracker's order, then by date."""

from __future__ import annotations

from hub.contract.records import Level
from hub.storage.models import Source
from tests.stored import GraphQL
from tests.work_items import NOW, work_item


def milestone(name: str, day: str | None, order: float | None, **rest: object) -> dict[str, object]:
    return {
        "id": f"m-{name}",
        "name": name,
        "target_date": day,
        "status": rest.get("status"),
        "progress": rest.get("progress"),
        "sort_order": order,
    }


async def test_milestones_come_in_sort_order_then_by_date(sessions, graphql: GraphQL) -> None:
    stored = [
        milestone("GA", "2026-09-01", 2.0, status="unstarted", progress=0.0),
        milestone("Unordered late", "2026-12-01", None),
        milestone("Unordered early", "2026-07-01", None),
        milestone("Beta", "2026-06-01", 1.0, status="next", progress=0.5),
        milestone("Also first", "2026-05-01", 1.0),
        milestone("Undated", None, None),
    ]
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="lin", kind="linear", base_url="https://l", created_at=NOW))
        session.add_all(
            [
                work_item("lin:E", "E", "Epic", level=Level.EPIC, milestones=stored),
                work_item("lin:I", "I", "Issue", parent_id="lin:E"),
            ]
        )

    data = await graphql(
        '{ e: item(key: "E") { milestones { name targetDate status progress } }'
        ' i: item(key: "I") { milestones { name } } }'
    )

    assert [m["name"] for m in data["e"]["milestones"]] == [
        "Also first",
        "Beta",
        "GA",
        "Unordered early",
        "Unordered late",
        "Undated",
    ]
    assert data["e"]["milestones"][1] == {
        "name": "Beta",
        "targetDate": "2026-06-01",
        "status": "next",
        "progress": 0.5,
    }
    assert data["i"] == {"milestones": []}
