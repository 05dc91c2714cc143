"""Benchmark: from a webhook sent to the change visible in GraphQL, with deliveries arriving
at a steady rate.

    python bench/webhooks.py                           # 100,000 Jira issues, SQLite file
    python bench/webhooks.py --postgres                # a fresh PostgreSQL database
    python bench/webhooks.py --items 10000 --rate 50 --deliveries 500

The Jira simulator holds ``--items`` issues and runs in this process; the hub is a real
``hub serve`` in a child process, filled first by a ``hub sync`` over HTTP. Then, ``--rate``
times a second, an issue is edited in the simulator and a signed ``jira:issue_updated``
delivery is posted to ``/webhooks/jira``; a poller asks GraphQL (with a read token) for the
edited issues until each shows its new title. Reported: p50/p95/max of sent → visible, and
of sent → answered, in milliseconds. Target: p95 ≤ 1 s (aim 250 ms).

``--postgres`` creates a database of its own on the server and drops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub.demo import DEMO_TOKEN, JIRA_EMAIL
from hub.storage.database import create_engine
from simulators import JiraWorld, create_jira_app, serve

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-webhook-secret"
POLL_SECONDS = 0.025
"""The poller's pause between two questions: fine enough for the figures, light enough not to
be what the hub spends its time on."""
PATIENCE = 30.0
"""Seconds a delivery may take to show before it counts as lost."""


def jira_delivery(issue_id: int, secret: str) -> tuple[dict[str, str], bytes]:
    """A Jira Cloud ``jira:issue_updated`` delivery, signed as Jira signs it. The sending part
    of the benchmark: a simulator's ``WebhookSender`` can take its place."""
    body = json.dumps(
        {
            "timestamp": int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue": {"id": str(issue_id)},
        }
    ).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "content-type": "application/json; charset=utf-8",
        "x-atlassian-webhook-identifier": str(uuid.uuid4()),
        "x-hub-signature": f"sha256={signature}",
    }
    return headers, body


@dataclass
class Timing:
    key: str
    title: str
    sent: float
    answered: float | None = None
    status: int | None = None
    visible: float | None = None


@dataclass
class Run:
    timings: list[Timing] = field(default_factory=list)
    in_flight: dict[str, Timing] = field(default_factory=dict)


def hub(directory: Path, *args: str) -> str:
    command = [sys.executable, "-m", "hub", "--config", str(directory / "hub.toml"), *args]
    env = {**os.environ, "BENCH_JIRA_EMAIL": JIRA_EMAIL, "BENCH_JIRA_TOKEN": DEMO_TOKEN}
    env.pop("HUB_DATABASE_URL", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=directory)
    if done.returncode:
        raise SystemExit(f"hub {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


@contextmanager
def fresh_database(server: str | None, directory: Path) -> Iterator[str]:
    if server is None:
        yield f"sqlite+aiosqlite:///{directory / 'hub.db'}"
        return
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(server: str, statement: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(statement))
    await admin.dispose()


def write_config(directory: Path, database_url: str, jira_url: str, world: JiraWorld) -> None:
    projects = ", ".join(f'"{key}"' for key in world.projects)
    (directory / "hub.toml").write_text(
        f'database_url = "{database_url}"\n'
        # room for the poller's one question about every issue in flight
        "[api]\nmax_aliases = 200\nmax_tokens = 5000\nmax_fields = 1000\n"
        "rate_limit_per_minute = 0\n"
        "[[sources]]\n"
        f'name = "jira"\nkind = "jira"\nbase_url = "{jira_url}"\nprojects = [{projects}]\n'
        'email_env = "BENCH_JIRA_EMAIL"\ntoken_env = "BENCH_JIRA_TOKEN"\n'
        'webhook_secret_env = "BENCH_WEBHOOK_SECRET"\n'
    )


@contextmanager
def hub_serve(directory: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "BENCH_JIRA_EMAIL": JIRA_EMAIL,
        "BENCH_JIRA_TOKEN": DEMO_TOKEN,
        "BENCH_WEBHOOK_SECRET": SECRET,
    }
    env.pop("HUB_DATABASE_URL", None)
    command = [sys.executable, "-m", "hub", "--config", str(directory / "hub.toml"), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--no-schedule"],
        cwd=directory,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield server
    finally:
        server.terminate()
        server.wait(timeout=60)


async def until_up(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit("hub serve did not come up")


async def send(
    client: httpx.AsyncClient, world: JiraWorld, run: Run, keys: list[str], rate: float
) -> None:
    """Edit an issue and post its delivery, ``rate`` times a second, on a fixed schedule."""
    started = time.monotonic()
    posts = []
    for number, key in enumerate(keys):
        await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
        title = f"Edited for the webhook benchmark #{number}"
        row = world.touch(key, summary=title)
        timing = Timing(key, title, time.monotonic())
        run.timings.append(timing)
        run.in_flight[key] = timing
        posts.append(asyncio.create_task(post(client, row.id, timing)))
    await asyncio.gather(*posts)


async def post(client: httpx.AsyncClient, issue_id: int, timing: Timing) -> None:
    headers, body = jira_delivery(issue_id, SECRET)
    response = await client.post("/webhooks/jira", content=body, headers=headers)
    timing.answered, timing.status = time.monotonic(), response.status_code


async def watch(
    client: httpx.AsyncClient, token: str, run: Run, sending: asyncio.Task[None]
) -> None:
    """Ask GraphQL for every edited issue not yet seen changed, until all are (or time out)."""
    headers = {"authorization": f"Bearer {token}"}
    while run.in_flight or not sending.done():
        waiting = list(run.in_flight.values())[:100]
        if waiting:
            fields = " ".join(
                f'i{n}: item(key: "{t.key}") {{ title }}' for n, t in enumerate(waiting)
            )
            response = await client.post(
                "/graphql", json={"query": f"{{ {fields} }}"}, headers=headers
            )
            answer = response.json()
            if answer.get("errors"):
                raise SystemExit(f"GraphQL refused the poller's query: {answer['errors'][0]}")
            data = answer.get("data") or {}
            now = time.monotonic()
            for n, timing in enumerate(waiting):
                shown = (data.get(f"i{n}") or {}).get("title")
                if shown == timing.title or now - timing.sent > PATIENCE:
                    timing.visible = now if shown == timing.title else None
                    run.in_flight.pop(timing.key, None)
        await asyncio.sleep(POLL_SECONDS)


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms"
    )


@asynccontextmanager
async def client_of(port: int) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
    ) as client:
        yield client


async def measure(port: int, token: str, world: JiraWorld, keys: list[str], rate: float) -> Run:
    run = Run()
    async with client_of(port) as client:
        await until_up(client)
        sending = asyncio.create_task(send(client, world, run, keys, rate))
        await watch(client, token, run, sending)
        await sending
    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="issues in the tracker")
    parser.add_argument("--rate", type=float, default=50.0, help="deliveries per second")
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--database", help="PostgreSQL server URL (default: a SQLite file)")
    parser.add_argument("--postgres", action="store_true", help=f"use {POSTGRES}")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    server = args.database or (POSTGRES if args.postgres else None)

    world = JiraWorld(size=args.items, seed=args.seed)
    keys = random.Random(args.seed).sample([row.key for row in world], args.deliveries)
    with (
        tempfile.TemporaryDirectory(prefix="hub-webhooks-") as name,
        serve(create_jira_app(world, email=JIRA_EMAIL, token=DEMO_TOKEN)) as jira_url,
        fresh_database(server, Path(name)) as database_url,
    ):
        directory = Path(name)
        write_config(directory, database_url, jira_url, world)
        hub(directory, "db", "upgrade")
        started = time.monotonic()
        hub(directory, "sync")
        synced = time.monotonic() - started
        token = hub(directory, "token", "create", "bench").splitlines()[-1]
        port = free_port()
        with hub_serve(directory, port):
            run = asyncio.run(measure(port, token, world, keys, args.rate))

    visible = [t.visible - t.sent for t in run.timings if t.visible is not None]
    answered = [t.answered - t.sent for t in run.timings if t.answered is not None]
    refused = sum(1 for t in run.timings if t.status not in (200, 202))
    backend = "PostgreSQL" if server else "SQLite"
    print(
        f"{backend}, {args.items:,} Jira issues (first sync {synced:.0f} s), "
        f"{len(run.timings)} deliveries at {args.rate:g}/s"
    )
    print(f"sent → visible in GraphQL: {percentiles(visible)}")
    print(f"sent → answered:           {percentiles(answered)}")
    lost = len(run.timings) - len(visible)
    print(f"not answered 2xx: {refused}; not visible within {PATIENCE:g} s: {lost}")


if __name__ == "__main__":
    main()
