"""Benchmark: how many slow connections a ``hub serve`` holds, and for how long.

    python bench/slow_clients.py                      # 200 of each kind, counted after 15 s
    python bench/slow_clients.py --connections 500 --after 40 --kinds headers

Kinds of client, each opening ``--connections`` connections at once and never finishing:
``silent`` connects and sends nothing; ``headers`` sends a request line and then one header
byte every 2 s; ``body`` sends an authenticated POST's headers (Content-Length 100,000) and
then one body byte every 2 s; ``idle`` sends one whole request, reads the answer and keeps the
connection open. Reported: connections the server still holds after ``--after`` seconds (not
closed by it), of those it accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from hub_process import RunningHub, running_hub

DRIP_SECONDS = 2.0


def opening(kind: str, hub: RunningHub) -> bytes:
    host = f"Host: {hub.host}\r\n".encode()
    if kind == "silent":
        return b""
    if kind == "headers":
        return b"GET /healthz HTTP/1.1\r\n" + host + b"X-Slow: "
    if kind == "idle":
        return b"GET /healthz HTTP/1.1\r\n" + host + b"\r\n"
    auth = f"Authorization: Bearer {hub.token}\r\n".encode()
    json = b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    return b"POST /graphql HTTP/1.1\r\n" + host + auth + json


async def slow_client(hub: RunningHub, kind: str, stop_at: float) -> bool:
    """True when the connection is still open at ``stop_at``."""
    try:
        reader, writer = await asyncio.open_connection(hub.host, hub.port)
    except OSError:
        return False
    writer.write(opening(kind, hub))

    async def until_closed() -> None:
        while await reader.read(65536):
            pass

    closing = asyncio.ensure_future(until_closed())
    try:
        while time.monotonic() < stop_at:
            left = stop_at - time.monotonic()
            done, _ = await asyncio.wait({closing}, timeout=min(DRIP_SECONDS, left))
            if done:
                return False
            if kind in ("headers", "body"):
                writer.write(b"a" if kind == "headers" else b" ")
                await writer.drain()
        return True
    except ConnectionError:
        return False
    finally:
        closing.cancel()
        writer.close()


async def count_open(hub: RunningHub, kind: str, connections: int, after: float) -> int:
    stop_at = time.monotonic() + after
    clients = (slow_client(hub, kind, stop_at) for _ in range(connections))
    still_open = await asyncio.gather(*clients)
    return sum(still_open)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--after", type=float, default=15.0)
    parser.add_argument("--kinds", default="silent,headers,body,idle")
    args = parser.parse_args()
    with running_hub() as hub:
        for kind in args.kinds.split(","):
            held = asyncio.run(count_open(hub, kind, args.connections, args.after))
            print(f"{kind:8} {held:4} of {args.connections} still open after {args.after:g} s")


if __name__ == "__main__":
    main()
