"""Webhooks end to end, with nothing faked: each tracker's simulator served over HTTP, a
source synced once, the world's changes signed by a ``WebhookSender`` and posted to the hub's
``POST /webhooks/<source>``, the real applier re-reading the items from the simulator, and
the result read back through GraphQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import HubConfig, SourceConfig
from hub.demo import demo_rules, demo_sources, simulators
from hub.server.app import create_app
from hub.sync import SyncEngine
from hub.sync.webhooks import WebhookApplier
from simulators import DemoWorld, build_demo_world
from simulators.webhook_events import connect
from simulators.webhooks import Sent, Tracker, WebhookSender

ITEMS = 150
SECRET = "the e2e webhook secret"
KINDS = ("github", "jira", "linear")
ITEM_FIELDS = "key title status parent { key } blockers { key source { kind } } blocking { key }"


@dataclass
class Hub:
    """The three simulated trackers, synced once, and the hub that receives their webhooks."""

    world: DemoWorld
    urls: dict[str, str]
    applier: WebhookApplier
    transport: httpx.ASGITransport
    client: httpx.AsyncClient

    def sender(self, kind: str, **misbehaviour: Any) -> WebhookSender:
        """A sender posting ``kind``'s changes to the hub, the world connected to it."""
        url = f"http://hub/webhooks/{kind}"
        sender = WebhookSender(cast(Tracker, kind), [url], SECRET.encode(), **misbehaviour)
        connect(getattr(self.world, kind), sender, base_url=self.urls[kind])
        return sender

    async def deliver(self, sender: WebhookSender) -> list[Sent]:
        """Post what the sender holds, then apply it as the hub's applier does."""
        sent = await sender.deliver_pending(self.client)
        await self.applier.apply_due()
        return sent

    @asynccontextmanager
    async def applying_each_delivery(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client to the hub after whose every answer the applier makes a pass, so that
        each delivery is applied before the next one arrives."""

        async def apply(_response: httpx.Response) -> None:
            await self.applier.apply_due()

        hooks = {"response": [apply]}
        async with httpx.AsyncClient(
            transport=self.transport, base_url="http://hub", event_hooks=hooks
        ) as client:
            yield client

    async def graphql(self, query: str) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query})
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def item(self, key: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = (
            await self.graphql(f'{{ item(key: "{key}") {{ {ITEM_FIELDS} }} }}')
        )["item"]
        return found

    async def deliveries(self, kind: str) -> list[dict[str, Any]]:
        data = await self.graphql(
            f'{{ webhookDeliveries(source: "{kind}", first: 100) '
            "{ source event deliveryId status appliedAt attempts error } }"
        )
        rows: list[dict[str, Any]] = data["webhookDeliveries"]
        return rows

    async def last_change_applied(self, kind: str) -> str | None:
        sources = (await self.graphql("{ sources { name lastChangeAppliedAt } }"))["sources"]
        [source] = [s for s in sources if s["name"] == kind]
        applied: str | None = source["lastChangeAppliedAt"]
        return applied


def secret_env(kind: str) -> str:
    return f"E2E_{kind.upper()}_WEBHOOK_SECRET"


@pytest.fixture
async def hub(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Hub]:
    world = build_demo_world(ITEMS, seed=5)
    rules = demo_rules(world)
    with simulators(world) as urls:
        sources: list[SourceConfig] = [
            source.model_copy(
                update={"webhook_secret_env": secret_env(source.kind)}
            ).read_secrets_from({secret_env(source.kind): SECRET}, "the test")
            for source in demo_sources(urls, world)
        ]
        engine = SyncEngine(sessions, rules=rules)
        for source in sources:
            report = await engine.sync(source)
            assert report.ok, report.error
        config = HubConfig(
            sources=tuple(sources), components=rules.components, initiatives=rules.initiatives
        )
        applier = WebhookApplier(engine, sources)
        app = create_app(sessions, config=config, webhooks=applier, require_token=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            yield Hub(world, urls, applier, transport, client)


# What each tracker's world lets a user change, as its own mutation methods do it.


def github_issues(world: DemoWorld) -> list[str]:
    return [world.github.key(row) for row in world.github if not row.is_pull]


def jira_issues(world: DemoWorld) -> list[str]:
    return [row.key for row in world.jira if not row.issue_type.subtask and row.parent_id is None]


def linear_issues(world: DemoWorld) -> list[str]:
    return [
        row.identifier
        for row in world.linear.issues.values()
        if not row.trashed and row.parent_id is None
    ]


ISSUES: dict[str, Callable[[DemoWorld], list[str]]] = {
    "github": github_issues,
    "jira": jira_issues,
    "linear": linear_issues,
}
DONE = {"github": {"state": "closed"}, "jira": {"status": "Done"}, "linear": {"state": "Done"}}
EXPECTED_STATUS = {"github": "Closed", "jira": "Done", "linear": "Done"}


def edit(world: DemoWorld, kind: str, key: str, **changes: Any) -> None:
    """Change an issue as a user of ``kind`` would: ``title`` and ``body`` in its own words."""
    names = {
        "github": {"title": "title", "body": "body"},
        "jira": {"title": "summary", "body": "description"},
        "linear": {"title": "title", "body": "description"},
    }[kind]
    tracker = getattr(world, kind)
    tracker.touch(key, **{names.get(name, name): value for name, value in changes.items()})


def block(world: DemoWorld, kind: str, blocker: str, blocked: str) -> None:
    if kind == "github":
        world.github.add_dependency(blocker, blocked)
    elif kind == "jira":
        world.jira.link(blocker, blocked)
    else:
        world.linear.relate(blocker, blocked)


def another_trackers_key(world: DemoWorld, kind: str) -> str:
    """A key of an issue in a tracker other than ``kind``, for a mention."""
    if kind == "jira":
        return next(row.identifier for row in world.linear.issues.values() if not row.trashed)
    return next(row.key for row in world.jira if not row.issue_type.subtask)


@pytest.mark.parametrize("kind", KINDS)
async def test_an_edit_updates_the_title_the_status_the_dependencies_and_the_mentions(
    hub: Hub, kind: str
) -> None:
    key, blocker = ISSUES[kind](hub.world)[:2]
    mentioned = another_trackers_key(hub.world, kind)
    before = await hub.item(key)
    assert before is not None and mentioned not in {b["key"] for b in before["blockers"]}
    assert await hub.last_change_applied(kind) is None  # a sync is no webhook
    sender = hub.sender(kind)

    edit(hub.world, kind, key, title="Changed by a webhook", body=f"Blocked by {mentioned}.")
    getattr(hub.world, kind).touch(key, **DONE[kind])
    block(hub.world, kind, blocker, key)
    sent = await hub.deliver(sender)

    assert [s.status for s in sent] == [202] * len(sent) and len(sent) >= 3
    after = await hub.item(key)
    assert after is not None
    assert (after["title"], after["status"]) == ("Changed by a webhook", EXPECTED_STATUS[kind])
    assert blocker in {b["key"] for b in after["blockers"]}
    assert mentioned in {b["key"] for b in after["blockers"]}  # the cross-tool dependency
    blocked_by_mention = await hub.item(mentioned)
    assert blocked_by_mention is not None and key in {
        b["key"] for b in blocked_by_mention["blocking"]
    }

    deliveries = await hub.deliveries(kind)
    assert sorted(d["deliveryId"] for d in deliveries) == sorted(
        s.delivery.delivery_id for s in sent
    )
    assert {d["status"] for d in deliveries} == {"APPLIED"}
    assert all(d["appliedAt"] and d["error"] is None for d in deliveries)
    assert await hub.last_change_applied(kind) is not None

    edit(hub.world, kind, key, body="Nothing to wait for any more.")
    await hub.deliver(sender)
    dropped = await hub.item(key)
    assert dropped is not None and mentioned not in {b["key"] for b in dropped["blockers"]}
    assert blocker in {b["key"] for b in dropped["blockers"]}


def reparent(world: DemoWorld, kind: str) -> tuple[str, str]:
    """Give an issue a new parent where the tracker's world allows it; (child, parent)."""
    if kind == "jira":
        epic = next(row for row in world.jira if row.issue_type.name == "Epic")
        child = next(
            row
            for row in world.jira
            if row.issue_type.name in ("Story", "Task", "Bug")
            and row.project == epic.project
            and row.parent_id != epic.id
        )
        world.jira.touch(child.key, parent=epic.key)
        return child.key, epic.key
    parent_key, child_key = linear_issues(world)[:2]
    world.linear.touch(child_key, parent=parent_key)
    return child_key, parent_key


@pytest.mark.parametrize("kind", ["jira", "linear"])  # GitHub's world changes no parent
async def test_an_edit_moves_an_item_to_its_new_parent(hub: Hub, kind: str) -> None:
    sender = hub.sender(kind)
    child, parent = reparent(hub.world, kind)
    before = await hub.item(child)
    assert before is not None and before["parent"] != {"key": parent}

    await hub.deliver(sender)

    after = await hub.item(child)
    assert after is not None and after["parent"] == {"key": parent}
    parent_item = await hub.graphql(f'{{ item(key: "{parent}") {{ children {{ key }} }} }}')
    assert child in {c["key"] for c in parent_item["item"]["children"]}


def delete(world: DemoWorld, kind: str, key: str) -> None:
    if kind == "linear":
        world.linear.trash(key)
    else:
        getattr(world, kind).delete(key)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_delete_tombstones_the_item(hub: Hub, kind: str) -> None:
    key = ISSUES[kind](hub.world)[0]
    assert await hub.item(key) is not None
    sender = hub.sender(kind)

    delete(hub.world, kind, key)
    sent = await hub.deliver(sender)

    assert [s.status for s in sent] == [202]
    assert await hub.item(key) is None
    [delivery] = await hub.deliveries(kind)
    assert delivery["status"] == "APPLIED"


@pytest.mark.parametrize("kind", KINDS)
async def test_deliveries_out_of_order_end_in_the_trackers_current_state(
    hub: Hub, kind: str
) -> None:
    key = ISSUES[kind](hub.world)[0]
    sender = hub.sender(kind, hold=3)
    for version in (1, 2, 3):
        edit(hub.world, kind, key, title=f"Version {version}")
    assert sender.sent == []  # held until the third

    async with hub.applying_each_delivery() as client:  # newest first, each applied at once
        sent = await sender.deliver_pending(client)
    assert len(sent) == 3
    found = await hub.item(key)
    assert found is not None and found["title"] == "Version 3"
    assert [d["status"] for d in await hub.deliveries(kind)] == ["APPLIED"] * 3


@pytest.mark.parametrize("kind", KINDS)
async def test_a_duplicate_is_applied_once_and_a_forgery_is_refused(hub: Hub, kind: str) -> None:
    key = ISSUES[kind](hub.world)[0]
    sender = hub.sender(kind, duplicates=1, forge=True)

    edit(hub.world, kind, key, title="Sent twice and forged once")
    sent = await hub.deliver(sender)

    genuine, again, forged = sent
    assert genuine.delivery.delivery_id == again.delivery.delivery_id
    assert (genuine.status, again.status, forged.status) == (202, 200, 401)
    assert forged.delivery.forged and forged.delivery.delivery_id != genuine.delivery.delivery_id
    deliveries = await hub.deliveries(kind)
    assert [(d["deliveryId"], d["status"], d["attempts"]) for d in deliveries] == [
        (genuine.delivery.delivery_id, "APPLIED", 1)
    ]
    found = await hub.item(key)
    assert found is not None and found["title"] == "Sent twice and forged once"

    # The forgery again, once the tracker holds something newer: refused, nothing re-read.
    edit(hub.world, kind, key, title="Not yet told to the hub")
    refused = await hub.client.post(
        forged.url, content=forged.delivery.body, headers=dict(forged.delivery.headers)
    )
    assert refused.status_code == 401
    assert await hub.applier.apply_due() == 0
    assert await hub.item(key) == found
    assert len(await hub.deliveries(kind)) == 1


# The tracker's other events, each through its own refs and re-read.


async def test_github_a_transferred_issue_leaves_its_old_key_for_its_new_one(hub: Hub) -> None:
    key = github_issues(hub.world)[0]
    title = hub.world.github.require(key).title
    target = next(repo for repo in ("payments-api", "identity", "search") if repo not in key)
    sender = hub.sender("github")

    moved = hub.world.github.transfer(key, target)
    await hub.deliver(sender)

    new_key = hub.world.github.key(moved)
    assert await hub.item(key) is None
    found = await hub.item(new_key)
    assert found is not None and found["title"] == title


async def test_github_a_removed_dependency_is_gone(hub: Hub) -> None:
    blocked = next(r for r in hub.world.github if not r.is_pull and hub.world.github.blocked_by(r))
    blocker = hub.world.github.blocked_by(blocked)[0]
    key, blocker_key = hub.world.github.key(blocked), hub.world.github.key(blocker)
    before = await hub.item(key)
    assert before is not None and blocker_key in {b["key"] for b in before["blockers"]}
    sender = hub.sender("github")

    hub.world.github.remove_dependency(blocker_key, key)
    await hub.deliver(sender)

    after = await hub.item(key)
    assert after is not None and blocker_key not in {b["key"] for b in after["blockers"]}


async def test_github_a_project_card_edit_moves_the_epics_target_date(hub: Hub) -> None:
    github = hub.world.github
    project = github.projects.get(github.owner, 1)
    key = next(github.key(i.row) for i in project.items if i.row is not None and not i.archived)
    sender = hub.sender("github")

    github.set_field_value(github.owner, 1, key, "Target date", "2031-02-03")
    [sent] = await hub.deliver(sender)

    assert sent.status == 202
    data = await hub.graphql(f'{{ item(key: "{key}") {{ targetDate }} }}')
    assert data["item"]["targetDate"] == "2031-02-03"


async def test_jira_a_created_issue_appears(hub: Hub) -> None:
    sender = hub.sender("jira")
    project = next(iter(hub.world.jira.projects))

    row = hub.world.jira.add_issue("Task", "Created while the hub listened", project=project)
    await hub.deliver(sender)

    found = await hub.item(row.key)
    assert found is not None and found["title"] == "Created while the hub listened"


async def test_linear_project_initiative_and_project_update_events_are_applied(hub: Hub) -> None:
    linear = hub.world.linear
    project = next(p for p in linear.projects.values() if p.archived_ms is None)
    initiative = next(iter(linear.initiatives.values()))
    sender = hub.sender("linear")

    linear.touch_project(project.id, name="Renamed by a webhook")
    linear.touch_initiative(initiative.id, target_date="2031-06-30")
    linear.add_project_update(project.id, "offTrack", body="Slipping")
    sent = await hub.deliver(sender)

    assert [s.status for s in sent] == [202] * 3
    data = await hub.graphql(
        f'{{ project: item(key: "project:{project.slug_id}") '
        "{ title declaredHealth { status note } } "
        f'initiative: item(key: "initiative:{initiative.slug_id}") {{ targetDate }} }}'
    )
    assert data["project"]["title"] == "Renamed by a webhook"
    assert data["project"]["declaredHealth"] == {"status": "OFF_TRACK", "note": "Slipping"}
    assert data["initiative"]["targetDate"] == "2031-06-30"
    assert {d["status"] for d in await hub.deliveries("linear")} == {"APPLIED"}


@pytest.mark.parametrize("kind", KINDS)
async def test_a_running_applier_applies_a_delivery_as_it_is_recorded(hub: Hub, kind: str) -> None:
    key = ISSUES[kind](hub.world)[0]
    sender = hub.sender(kind)
    edit(hub.world, kind, key, title="Applied without being asked")

    async with hub.applier.lifespan():
        [sent] = await sender.deliver_pending(hub.client)
        found = await eventually(hub, key, "Applied without being asked")

    assert sent.status == 202
    assert found["title"] == "Applied without being asked"
    assert [d["status"] for d in await hub.deliveries(kind)] == ["APPLIED"]


async def eventually(hub: Hub, key: str, title: str) -> dict[str, Any]:
    """The item once it has ``title``; fails after ten seconds."""
    async with asyncio.timeout(10):
        while True:
            found = await hub.item(key)
            if found is not None and found["title"] == title:
                return found
            await asyncio.sleep(0.02)
