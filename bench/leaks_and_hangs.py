"""Measure: what a tracker's error text leaks of a fake credential, and how long a request to a
tracker that drips its answer takes to fail.

    python bench/leaks_and_hangs.py            # deadline 60 s (the default), gives up at 90 s
    python bench/leaks_and_hangs.py --deadline 2 --give-up 20

Leaks: each error path gets an answer quoting the fake credential and prints the message the
hub makes of it, and how many characters of the credential it still shows (the longest run).
Hangs: a local server sends its headers, then one byte every 0.2 s; the time until the
request fails is printed, or that it still runs when the script gives up.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.github.client import GitHubClient
from connectors.jira.client import JiraClient
from connectors.linear.client import LinearClient
from connectors.linear.queries import ISSUES, ISSUES_QUERY
from hub.contract.config import SourceConfig
from hub.contract.errors import HubError
from simulators.dripping import dripping_tracker

TOKEN = "ghp_FAKE0123456789abcdefghijklmnopqrstuvwx"
LINEAR_KEY = "lin_api_FAKE0123456789abcdefghijklmnopqrstuv"
EMAIL, JIRA_TOKEN = "pm@acme.example", "ATATT3xFAKE0123456789abcdefghij"
PAIR = base64.b64encode(f"{EMAIL}:{JIRA_TOKEN}".encode()).decode()


def source(kind: str, base: str, token: str, **fields: Any) -> SourceConfig:
    scopes: dict[str, dict[str, Any]] = {
        "github": {"repos": ("acme/app",)},
        "linear": {"teams": ("ENG",)},
        "jira": {"projects": ("PAY",), "email_env": "EMAIL"},
    }
    scope = scopes[kind]
    known = {k: v for k, v in fields.items() if k in SourceConfig.model_fields}
    config = SourceConfig.model_validate(
        {"name": kind, "kind": kind, "base_url": base, "token_env": "TOKEN", **scope, **known}
    )
    return config.model_copy(update={"token": SecretStr(token)})


def answering(status: int, body: Any) -> httpx.MockTransport:
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx.MockTransport(lambda _request: httpx.Response(status, text=content))


def longest_leak(text: str, secret: str, shortest: int = 6) -> int:
    """The length of the longest piece of ``secret`` found in ``text``; pieces shorter than
    ``shortest`` count as 0, as ordinary words share them."""
    found = [
        n
        for n in range(shortest, len(secret) + 1)
        for i in range(len(secret) - n + 1)
        if secret[i : i + n] in text
    ]
    return max(found, default=0)


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def leaks() -> None:
    log = Captured()
    logging.getLogger().addHandler(log)
    logging.getLogger().setLevel(logging.DEBUG)
    bad_credentials = {"data": None, "errors": [{"message": f"Bad credentials for Bearer {TOKEN}"}]}
    linear_refusal = {
        "errors": [
            {
                "message": f"Authentication failed: {LINEAR_KEY}",
                "extensions": {"code": "AUTHENTICATION_ERROR"},
            }
        ]
    }
    empty = {ISSUES: {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}
    linear_partial = {"data": empty, "errors": [{"message": f"key {LINEAR_KEY} may not read"}]}

    def github(status: int, body: Any) -> Callable[[], Awaitable[object]]:
        client = GitHubClient(
            source("github", "https://api.github.com", TOKEN), transport=answering(status, body)
        )
        return lambda: client.dependencies(["I_1"])

    def linear(body: Any) -> Callable[[], Awaitable[object]]:
        client = LinearClient(
            source("linear", "https://api.linear.app", LINEAR_KEY), transport=answering(200, body)
        )
        return lambda: client.connection(ISSUES_QUERY, ISSUES, {"first": 1})

    def jira(padding: int) -> Callable[[], Awaitable[object]]:
        body = "x" * padding + f" you sent Basic {PAIR}"
        client = JiraClient(
            source("jira", "https://acme.atlassian.net", JIRA_TOKEN).model_copy(
                update={"email": SecretStr(EMAIL)}
            ),
            transport=answering(401, body),
        )
        return client.fields

    cases: list[tuple[str, Callable[[], Awaitable[object]], str]] = [
        ("GitHub GraphQL error in a 200", github(200, bad_credentials), TOKEN),
        ("Linear refusal in a 200", linear(linear_refusal), LINEAR_KEY),
        ("Linear partial-data warning (log)", linear(linear_partial), LINEAR_KEY),
        ("Jira 401, Basic pair across the 300-char cut", jira(225), PAIR),
    ]
    for name, call, secret in cases:
        log.lines.clear()
        try:
            await call()
            said = ""
        except HubError as exc:
            said = str(exc)
        text = " | ".join([said, *log.lines])
        print(
            f"{name}: longest piece of the {len(secret)}-char secret shown: "
            f"{longest_leak(text, secret)}"
        )
        print(f"    {text[-160:]}")


async def hang(deadline: float, give_up: float) -> None:
    async with dripping_tracker(every=0.2) as (url, _tracker):
        config = source(
            "jira", url, JIRA_TOKEN, request_deadline=timedelta(seconds=deadline)
        ).model_copy(update={"email": SecretStr(EMAIL)})
        client = JiraClient(config)
        started = time.monotonic()
        try:
            await asyncio.wait_for(client.fields(), give_up)
        except TimeoutError:
            print(f"dripping tracker: the request still ran after {give_up:g} s (gave up)")
        except HubError as exc:
            elapsed = time.monotonic() - started
            print(f"dripping tracker: failed after {elapsed:.2f} s: {exc}")
        finally:
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=60.0)
    parser.add_argument("--give-up", type=float, default=90.0)
    args = parser.parse_args()
    asyncio.run(leaks())
    asyncio.run(hang(args.deadline, args.give_up))


if __name__ == "__main__":
    main()
