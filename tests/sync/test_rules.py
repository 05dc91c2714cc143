from __future__ import annotations

from hub.contract.config import ComponentConfig, InitiativeConfig, ProjectRef, SourceConfig
from hub.contract.records import Level
from hub.sync.rules import HubRules
from tests.sync.fakes import item

CATALOG = [
    ComponentConfig(
        name="Payments",
        owner="team-payments",
        jira_components=("payments-api",),
        github_repos=("Acme/Payments-API",),
        linear_teams=("pay",),
        linear_labels=("payments",),
    ),
    ComponentConfig(name="Search", github_labels=("area:search",)),
]
INITIATIVES = [InitiativeConfig(key="payments-v2", title="Payments v2", epics=("ENG-7",))]


def test_tracker_names_map_onto_the_catalog_for_each_tool() -> None:
    rules = HubRules(CATALOG)
    assert rules.components_for("jira", item(1, components=("payments-api", "ledger"))) == [
        "Payments",
        "ledger",
    ]
    github = item(
        2, components=("acme/payments-api",), labels=("area:search", "component:infra", "bug")
    )
    assert rules.components_for("github", github) == ["Payments", "Search", "infra"]
    linear = item(3, components=("PAY",), labels=("payments",))
    assert rules.components_for("linear", linear) == ["Payments"]
    assert rules.components_for("github", item(4, components=("acme/identity",))) == ["identity"]


def test_epics_are_adopted_by_key_then_by_label_and_issues_never() -> None:
    rules = HubRules(initiatives=INITIATIVES)
    assert rules.initiative_for(item(1, level=Level.EPIC, key="ENG-7")) == "hub:payments-v2"
    labelled = item(2, level=Level.EPIC, labels=("initiative:payments-v2",))
    assert rules.initiative_for(labelled) == "hub:payments-v2"
    assert (
        rules.initiative_for(item(3, level=Level.ISSUE, labels=("initiative:payments-v2",))) is None
    )
    assert rules.initiative_for(item(4, level=Level.EPIC, labels=("initiative:other",))) is None


def test_the_fingerprint_follows_the_rules_and_the_source_mapping() -> None:
    source = SourceConfig(
        name="gh",
        kind="github",
        base_url="https://api.github.com",
        repos=("acme/identity",),
        token_env="T",
    )
    base = HubRules(CATALOG, INITIATIVES).fingerprint(source)
    assert base == HubRules(CATALOG, INITIATIVES).fingerprint(source)
    assert base != HubRules(CATALOG[:1], INITIATIVES).fingerprint(source)
    assert base != HubRules(CATALOG, INITIATIVES).fingerprint(
        source.model_copy(update={"epic_label": "big"})
    )
    assert base != HubRules(CATALOG, INITIATIVES).fingerprint(
        source.model_copy(update={"dates": ("sprint", "release")})
    )
    assert base != HubRules(CATALOG, INITIATIVES).fingerprint(
        source.model_copy(update={"projects_v2": (ProjectRef(owner="acme", number=7),)})
    )
