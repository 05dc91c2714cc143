"""Jira Plans dates over real HTTP: simulated site → connector → sync → stored origins."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr
from sqlalchemy import select

from hub.contract.config import SourceConfig
from hub.contract.records import DateSource
from hub.storage.models import WorkItem
from hub.sync import SyncEngine
from simulators import JiraWorld, create_jira_app, serve

EMAIL, TOKEN = "pm@example.com", "sim-token"


def source(url: str, world: JiraWorld) -> SourceConfig:
    config = SourceConfig(
        name="jira",
        kind="jira",
        base_url=url,
        projects=tuple(world.projects),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
        dates=("plans", "fields", "sprint", "release"),
    )
    return config.model_copy(update={"token": SecretStr(TOKEN), "email": SecretStr(EMAIL)})


async def test_plans_sprint_and_release_dates_arrive_with_their_origin(sessions) -> None:
    world = JiraWorld(size=120, seed=5, plans=True)
    epic = next(row for row in world if row.issue_type.name == "Epic")
    world.set_target_dates(epic.key, "2027-01-04", "2027-03-26")
    sprint = world.add_sprint(
        "PAY Sprint 42",
        state="active",
        start=datetime(2027, 1, 11, 9, tzinfo=UTC),
        end=datetime(2027, 1, 25, 9, tzinfo=UTC),
    )
    in_sprint = world.add_issue("Story", "Only its sprint says when", project="PAY")
    world.assign_sprint(in_sprint.key, sprint.id)
    release = world.add_version("2027.2", release_date="2027-02-15")
    shipping = world.add_issue("Story", "Only its release says when", project="PAY")
    world.set_fix_versions(shipping.key, [release.id])

    with serve(create_jira_app(world, email=EMAIL, token=TOKEN)) as url:
        report = await SyncEngine(sessions).sync(source(url, world))
    assert report.ok, report.error

    async with sessions() as session:
        rows = {
            row.key: row
            for row in (await session.execute(select(WorkItem))).scalars()
            if row.key in {epic.key, in_sprint.key, shipping.key}
        }

    def origins(key: str) -> tuple[object, ...]:
        row = rows[key]
        return (
            (row.start_date, row.start_date_source, row.start_date_field),
            (row.target_date, row.target_date_source, row.target_date_field),
        )

    assert origins(epic.key) == (
        (date(2027, 1, 4), DateSource.FIELD, "Target start"),
        (date(2027, 3, 26), DateSource.FIELD, "Target end"),
    )
    assert origins(in_sprint.key) == (
        (date(2027, 1, 11), DateSource.SPRINT, "PAY Sprint 42"),
        (date(2027, 1, 25), DateSource.SPRINT, "PAY Sprint 42"),
    )
    assert origins(shipping.key) == (
        (None, None, None),
        (date(2027, 2, 15), DateSource.RELEASE, "2027.2"),
    )
