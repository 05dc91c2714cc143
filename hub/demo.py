"""``hub demo``: simulated trackers, a sync into a fresh SQLite file, a roadmap, then GraphQL.

Needs nothing configured and reaches no network beyond 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import SecretStr

from connectors.simulators import JiraWorld, create_jira_app, serve
from hub.config import SourceConfig
from hub.reports.terminal import roadmap_summary
from hub.runner import bind, serve_sessions
from hub.storage.database import create_engine, session_factory
from hub.storage.migrate import upgrade
from hub.sync import SyncEngine
from hub.views.roadmap import roadmap

DEMO_EMAIL = "demo@tracker-hub.example"
DEMO_TOKEN = "demo-token"
SEED = 7

EXAMPLE_QUERY = """\
{
  item(key: "PLAT-1") {
    key title level statusCategory
    children { key title statusCategory }
    blockers { key title source { name } }
  }
  items(first: 5, filter: {level: EPIC}) {
    edges { node { key title components { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def jira_source(base_url: str, projects: tuple[str, ...]) -> SourceConfig:
    source = SourceConfig(
        name="jira-demo",
        kind="jira",
        base_url=base_url,
        projects=projects,
        token_env="HUB_DEMO_JIRA_TOKEN",
        email_env="HUB_DEMO_JIRA_EMAIL",
    )
    return source.model_copy(
        update={"token": SecretStr(DEMO_TOKEN), "email": SecretStr(DEMO_EMAIL)}
    )


def fresh_sqlite(path: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def run_demo(*, items: int, port: int, database: str, keep_serving: bool) -> None:
    world = JiraWorld(size=items, seed=SEED)
    engine = create_engine(fresh_sqlite(database))
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        with serve(create_jira_app(world, email=DEMO_EMAIL, token=DEMO_TOKEN)) as jira_url:
            click.echo(f"Jira simulator: {jira_url} ({items} issues)")
            report = await SyncEngine(sessions).sync(jira_source(jira_url, tuple(world.projects)))
            click.echo(report.summary())
            if not report.ok:
                raise click.ClickException("the demo sync failed")
            async with sessions() as session:
                click.echo("\n" + roadmap_summary(await roadmap(session)) + "\n")
            if keep_serving:
                sock = bind("127.0.0.1", port)
                host, bound_port = sock.getsockname()[:2]
                click.echo(f"GraphQL: http://{host}:{bound_port}/graphql  (Ctrl-C to stop)")
                click.echo("Try:\n" + EXAMPLE_QUERY)
                await serve_sessions(sessions, sock, graphiql=True)
    finally:
        await engine.dispose()
