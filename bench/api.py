"""Benchmark: GraphQL latency and SQL statements per request on the demo world.

    python bench/api.py --total 100000              # SQLite file, built once, then reused
    python bench/api.py --total 100000 --postgres   # a PostgreSQL database, built once
    python bench/api.py --total 10000 --rounds 20 --rebuild

The database is filled the way a hub fills it: the demo world served by the three simulators
and synced over HTTP (minutes at 100k; the database is kept and reused by later runs). Each
query then runs through the hub's ASGI app in process (routing, GraphQL parsing, validation,
limits, resolvers, DataLoaders and the database; no network), warmed up, then ``--rounds``
times. Reported: p50/p95 milliseconds and the SQL statements each request sent.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.contract.config import ApiConfig
from hub.contract.records import Level
from hub.demo import SEED, demo_rules, demo_sources, simulators
from hub.server.app import create_app
from hub.storage.database import create_engine, session_factory
from hub.storage.migrate import upgrade
from hub.storage.models import SyncRun, WorkItem
from hub.sync import SyncEngine
from hub.sync.heap import freeze_long_lived_objects
from simulators import build_demo_world

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
WARMUP = 3

ROADMAP_PAGE = """
query ($filter: RoadmapFilter) {
  roadmap(groupBy: INITIATIVE, filter: $filter) {
    summary { epics onTrack atRisk offTrack }
    lanes {
      key title health progress { done total ratio estimateRatio }
      epics {
        health
        progress { done total ratio estimateDone estimateTotal }
        item { key title url status statusCategory startDate targetDate source { name } }
        slippingBlockers { key targetDate }
      }
    }
  }
}"""

ITEM_WITH_RELATIONS = """
query ($key: String!) {
  item(key: $key) {
    key title status targetDate
    children { key title status statusCategory estimate }
    blockers { key title status targetDate source { name } }
    blocking { key title status }
    components { name owner }
  }
}"""

DEPENDENCY_GRAPH = """
query ($root: String!) {
  dependencyGraph(root: $root, rootKind: INITIATIVE, depth: 3) {
    nodes { key title statusCategory targetDate source { name } }
    edges { crossesTools provenance blocker { key } blocked { key } }
    cycles { key }
    criticalPath { key }
    blockedByOpenWork { key }
    scheduleConflicts { blockerTarget blockedTarget blocker { key } blocked { key } }
  }
}"""

COMPONENT_MATRIX = """
{
  components { name owner openWork { todo inProgress } }
  componentDependencies { from { name } to { name } count }
}"""


async def build(engine: AsyncEngine, items: int) -> None:
    """The demo world synced over HTTP, as ``hub demo`` does."""
    world = build_demo_world(items, seed=SEED)
    sync = SyncEngine(session_factory(engine), rules=demo_rules(world))
    with simulators(world) as urls:
        for source in demo_sources(urls, world):
            started = time.perf_counter()
            report = await sync.sync(source)
            if not report.ok:
                raise SystemExit(f"building the benchmark database failed: {report.error}")
            print(f"  synced {report.summary()} in {time.perf_counter() - started:.0f} s")


async def is_built(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            runs = await connection.scalar(
                select(func.count()).select_from(SyncRun).where(SyncRun.status == "succeeded")
            )
    except Exception:  # no tables yet
        return False
    return bool(runs and runs >= 3)


async def database(args: argparse.Namespace, items: int) -> AsyncEngine:
    """The benchmark's own database: a SQLite file in the temp folder, or a PostgreSQL
    database named after the world's size; built when missing or ``--rebuild``."""
    if args.postgres or args.server:
        server = args.server or POSTGRES
        name = f"hub_bench_graphql_{items}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists and args.rebuild:
                await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or args.rebuild:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    else:
        url = sqlite_file(items, args.rebuild)
    engine = create_engine(url)
    await upgrade(engine)  # a database kept from an older hub gets the newer schema
    if not await is_built(engine):
        print(f"building the demo world ({items:,} issues per tracker) into {url} ...")
        await build(engine, items)
    return engine


def sqlite_file(items: int, rebuild: bool) -> str:
    path = Path(tempfile.gettempdir()) / f"hub-bench-graphql-{items}.db"
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def pick_subjects(engine: AsyncEngine) -> dict[str, Any]:
    """What the queries ask about: the initiative with the most epics (a roadmap page of
    about 100 epics), an epic with children and blockers, a roadmap filter."""
    async with engine.connect() as connection:
        epic = (
            await connection.execute(
                text(
                    "SELECT e.key FROM work_items e "
                    "JOIN work_items c ON c.parent_id = e.id "
                    "JOIN dependencies d ON d.blocked_id = e.id "
                    "WHERE e.level = :epic AND e.deleted = false "
                    "GROUP BY e.key ORDER BY count(*) DESC, e.key LIMIT 1"
                ),
                {"epic": Level.EPIC.name},
            )
        ).scalar_one()
        # An epic belongs to the initiative it was assigned to, else to its parent initiative.
        initiative, size = (
            await connection.execute(
                text(
                    "SELECT i.key, count(*) FROM work_items e "
                    "LEFT JOIN initiative_assignments a ON a.item_id = e.id "
                    "JOIN work_items i ON i.id = coalesce(a.initiative_id, e.parent_id) "
                    "WHERE e.level = :epic AND i.level = :initiative AND e.deleted = false "
                    "GROUP BY i.key ORDER BY abs(count(*) - 100), i.key LIMIT 1"
                ),
                {"epic": Level.EPIC.name, "initiative": Level.INITIATIVE.name},
            )
        ).one()
        epics = await connection.scalar(
            select(func.count()).where(WorkItem.level == Level.EPIC, WorkItem.deleted.is_(False))
        )
    return {"epic": epic, "initiative": initiative, "initiative epics": size, "epics": epics}


class StatementCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


async def measure(
    client: httpx.AsyncClient,
    counter: StatementCounter,
    query: str,
    variables: dict[str, Any],
    rounds: int,
) -> tuple[list[float], set[int], dict[str, Any]]:
    timings, statements = [], set()
    data: dict[str, Any] = {}
    for round_ in range(WARMUP + rounds):
        counter.count = 0
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        elapsed = time.perf_counter() - started
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise SystemExit(f"query failed: {response.status_code} {body}")
        data = body["data"]
        if round_ >= WARMUP:
            timings.append(elapsed * 1000)
            statements.add(counter.count)
    return timings, statements, data


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def run(args: argparse.Namespace, items: int) -> None:
    engine = await database(args, items)
    subjects = await pick_subjects(engine)
    counter = StatementCounter(engine)
    # Every round comes from one client address: the rate limit would answer most with 429.
    unlimited = ApiConfig(rate_limit_per_minute=0)
    app = create_app(session_factory(engine), require_token=False, api=unlimited)
    freeze_long_lived_objects()  # as `hub serve` does before it serves
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        initiative = subjects["initiative"]
        cases = [
            (
                f"roadmap page, initiative {initiative} ({subjects['initiative epics']} epics)",
                ROADMAP_PAGE,
                {"filter": {"initiatives": [initiative]}},
            ),
            (
                f"roadmap, every epic ({subjects['epics']:,}; no filter)",
                ROADMAP_PAGE,
                {},
            ),
            (
                f"item {subjects['epic']} with children, blockers, blocking",
                ITEM_WITH_RELATIONS,
                {"key": subjects["epic"]},
            ),
            (
                f"dependency graph depth 3, initiative {initiative}",
                DEPENDENCY_GRAPH,
                {"root": initiative},
            ),
            ("component catalog + matrix", COMPONENT_MATRIX, {}),
        ]
        backend = engine.dialect.name
        print(f"\n{backend}, {items:,} issues per tracker, {args.rounds} rounds after warm-up\n")
        print("| query | p50 ms | p95 ms | SQL statements | answer |")
        print("|---|---|---|---|---|")
        for title, query, variables in cases:
            timings, statements, data = await measure(
                client, counter, query, variables, args.rounds
            )
            print(
                f"| {title} | {statistics.median(timings):.1f} | "
                f"{percentile(timings, 0.95):.1f} | "
                f"{'/'.join(map(str, sorted(statements)))} | {describe(data)} |"
            )
    await engine.dispose()


def describe(data: dict[str, Any]) -> str:
    """A few words on how big the answer was, so the latency can be read against it."""
    if "roadmap" in data:
        lanes = data["roadmap"]["lanes"]
        return f"{len(lanes)} lanes, {sum(len(lane['epics']) for lane in lanes)} epic rows"
    if "item" in data:
        item = data["item"]
        return f"{len(item['children'])} children, {len(item['blockers'])} blockers"
    if "dependencyGraph" in data:
        graph = data["dependencyGraph"]
        return (
            f"{len(graph['nodes'])} nodes, {len(graph['edges'])} edges, "
            f"{len(graph['cycles'])} cycles"
        )
    return f"{len(data['components'])} components, {len(data['componentDependencies'])} pairs"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--items", type=int, help="issues per tracker")
    size.add_argument("--total", type=int, help="issues in all (a third per tracker)")
    parser.add_argument("--postgres", action="store_true", help=f"use the server at {POSTGRES}")
    parser.add_argument("--server", help="another PostgreSQL server URL")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    args = parser.parse_args()
    items = args.items or (-(-args.total // 3) if args.total else 100_000 // 3)
    asyncio.run(run(args, items))


if __name__ == "__main__":
    main()
