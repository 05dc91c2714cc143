"""Nested initiatives end to end: a simulated Jira site with a Theme above an Initiative above
an Epic, and a config initiative placed under that Theme, synced over real HTTP and shown by
the GraphQL roadmap as nested lanes with the Theme's rollup over both."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import InitiativeConfig, SourceConfig
from hub.sync import SyncEngine
from hub.sync.rules import HubRules
from schema import get_context, schema
from simulators import JiraWorld, create_jira_app, serve

EMAIL, TOKEN = "pm@example.com", "sim-token"
TODAY = date(2027, 1, 15)

LANES = """
query Nested($filter: RoadmapFilter) {
  roadmap(filter: $filter) {
    lanes {
      key depth epicCount health
      parent { key }
      initiative { key level source { name } targetDate targetDateSource { source } }
      progress { total done }
      epics { item { key } }
    }
  }
}
"""


def jira_source(url: str, world: JiraWorld) -> SourceConfig:
    config = SourceConfig(
        name="jira",
        kind="jira",
        base_url=url,
        projects=tuple(world.projects),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
        dates=("plans", "fields"),
    )
    return config.model_copy(update={"token": SecretStr(TOKEN), "email": SecretStr(EMAIL)})


async def roadmap_lanes(
    sessions: async_sessionmaker[AsyncSession], theme: str
) -> list[dict[str, Any]]:
    context = dataclasses.replace(get_context(sessions), today=TODAY)
    result = await schema.execute(
        LANES, variable_values={"filter": {"initiatives": [theme]}}, context_value=context
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    lanes: list[dict[str, Any]] = result.data["roadmap"]["lanes"]
    return lanes


async def test_a_theme_its_initiative_and_a_config_initiative_under_it_nest_on_the_roadmap(
    sessions,
) -> None:
    world = JiraWorld(size=40, seed=11, plans=True)
    initiative = world.add_issue("Initiative", "Checkout everywhere", project="PAY")
    cards = world.add_issue("Epic", "Cards checkout", project="PAY", parent=initiative.key)
    world.set_target_dates(cards.key, "2027-01-04", "2027-03-26")
    done = world.add_issue("Story", "Card form", project="PAY", parent=cards.key)
    world.touch(done.key, status="Done")
    world.add_issue("Story", "3-D Secure", project="PAY", parent=cards.key)
    wallets = world.add_issue("Epic", "Wallets", project="PAY")
    world.set_target_dates(wallets.key, "2027-02-01", "2027-05-28")
    world.touch(wallets.key, labels=["initiative:wallets"])
    world.add_issue("Story", "Apple Pay", project="PAY", parent=wallets.key)
    theme = world.add_theme("Platform 2027", initiatives=[initiative.key])
    # The config's initiative sits under the Jira theme, named by its key.
    rules = HubRules(
        initiatives=[InitiativeConfig(key="wallets", title="Wallets", parent=theme.key)]
    )

    with serve(create_jira_app(world, email=EMAIL, token=TOKEN)) as url:
        report = await SyncEngine(sessions, rules=rules).sync(jira_source(url, world))
    assert report.ok, report.error

    lanes = await roadmap_lanes(sessions, theme.key)
    assert [
        (
            lane["key"],
            lane["depth"],
            lane["parent"] and lane["parent"]["key"],
            [epic["item"]["key"] for epic in lane["epics"]],
            lane["epicCount"],
            lane["progress"],
        )
        for lane in lanes
    ] == [
        (theme.key, 0, None, [], 2, {"total": 3, "done": 1}),
        ("wallets", 1, theme.key, [wallets.key], 1, {"total": 1, "done": 0}),
        (initiative.key, 1, theme.key, [cards.key], 1, {"total": 2, "done": 1}),
    ]
    top = lanes[0]["initiative"]
    assert (top["level"], top["source"]["name"]) == ("INITIATIVE", "jira")
    # Undated in Jira, the theme ends with its latest epic, the config initiative's.
    assert (top["targetDate"], top["targetDateSource"]) == ("2027-05-28", {"source": "CHILDREN"})
    assert lanes[1]["initiative"]["source"]["name"] == "hub"
