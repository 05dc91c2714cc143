"""The simulators' webhook sender: deliveries in each tracker's shape, signed so that the
connectors' ``verify`` accepts them, with duplicates, out-of-order and forged ones on demand;
each change a world announces arrives as the event a tracker would send."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import httpx
import pytest

from connectors.github import webhooks as github_hooks
from connectors.jira import webhooks as jira_hooks
from connectors.linear import webhooks as linear_hooks
from connectors.webhooks import WebhookEvent, WebhookRefused
from simulators import GitHubWorld, JiraWorld, LinearWorld
from simulators.webhook_events import connect
from simulators.webhooks import Delivery, Tracker, WebhookSender

SECRET = b"shared-webhook-secret"
URL = "http://hub.test/webhooks/src"
HOOKS = {"github": github_hooks, "jira": jira_hooks, "linear": linear_hooks}


class Receiver:
    """What a hub would do first: verify, then parse; refusals answered with their status."""

    def __init__(self, tracker: Tracker) -> None:
        self.hooks = HOOKS[tracker]
        self.events: list[WebhookEvent] = []
        self.refused: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            self.hooks.verify(headers, request.content, SECRET, datetime.now(UTC))
            self.events.append(self.hooks.parse(headers, request.content))
        except WebhookRefused as refused:
            self.refused.append(refused.status)
            return httpx.Response(refused.status)
        return httpx.Response(200)


async def delivered(
    tracker: Tracker, change: Callable[[WebhookSender], object], **options: object
) -> tuple[Receiver, WebhookSender]:
    receiver = Receiver(tracker)
    sender = WebhookSender(tracker, URL, SECRET, **options)  # type: ignore[arg-type]
    change(sender)
    sender.release()
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as client:
        await sender.deliver_pending(client)
    return receiver, sender


def github_world() -> GitHubWorld:
    return GitHubWorld(60, seed=3, repos=("payments-api", "identity"))


def issue_keys(world: GitHubWorld, count: int) -> list[str]:
    """Open issues of the first repository (pull requests left out)."""
    rows = [r for r in world if not r.is_pull and r.state == "open"]
    return [world.key(row) for row in rows if row.repo.name == "payments-api"][:count]


async def test_github_changes_arrive_signed_as_github_s_events() -> None:
    world = github_world()
    edited, closed, blocker, deleted, moved = issue_keys(world, 5)

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        world.touch(edited, title="New title")
        world.touch(closed, state="closed")
        world.add_dependency(blocker, edited)
        world.delete(deleted)
        world.transfer(moved, "identity")

    receiver, sender = await delivered("github", change)
    assert receiver.refused == []
    assert [e.event for e in receiver.events] == [
        "issues.edited",
        "issues.closed",
        "issue_dependencies.blocked_by_added",
        "issues.deleted",
        "issues.transferred",
    ]
    assert receiver.events[0].refs == (edited.lower(),)
    assert set(receiver.events[2].refs) == {blocker.lower(), edited.lower()}
    assert receiver.events[3].deleted == (deleted.lower(),)
    assert receiver.events[4].deleted == (moved.lower(),)
    assert receiver.events[4].refs[0].startswith("acme/identity#")
    assert {s.delivery.headers["x-github-event"] for s in sender.sent} == {
        "issues",
        "issue_dependencies",
    }


async def test_a_github_project_card_arrives_with_its_issue_s_node_id() -> None:
    world = github_world()
    row = next(r for r in world if not r.is_pull)
    world.add_project("acme", 7, "Roadmap")
    world.add_project_field("acme", 7, "Target date", "DATE")

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        world.add_to_project("acme", 7, row.repo.name, row.number)
        world.set_field_value("acme", 7, world.key(row), "Target date", "2027-03-31")

    receiver, _ = await delivered("github", change)
    assert [(e.event, e.refs) for e in receiver.events] == [
        ("projects_v2_item.created", (f"node:{row.node_id}",)),
        ("projects_v2_item.edited", (f"node:{row.node_id}",)),
    ]


async def test_jira_changes_arrive_signed_as_jira_s_events() -> None:
    world = JiraWorld(size=40, seed=5)
    first, second, third = list(world)[:3]

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        created = world.add_issue("Story", "Made just now", project="PAY")
        world.touch(first.key, summary="Changed")
        world.link(first.key, second.key)
        world.delete(third.key)
        assert created.id

    receiver, sender = await delivered("jira", change)
    assert receiver.refused == []
    events = [(e.event, e.refs, e.deleted) for e in receiver.events]
    assert events[1:] == [
        ("jira:issue_updated", (str(first.id),), ()),
        ("issuelink_created", (str(first.id), str(second.id)), ()),
        ("jira:issue_deleted", (), (str(third.id),)),
    ]
    assert events[0][0] == "jira:issue_created"
    assert all(s.delivery.headers["x-atlassian-webhook-retry"] == "0" for s in sender.sent)


async def test_linear_changes_arrive_signed_and_fresh_as_linear_s_events() -> None:
    world = LinearWorld(60, seed=3)
    issue, other, trashed = list(world.issues.values())[:3]
    project = next(iter(world.projects.values()))
    initiative = next(iter(world.initiatives.values()))

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        world.touch(issue.identifier, title="Changed")
        world.relate(issue.identifier, other.identifier)
        world.trash(trashed.identifier)
        world.touch_project(project.id, name="Renamed")
        world.touch_initiative(initiative.id, description="Refocused")
        world.add_project_update(project.id, "atRisk", "Vendor API late.")

    receiver, _ = await delivered("linear", change)
    assert receiver.refused == []
    assert [(e.event, e.refs, e.deleted) for e in receiver.events] == [
        ("Issue.update", (issue.id,), ()),
        ("IssueRelation.create", (issue.id, other.id), ()),
        ("Issue.remove", (), (trashed.id,)),
        ("Project.update", (project.id,), ()),
        ("Initiative.update", (initiative.id,), ()),
        ("ProjectUpdate.create", (project.id,), ()),
    ]


@pytest.mark.parametrize("tracker", ["github", "jira", "linear"])
async def test_forged_deliveries_are_refused_and_genuine_ones_accepted(tracker: Tracker) -> None:
    worlds: Mapping[str, Callable[[], object]] = {
        "github": github_world,
        "jira": lambda: JiraWorld(size=20, seed=5),
        "linear": lambda: LinearWorld(30, seed=3),
    }
    world = worlds[tracker]()

    def change(sender: WebhookSender) -> None:
        connect(world, sender)  # type: ignore[arg-type]
        if isinstance(world, GitHubWorld):
            world.touch(issue_keys(world, 1)[0], title="x")
        elif isinstance(world, JiraWorld):
            world.touch(next(iter(world)).key, summary="x")
        elif isinstance(world, LinearWorld):
            world.touch(next(iter(world.issues.values())).identifier, title="x")

    receiver, sender = await delivered(tracker, change, forge=True)
    assert len(receiver.events) == 1 and receiver.refused == [401]
    assert [s.delivery.forged for s in sender.sent] == [False, True]


async def test_duplicates_reuse_the_delivery_id_and_count_jira_s_retries() -> None:
    world = JiraWorld(size=20, seed=5)
    row = next(iter(world))

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        world.touch(row.key, summary="Once")

    receiver, sender = await delivered("jira", change, duplicates=2)
    assert len({e.delivery_id for e in receiver.events}) == 1 and len(receiver.events) == 3
    assert [s.delivery.headers["x-atlassian-webhook-retry"] for s in sender.sent] == ["0", "1", "2"]


async def test_held_deliveries_arrive_newest_first() -> None:
    world = github_world()
    keys = issue_keys(world, 3)

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        for number, key in enumerate(keys):
            world.touch(key, title=f"edit {number}")

    receiver, _ = await delivered("github", change, hold=3)
    assert [e.refs[0] for e in receiver.events] == [key.lower() for key in reversed(keys)]


async def test_a_stale_linear_delivery_is_refused() -> None:
    world = LinearWorld(30, seed=3)

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        world.touch(next(iter(world.issues.values())).identifier, title="late")

    receiver, _ = await delivered("linear", change, clock=lambda: 1_000_000.0)
    assert receiver.refused == [401] and receiver.events == []


def test_the_background_thread_posts_without_blocking_the_world() -> None:
    world = github_world()
    receiver = Receiver("github")
    sender = WebhookSender(
        "github", [URL, URL + "-too"], SECRET, transport=httpx.MockTransport(receiver)
    )
    connect(world, sender)
    sender.start()
    try:
        world.touch(issue_keys(world, 1)[0], title="In the background")
        sender.flush()
    finally:
        sender.stop()
    assert [s.status for s in sender.sent] == [200, 200]
    assert {s.url for s in sender.sent} == {URL, URL + "-too"}
    assert len(receiver.events) == 2


def test_a_delivery_names_its_id_in_the_tracker_s_header() -> None:
    delivery = Delivery({"linear-delivery": "abc"}, b"{}")
    assert delivery.delivery_id == "abc"


async def test_out_of_order_deliveries_re_read_end_in_the_tracker_s_current_state() -> None:
    from pydantic import SecretStr

    from connectors.github import GitHubConnector
    from hub.contract.config import SourceConfig
    from simulators import create_github_app

    world = github_world()
    key = issue_keys(world, 1)[0]

    def change(sender: WebhookSender) -> None:
        connect(world, sender)
        world.touch(key, title="First edit")
        world.touch(key, title="Second edit")

    receiver, sender = await delivered("github", change, hold=2)
    said = [json.loads(s.delivery.body)["issue"]["title"] for s in sender.sent]
    assert said == ["Second edit", "First edit"]
    source = SourceConfig(
        name="gh",
        kind="github",
        base_url="http://github.test",
        repos=("acme/payments-api",),
        token_env="GITHUB_TOKEN",
    ).model_copy(update={"token": SecretStr("ghp_order")})
    app = create_github_app(world, token="ghp_order")
    titles = []
    async with GitHubConnector(source, transport=httpx.ASGITransport(app=app)) as connector:
        for event in receiver.events:
            fetched = await connector.fetch_items(event.refs)
            titles.append(fetched.items[0].title)
    assert titles == ["Second edit", "Second edit"]
