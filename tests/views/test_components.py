from __future__ import annotations

from datetime import timedelta

from hub.contract.records import StatusCategory
from hub.views.components import catalog, dependency_matrix, items_at_risk
from tests.views.test_graph import TODAY, build_world


async def test_the_catalog_counts_live_items_by_status(sessions) -> None:
    await build_world(sessions)
    async with sessions() as session:
        summaries = await catalog(session)
    T, P, D, X = (
        StatusCategory.TODO,
        StatusCategory.IN_PROGRESS,
        StatusCategory.DONE,
        StatusCategory.CANCELED,
    )
    assert [(s.name, s.owner, s.work) for s in summaries] == [
        ("docs", None, {}),
        ("ledger", "team-ledger", {T: 1, D: 1}),  # the deleted PAY-7 is not counted
        ("payments", "team-pay", {T: 1, P: 1}),
        ("platform", None, {T: 1, X: 1}),
    ]


async def test_items_at_risk_are_overdue_or_wait_on_a_later_blocker(sessions) -> None:
    await build_world(sessions)
    async with sessions() as session:
        every = await items_at_risk(session, [1, 2, 3, 4], today=TODAY, first=20)
        one = await items_at_risk(session, [1], today=TODAY, first=1)
        later = await items_at_risk(session, [1], today=TODAY + timedelta(days=60), first=20)
    # PAY-3 is overdue; PAY-2 waits on acme/x#1, due two weeks after it; PAY-4 is overdue.
    assert every == {1: ["jira:B", "jira:A"], 2: [], 3: ["jira:F"], 4: []}
    assert one == {1: ["jira:B"]}
    assert later == {1: ["jira:B", "jira:A"]}


async def test_the_component_matrix_counts_item_dependencies_between_components(
    sessions,
) -> None:
    await build_world(sessions, extra_blockers=3)
    async with sessions() as session:
        matrix = await dependency_matrix(session)
    # ledger → payments: acme/x#1 → PAY-2 (two provenances, one dependency) and
    # acme/x#2 → PAY-2; the deleted PAY-7 → PAY-2 and PAY-3 → PAY-2 (inside payments) do not
    # count; the three extra blockers of PAY-4 are inside platform.
    assert [(cell.blocker.name, cell.blocked.name, cell.count) for cell in matrix] == [
        ("ledger", "payments", 2),
        ("platform", "ledger", 1),
    ]
