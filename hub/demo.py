"""``hub demo``: three simulated trackers, a sync into a fresh SQLite file, a change made in
a tracker arriving by signed webhook, the cross-tool roadmap and dependencies, then GraphQL
and the /roadmap page.

Needs nothing configured and reaches no network beyond 127.0.0.1. The demo's hub config
(component catalog, hub initiatives) is built here, as a person would write it in hub.toml.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp

from hub.contract.config import (
    ComponentConfig,
    HubConfig,
    InitiativeConfig,
    ProjectRef,
    SourceConfig,
)
from hub.contract.errors import HubError
from hub.reports.documents import run_query
from hub.reports.terminal import dependency_summary, roadmap_summary
from hub.runner import bind, serving
from hub.server.app import create_app
from hub.storage.database import create_engine, session_factory
from hub.storage.migrate import upgrade
from hub.sync import SyncEngine
from hub.sync.rules import HubRules
from hub.sync.webhooks import WebhookApplier
from hub.views.dependencies import cross_tool_dependencies
from hub.views.roadmap import roadmap
from simulators import (
    DemoWorld,
    build_demo_world,
    create_github_app,
    create_jira_app,
    create_linear_app,
    serve,
)
from simulators.demo_schedule import quarter_end
from simulators.demo_world import GITHUB_PROJECT, GITHUB_REPOS
from simulators.faults import Faults
from simulators.webhook_events import connect
from simulators.webhooks import WebhookSender

JIRA_EMAIL = "demo@tracker-hub.example"
DEMO_TOKEN = "demo-token"
LINEAR_KEY = "lin_api_demo"
SEED = 7
WEBHOOK_SECRET_ENV = "HUB_DEMO_WEBHOOK_SECRET"
WEBHOOK_SECRET = "demo-webhook-secret"
WEBHOOK_WAIT_SECONDS = 10.0

EXAMPLE_QUERY = """\
{
  item(key: "PLAT-1") {
    key title level statusCategory
    children { key title statusCategory source { kind } }
    blockers { key title source { name } }
  }
  items(first: 5, filter: {level: EPIC, text: "payments"}) {
    edges { node { key title source { kind } components { name owner } links { key } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def demo_sources(urls: dict[str, str], world: DemoWorld) -> list[SourceConfig]:
    """The three sources as a hub.toml would declare them, with the simulators' secrets."""
    jira = SourceConfig(
        name="jira",
        kind="jira",
        base_url=urls["jira"],
        projects=tuple(world.jira.projects),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
    ).model_copy(update={"token": SecretStr(DEMO_TOKEN), "email": SecretStr(JIRA_EMAIL)})
    github = SourceConfig(
        name="github",
        kind="github",
        base_url=urls["github"],
        repos=tuple(f"{world.github.owner}/{repo}" for repo in GITHUB_REPOS),
        token_env="GITHUB_TOKEN",
        projects_v2=(ProjectRef(owner=world.github.owner, number=GITHUB_PROJECT),),
    ).model_copy(update={"token": SecretStr(DEMO_TOKEN)})
    linear = SourceConfig(
        name="linear",
        kind="linear",
        base_url=urls["linear"],
        teams=tuple(team.key for team in world.linear.teams),
        token_env="LINEAR_API_KEY",
    ).model_copy(update={"token": SecretStr(LINEAR_KEY)})
    environment = {WEBHOOK_SECRET_ENV: WEBHOOK_SECRET}
    return [
        source.model_copy(update={"webhook_secret_env": WEBHOOK_SECRET_ENV}).read_secrets_from(
            environment, "the demo"
        )
        for source in (jira, github, linear)
    ]


# Linear's teams become components too: each gets an owner, as every catalog entry has.
TEAM_COMPONENTS = {"ENG": "engineering", "INFRA": "infrastructure", "DATA": "data-platform"}


def demo_rules(world: DemoWorld) -> HubRules:
    """A catalog merging the tools' names for each component, every one owned, and two hub
    initiatives due at the end of next quarter and the one after."""
    names = list(dict.fromkeys([*world.components, *TEAM_COMPONENTS.values()]))
    components = [
        ComponentConfig(
            name=name,
            owner=f"team-{name.split('-')[0]}",
            jira_components=(name,) if name in world.components else (),
            github_repos=(f"{world.github.owner}/{name}",) if name in GITHUB_REPOS else (),
            linear_teams=tuple(team for team, named in TEAM_COMPONENTS.items() if named == name),
            linear_labels=(name,) if name in world.components else (),
        )
        for name in names
    ]
    projects = sorted(world.linear.projects.values(), key=lambda p: p.slug_id)
    initiatives = [
        InitiativeConfig(
            key="payments-v2",
            title="Payments v2",
            owner="team-payments",
            target_date=quarter_end(world.today, 1),
            epics=tuple(f"project:{p.slug_id}" for p in projects[:2]),
        ),
        InitiativeConfig(
            key="identity-next",
            title="Identity Next",
            owner="team-identity",
            target_date=quarter_end(world.today, 2),
            epics=tuple(f"project:{p.slug_id}" for p in projects[2:3]),
        ),
    ]
    return HubRules(components, initiatives)


@contextmanager
def simulators(world: DemoWorld) -> Iterator[dict[str, str]]:
    with ExitStack() as stack:
        yield {
            "jira": stack.enter_context(
                serve(create_jira_app(world.jira, email=JIRA_EMAIL, token=DEMO_TOKEN))
            ),
            "github": stack.enter_context(serve(create_github_app(world.github, token=DEMO_TOKEN))),
            "linear": stack.enter_context(
                serve(create_linear_app(world.linear, api_key=LINEAR_KEY))
            ),
        }


def simulator_app(
    kind: str, items: int, seed: int, faults: Faults | None = None, world: DemoWorld | None = None
) -> tuple[ASGIApp, str]:
    """One tracker of the demo world (``world``, else one built from ``items`` and
    ``seed``), and how to authenticate to it, serving ``faults``."""
    world = world or build_demo_world(items, seed=seed)
    if kind == "jira":
        app = create_jira_app(world.jira, email=JIRA_EMAIL, token=DEMO_TOKEN, faults=faults)
        return app, f"basic auth {JIRA_EMAIL}:{DEMO_TOKEN}, projects PLAT, PAY"
    if kind == "github":
        repos = ", ".join(f"{world.github.owner}/{r}" for r in GITHUB_REPOS)
        app = create_github_app(world.github, token=DEMO_TOKEN, faults=faults)
        project = f"project {world.github.owner}/{GITHUB_PROJECT}"
        return app, f"token {DEMO_TOKEN}, {repos}, {project}"
    teams = ", ".join(team.key for team in world.linear.teams)
    app = create_linear_app(world.linear, api_key=LINEAR_KEY, faults=faults)
    return app, f"key {LINEAR_KEY}, teams {teams}"


def addresses(host: str, port: int) -> str:
    """Where the served demo answers: the API and the roadmap page."""
    base = f"http://{host}:{port}"
    return f"GraphQL: {base}/graphql  (Ctrl-C to stop)\nRoadmap: {base}/roadmap"


def fresh_sqlite(path: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


def demo_socket(port: int) -> socket.socket:
    """The demo's port, or a free one when it is taken: unlike `hub serve`, the demo is tried
    on machines where 8000 is often in use, and it prints the address it serves."""
    try:
        return bind("127.0.0.1", port)
    except HubError as error:
        click.echo(f"{error}; the demo serves on a free port instead")
        return bind("127.0.0.1", 0)


async def run_demo(*, items: int, port: int, database: str, keep_serving: bool) -> None:
    world = build_demo_world(items, seed=SEED)
    engine = create_engine(fresh_sqlite(database))
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        with simulators(world) as urls:
            click.echo(
                f"Simulated trackers ({items} issues each): "
                + ", ".join(f"{kind} {url}" for kind, url in urls.items())
            )
            sync = SyncEngine(sessions, rules=demo_rules(world))
            sources = demo_sources(urls, world)
            for source in sources:
                report = await sync.sync(source)
                click.echo(report.summary())
                if not report.ok:
                    raise click.ClickException(f"the demo sync of {source.name} failed")
            sock = demo_socket(port)
            host, bound_port = sock.getsockname()[:2]
            webhooks = WebhookApplier(sync, sources)
            config = HubConfig(sources=tuple(sources))
            app = create_app(
                sessions, graphiql=True, config=config, require_token=False, webhooks=webhooks
            )
            async with serving(app, sock) as server:
                hub_url = f"http://{host}:{bound_port}"
                click.echo(await show_a_webhook(world, sessions, hub_url, urls["github"]))
                async with sessions() as session:
                    click.echo("\n" + roadmap_summary(await roadmap(session)))
                    edges = await cross_tool_dependencies(session, limit=8)
                    click.echo("\n" + dependency_summary(edges) + "\n")
                if keep_serving:
                    click.echo(addresses(host, bound_port))
                    click.echo("Try:\n" + EXAMPLE_QUERY)
                    await server
    finally:
        await engine.dispose()


ITEM_TITLE = "query ($key: String!) { item(key: $key) { title } }"


async def show_a_webhook(
    world: DemoWorld, sessions: async_sessionmaker[AsyncSession], hub_url: str, github_url: str
) -> str:
    """Renames an issue in the GitHub simulator, which posts the signed webhook GitHub would
    to the hub, and says how soon GraphQL showed the new title: verified, recorded, answered,
    then re-read from the tracker and stored as a sync stores it."""
    sender = WebhookSender("github", [f"{hub_url}/webhooks/github"], WEBHOOK_SECRET.encode())
    connect(world.github, sender, base_url=github_url)
    row = next(iter(world.github))
    key = world.github.key(row)
    title = f"{row.title} (renamed in GitHub)"
    sender.start()
    try:
        started = time.monotonic()
        world.github.touch(key, title=title)
        while time.monotonic() - started < WEBHOOK_WAIT_SECONDS:
            shown = await run_query(sessions, ITEM_TITLE, {"key": key})
            if (shown["item"] or {}).get("title") == title:
                seconds = time.monotonic() - started
                return (
                    f"\nWebhook: renamed {key} in the GitHub simulator; GraphQL showed the new "
                    f"title {seconds:.2f} s later (signed delivery to /webhooks/github, "
                    "re-read from the tracker, stored as a sync stores it)."
                )
            await asyncio.sleep(0.02)
    finally:
        sender.stop()
    return f"\nWebhook: {key} was renamed in the GitHub simulator, but the hub did not show it."
