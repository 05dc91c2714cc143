"""Benchmark: full and unchanged re-sync of the demo world from the three simulators.

    python bench/sync.py --items 10000                       # per tracker, SQLite
    python bench/sync.py --items 10000 --database postgresql+asyncpg://postgres@127.0.0.1/test

The simulators run in a child process, so the figures are the hub's own: wall time, the hub
process's CPU time, requests per 1,000 items, and the hub's peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.demo import demo_rules, demo_sources, simulators  # noqa: E402
from hub.storage.database import create_engine, session_factory  # noqa: E402
from hub.storage.migrate import upgrade  # noqa: E402
from hub.sync import SyncEngine  # noqa: E402


def serve_world(items: int, seed: int, urls: Any, stop: Any) -> None:
    from connectors.simulators import build_demo_world

    world = build_demo_world(items, seed=seed)
    with simulators(world) as served:
        urls.put((demo_sources(served, world), demo_rules(world)))
        stop.wait()


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


async def bench(items: int, database: str | None, seed: int) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    child = context.Process(target=serve_world, args=(items, seed, urls, stop), daemon=True)
    child.start()
    try:
        sources, rules = urls.get(timeout=600)
        rows = []
        async with fresh_database(database) as engine:
            engine_sync = SyncEngine(session_factory(engine), rules=rules)
            for source in sources:
                started, cpu_started = time.perf_counter(), cpu()
                full = await engine_sync.sync(source)
                seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
                again = await engine_sync.sync(source)
                assert full.ok and again.ok, (full.error, again.error)
                fetched = full.counts.fetched
                rows.append(
                    {
                        "source": source.name,
                        "items": fetched,
                        "seconds": seconds,
                        "items/s": fetched / seconds,
                        "hub cpu s": cpu_seconds,
                        "items/cpu s": fetched / cpu_seconds,
                        "requests": full.requests,
                        "req/1000": 1000 * full.requests / max(fetched, 1),
                        "unchanged requests": again.requests,
                    }
                )
        return rows
    finally:
        stop.set()
        child.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="issues per tracker")
    parser.add_argument("--database", help="PostgreSQL server URL (default: a SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = asyncio.run(bench(args.items, args.database, args.seed))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "PostgreSQL" if args.database else "SQLite"
    print(f"{backend}, {args.items} issues per tracker, hub peak RSS {peak_mb:.0f} MB\n")
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
