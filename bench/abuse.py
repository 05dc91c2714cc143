"""Benchmark: what an abusive GraphQL document costs the hub, alone and to everyone else.

    python bench/abuse.py                       # both parts, with the [api] defaults
    python bench/abuse.py --api rate_limit_per_minute=0    # [api] keys for the served hub

1. CPU time to refuse each abusive document, in process (the app through httpx's ASGI
   transport, no network): every request's text differs, so no cache helps. Median and max
   milliseconds of ``time.process_time`` over ``--rounds`` requests, and the answer.
2. Latency of a normal query to a ``hub serve`` (child process, its own event loop, as in
   production) while ``--abusers`` clients send the first abusive document back to back on a
   token of their own: p50/p95 of ``--queries`` sequential normal queries, with and without
   the abusers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from hub_process import running_hub

from hub.contract.config import ApiConfig
from hub.server.app import create_app
from hub.storage.database import create_engine, session_factory
from hub.storage.migrate import upgrade

ITEMS = '{ items(first: 1, after: "CURSOR") { edges { '
ABUSIVE = {
    "4,000 repeated fields": ITEMS + "cursor " * 4000 + "} } }",
    "1,000 repeated node { key }": ITEMS + "node { key } " * 1000 + "} } }",
    "300 repeated fields": ITEMS + "cursor " * 300 + "} } }",
    "120 repeated node { key }": ITEMS + "node { key } " * 120 + "} } }",
}
NORMAL = "{ items(first: 10) { edges { node { key title status } } } }"
PAUSE = 0.15
"""Seconds between two normal queries: their client stays within the default rate limit."""


def varied(document: str, n: int) -> str:
    """The same document, new to every cache: the parser's is keyed by the text, the
    validation's by the document, whose equality ignores comments and spacing."""
    return document.replace("CURSOR", f"c{n}")


async def refusal_costs(rounds: int, api: ApiConfig) -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(directory) / 'hub.db'}")
        await upgrade(engine)
        app = create_app(session_factory(engine), require_token=False, api=api)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            print(f"{'document':30} {'median ms':>10} {'max ms':>8}  answer")
            for name, document in ABUSIVE.items():
                costs, answer = [], ""
                for n in range(rounds):
                    started = time.process_time()
                    response = await client.post("/graphql", json={"query": varied(document, n)})
                    costs.append((time.process_time() - started) * 1000)
                    errors = response.json().get("errors") or [{"message": "(ran: data)"}]
                    answer = errors[0]["message"][:60]
                median, worst = statistics.median(costs), max(costs)
                print(f"{name:30} {median:10.1f} {worst:8.1f}  {answer}")
        await engine.dispose()


async def normal_latencies(url: str, token: str, queries: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    latencies = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        for _ in range(queries):
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": NORMAL})
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            await asyncio.sleep(PAUSE)
    return latencies


async def abuse(url: str, token: str, stop: asyncio.Event) -> dict[int, int]:
    """Send the first abusive document until ``stop``; the count of each answer's status."""
    statuses: dict[int, int] = {}
    document = next(iter(ABUSIVE.values()))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        n = 0
        while not stop.is_set():
            n += 1
            response = await client.post("/graphql", json={"query": varied(document, n)})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return statuses


async def under_abuse(url: str, tokens: dict[str, str], abusers: int, queries: int) -> None:
    quiet = await normal_latencies(url, tokens["normal"], queries)
    stop = asyncio.Event()
    hammering = [asyncio.create_task(abuse(url, tokens["abuser"], stop)) for _ in range(abusers)]
    await asyncio.sleep(1)
    loaded = await normal_latencies(url, tokens["normal"], queries)
    stop.set()
    statuses: dict[int, int] = {}
    for counts in await asyncio.gather(*hammering):
        for status, count in counts.items():
            statuses[status] = statuses.get(status, 0) + count
    for label, latencies in (("alone", quiet), (f"with {abusers} abusers", loaded)):
        p50 = statistics.median(latencies)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(f"normal query {label:18} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print(f"abusive requests answered: {dict(sorted(statuses.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--abusers", type=int, default=4)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--api", action="append", default=[], help="KEY=TOML_VALUE of [api]")
    args = parser.parse_args()
    api_keys = dict(item.split("=", 1) for item in args.api)
    api = ApiConfig.model_validate({k: eval_toml(v) for k, v in api_keys.items()})
    asyncio.run(refusal_costs(args.rounds, api))
    with running_hub(api=api_keys, tokens=("normal", "abuser")) as hub:
        asyncio.run(under_abuse(hub.url, hub.tokens, args.abusers, args.queries))


def eval_toml(value: str) -> object:
    import tomllib

    return tomllib.loads(f"v = {value}")["v"]


if __name__ == "__main__":
    main()
