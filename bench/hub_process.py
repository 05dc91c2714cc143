"""A ``hub serve`` of its own for the server benchmarks: a fresh SQLite database in a temporary
directory, one read token, and the server in a child process (its own event loop and CPU, as
in production), stopped on exit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class RunningHub:
    host: str
    port: int
    tokens: dict[str, str]
    pid: int

    @property
    def token(self) -> str:
        return next(iter(self.tokens.values()))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hub(directory: Path, *args: str) -> str:
    command = [sys.executable, "-m", "hub", "--config", str(directory / "hub.toml"), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=directory)
    return done.stdout.strip()


@contextmanager
def running_hub(
    api: Mapping[str, object] | None = None, tokens: tuple[str, ...] = ("bench",)
) -> Iterator[RunningHub]:
    """``api``: keys of the config's ``[api]`` table (TOML literals written as given);
    ``tokens``: the names of the read tokens to create."""
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as name:
        directory = Path(name)
        lines = [f'database_url = "sqlite+aiosqlite:///{directory / "hub.db"}"', "[api]"]
        lines += [f"{key} = {value}" for key, value in (api or {}).items()]
        (directory / "hub.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        hub(directory, "db", "upgrade")
        secrets = {
            name: hub(directory, "token", "create", name).splitlines()[-1] for name in tokens
        }
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "hub", "--config", str(directory / "hub.toml"), "serve"]
            + ["--port", str(port), "--no-schedule"],
            cwd=directory,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_health(f"http://127.0.0.1:{port}", server)
            yield RunningHub("127.0.0.1", port, secrets, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_for_health(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"hub serve exited with status {server.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("hub serve did not answer /healthz within 30 s")
