"""Benchmark: full and unchanged re-sync of the demo world from the three simulators.

    python bench/sync.py --total 10000                     # 10,000 items in all, SQLite file
    python bench/sync.py --total 100000 --postgres         # a fresh PostgreSQL database
    python bench/sync.py --items 333334 --only jira        # per tracker, one tracker
    python bench/sync.py --total 10000 --profile hub.prof  # cProfile of the hub process
    python bench/sync.py --total 100000 --postgres --rounds 5   # medians of five rounds

The simulators run in a child process, so the figures are the hub's own: wall time, the hub
process's CPU time (user + system), requests per 1,000 items, and the hub's peak resident
memory. When the simulators are the wall-clock bottleneck, "items/cpu s" is the hub-side
throughput. ``--postgres`` creates a database of its own on the server and drops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import queue
import resource
import statistics
import tempfile
import time
import uuid
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub.demo import DEMO_TOKEN, JIRA_EMAIL, LINEAR_KEY, demo_rules, demo_sources
from hub.storage.database import create_engine, session_factory
from hub.storage.migrate import upgrade
from hub.sync import SyncEngine
from simulators import (
    DemoWorld,
    build_demo_world,
    create_github_app,
    create_jira_app,
    create_linear_app,
    serve,
)

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def serve_world(items: int, seed: int, urls: Any, stop: Any) -> None:
    world = build_demo_world(items, seed=seed)
    with ExitStack() as stack:
        served = {kind: stack.enter_context(serve(app)) for kind, app in apps(world, items)}
        urls.put((demo_sources(served, world), demo_rules(world)))
        stop.wait()


def apps(world: DemoWorld, items: int) -> list[tuple[str, Any]]:
    """The demo's three simulators, with hourly budgets big enough for the run. At their real
    size (GitHub 5,000 requests, Linear 3M complexity points, spent after ~85,000 Linear issues)
    a large sync rightly waits for the reset, which would measure the tracker, not the hub."""
    budget = max(5_000, 10 * items)
    return [
        ("jira", create_jira_app(world.jira, email=JIRA_EMAIL, token=DEMO_TOKEN)),
        (
            "github",
            create_github_app(
                world.github, token=DEMO_TOKEN, rate_limit=budget, graphql_points=budget
            ),
        ),
        (
            "linear",
            create_linear_app(world.linear, api_key=LINEAR_KEY, complexity_per_hour=100 * budget),
        ),
    ]


@asynccontextmanager
async def fresh_database(url: str | None) -> Any:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
            await upgrade(engine)
            yield engine
            await engine.dispose()
        return
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def local_postgres(url: str | None) -> bool:
    return url is not None and make_url(url).host in ("127.0.0.1", "localhost")


def server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL processes of this machine (its backends,
    WAL writer, checkpointer), read from /proc; None where it cannot be read. A backend ends
    with its connection: the syncs' connections stay in the pool until the round is over."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            name = stat.with_name("comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("postgres"):
            total += (int(fields[11]) + int(fields[12])) / tick
            found = True
    return total if found else None


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_for_urls(urls: Any, child: Any, timeout: float = 3600) -> Any:
    """The simulators' addresses; fails at once if the child process died instead."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return urls.get(timeout=1)
        except queue.Empty:
            if not child.is_alive():
                raise SystemExit(
                    f"the simulator process died (exit code {child.exitcode})"
                ) from None
    raise SystemExit("the simulators did not start in time")


async def timed(
    engine_sync: SyncEngine, source: Any, local_server: bool
) -> tuple[Any, float, float, float | None]:
    """The sync's report, wall seconds, hub CPU seconds and (for a PostgreSQL server on this
    machine) the server's CPU seconds."""
    server_started = server_cpu() if local_server else None
    started, cpu_started = time.perf_counter(), cpu()
    report = await engine_sync.sync(source)
    assert report.ok, report.error
    seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
    server_ended = server_cpu() if local_server else None
    server = None
    if server_started is not None and server_ended is not None:
        server = server_ended - server_started
    return report, seconds, cpu_seconds, server


async def bench(
    items: int,
    database: str | None,
    seed: int,
    only: set[str] | None,
    profile: str | None,
    rounds: int = 1,
) -> tuple[list[dict[str, Any]], float]:
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    child = context.Process(target=serve_world, args=(items, seed, urls, stop), daemon=True)
    started = time.perf_counter()
    child.start()
    profiler = cProfile.Profile() if profile else None
    try:
        sources, rules = wait_for_urls(urls, child)
        world_seconds = time.perf_counter() - started
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(rounds):
            # Every round syncs into a new, empty database: each full sync writes every item.
            async with fresh_database(database) as engine:
                engine_sync = SyncEngine(session_factory(engine), rules=rules)
                for source in sources:
                    if only and source.kind not in only and source.name not in only:
                        continue
                    if profiler:
                        profiler.enable()
                    run = await measure(engine_sync, source, local_postgres(database))
                    if profiler:
                        profiler.disable()
                    runs.setdefault(source.name, []).append(run)
        if profiler and profile:
            profiler.dump_stats(profile)
        return [summary(name, measured) for name, measured in runs.items()], world_seconds
    finally:
        stop.set()
        child.join(timeout=30)


async def measure(engine_sync: SyncEngine, source: Any, local_server: bool) -> dict[str, Any]:
    """A full sync into the empty database, then an unchanged re-sync."""
    full, seconds, cpu_seconds, server_seconds = await timed(engine_sync, source, local_server)
    again, again_seconds, again_cpu, _ = await timed(engine_sync, source, local_server)
    fetched = full.counts.fetched
    return {
        "items": fetched,
        "full s": seconds,
        "full items/s": fetched / seconds,
        "full hub cpu s": cpu_seconds,
        "full items/cpu s": fetched / cpu_seconds,
        "full db server cpu s": server_seconds,
        "req/1000": 1000 * full.requests / max(fetched, 1),
        "re-sync s": again_seconds,
        "re-sync items/s": fetched / again_seconds,
        "re-sync items/cpu s": fetched / max(again_cpu, 1e-9),
        "re-sync requests": again.requests,
        "peak RSS MB": peak_mb(),
    }


def summary(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row per source: the median of each figure over the rounds, and the spread of the
    hub-side throughput (runs on a shared machine differ by ±10% and more)."""
    row: dict[str, Any] = {"source": name}
    for column in runs[0]:
        values = [run[column] for run in runs]
        if None in values:
            row[column] = "-"
            continue
        row[column] = statistics.median(values) if column != "peak RSS MB" else max(values)
        if isinstance(runs[0][column], int):
            row[column] = round(row[column])
    throughput = sorted(run["full items/cpu s"] for run in runs)
    row["items/cpu s range"] = f"{throughput[0]:,.0f}-{throughput[-1]:,.0f}"
    return row


def reference_ms() -> float:
    """How fast this machine runs plain Python now: the best of five runs of a fixed loop.

    Hub-side figures scale with it; it makes runs on different machines (or on one machine
    shared with other work) comparable."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        total = 0
        for number in range(1_000_000):
            total += number % 7
        best = min(best, time.process_time() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--items", type=int, help="issues per tracker")
    size.add_argument("--total", type=int, help="issues in all (a third per tracker)")
    parser.add_argument("--database", help="PostgreSQL server URL (default: a SQLite file)")
    parser.add_argument("--postgres", action="store_true", help=f"use {POSTGRES}")
    parser.add_argument("--only", action="append", help="a tracker kind or source name")
    parser.add_argument("--profile", help="write a cProfile of the syncs to this file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat each sync in a new database; medians"
    )
    args = parser.parse_args()
    items = args.items or (-(-args.total // 3) if args.total else 10_000 // 3)
    database = args.database or (POSTGRES if args.postgres else None)
    only = set(args.only) if args.only else None
    reference = reference_ms()
    rows, world_seconds = asyncio.run(
        bench(items, database, args.seed, only, args.profile, max(1, args.rounds))
    )
    backend = "PostgreSQL" if database else "SQLite"
    print(
        f"{backend}, {items:,} issues per tracker (world built in {world_seconds:.0f} s), "
        f"hub peak RSS {peak_mb():.0f} MB, {max(1, args.rounds)} round(s), "
        f"Python reference loop {reference:.0f} ms\n"
    )
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        cells = [
            f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else v
            for v in row.values()
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
