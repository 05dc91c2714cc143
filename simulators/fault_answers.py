"""How each tracker answers a rate-limited client: status, headers (in its units) and body.

Shapes follow the vendors' documentation: Jira 429 with ``Retry-After`` seconds and an ISO
minute ``X-RateLimit-Reset``; GitHub REST 403 with ``x-ratelimit-remaining: 0`` and a reset in
epoch seconds, GitHub GraphQL HTTP 200 with ``errors[{type: RATE_LIMITED}]``; Linear HTTP 400 with
``extensions.code == "RATELIMITED"`` and resets in epoch milliseconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from simulators.github_payloads import error_body

RateLimitAnswer = Callable[[Scope, float], Response]
GITHUB_LIMIT = 5000
LINEAR_LIMIT = 5000


def seconds_header(seconds: float) -> str:
    """Whole seconds as the trackers send them; fractions survive so tests need not sleep long."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def jira_rate_limited(scope: Scope, retry_after: float) -> Response:
    reset = datetime.fromtimestamp(time.time() + retry_after, UTC).strftime("%Y-%m-%dT%H:%MZ")
    return JSONResponse(
        {"errorMessages": ["Rate limit exceeded."], "errors": {}},
        429,
        {
            "Retry-After": seconds_header(retry_after),
            "X-RateLimit-Reset": reset,
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "0",
            "RateLimit-Reason": "jira-burst-based",
        },
    )


def github_rate_limited(scope: Scope, retry_after: float) -> Response:
    graphql = str(scope.get("path", "")).endswith("/graphql")
    headers = {
        "x-ratelimit-limit": str(GITHUB_LIMIT),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": str(GITHUB_LIMIT),
        "x-ratelimit-reset": str(math.ceil(time.time() + retry_after)),
        "x-ratelimit-resource": "graphql" if graphql else "core",
    }
    if graphql:
        message = "API rate limit already exceeded for user ID 1."
        return JSONResponse(
            {"errors": [{"type": "RATE_LIMITED", "message": message}]}, 200, headers
        )
    body = error_body(403, "API rate limit exceeded for user ID 1.")
    return JSONResponse(body, 403, headers)


def linear_rate_limited(scope: Scope, retry_after: float) -> Response:
    reset = str(int(time.time() * 1000 + retry_after * 1000))
    extensions = {
        "type": "ratelimited",
        "code": "RATELIMITED",
        "userError": True,
        "userPresentableMessage": "Too many requests. Please try again later.",
        "meta": {},
    }
    return JSONResponse(
        {"errors": [{"message": "Rate limit exceeded", "extensions": extensions}]},
        400,
        {
            "x-ratelimit-requests-limit": str(LINEAR_LIMIT),
            "x-ratelimit-requests-remaining": "0",
            "x-ratelimit-requests-reset": reset,
            "retry-after": seconds_header(retry_after),
        },
    )
