"""A thin Linear GraphQL client: auth headers, one POST per query, and GraphQL error rules.

Retries, rate limits and HTTP error classes come from ``connectors.http``. Linear reports
rate limiting in the body (``extensions.code == "RATELIMITED"``, with HTTP 400 or 200), so
``is_rate_limited`` hands those answers to the shared retry policy. Other GraphQL errors:
without ``data`` the call failed; with partial ``data`` it is logged and the data used.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from connectors.http import TrackerClient
from hub.config import SourceConfig
from hub.errors import (
    TrackerAuthError,
    TrackerDataError,
    TrackerError,
    TrackerRequestError,
)

GRAPHQL_PATH = "/graphql"
PERSONAL_KEY_PREFIX = "lin_api_"
RATE_LIMITED = "RATELIMITED"
AUTH_CODES = frozenset({"AUTHENTICATION_ERROR", "FORBIDDEN"})
REQUEST_CODES = frozenset({"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "INVALID_INPUT"})

log = logging.getLogger(__name__)


def auth_headers(source: SourceConfig) -> dict[str, str]:
    """A personal API key goes bare in ``Authorization``; an OAuth token takes ``Bearer``."""
    token = source.token.get_secret_value()
    if token.startswith(PERSONAL_KEY_PREFIX):
        return {"Authorization": token}
    return {"Authorization": f"Bearer {token}"}


def is_rate_limited(response: httpx.Response) -> bool:
    """Linear's rate limit: HTTP 400 (or 200) whose first error has code ``RATELIMITED``."""
    if response.status_code not in (200, 400) or RATE_LIMITED.encode() not in response.content:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return RATE_LIMITED in error_codes(body)


def error_codes(body: Any) -> list[str]:
    """The ``extensions.code`` of each GraphQL error in ``body``, in order."""
    errors = body.get("errors") if isinstance(body, Mapping) else None
    codes: list[str] = []
    for error in errors if isinstance(errors, list) else ():
        extensions = error.get("extensions") if isinstance(error, Mapping) else None
        code = extensions.get("code") if isinstance(extensions, Mapping) else None
        codes.append(str(code) if code else "")
    return codes


class LinearClient(TrackerClient):
    """Linear GraphQL calls on one ``TrackerHttp``."""

    def headers(self, source: SourceConfig) -> dict[str, str]:
        return {"Accept": "application/json", **auth_headers(source)}

    def rate_limited(self, response: httpx.Response) -> bool:
        return is_rate_limited(response)

    async def query(self, document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The ``data`` of one query; GraphQL errors without data raise, with data warn."""
        request = {"query": document, "variables": dict(variables)}
        try:
            _, body = await self.http.request_json("POST", GRAPHQL_PATH, json=request)
        except TrackerRequestError as exc:
            raise _reclassified(exc) from None
        if not isinstance(body, Mapping):
            raise TrackerDataError(f"{self.source.name}: the GraphQL answer is not an object")
        data, errors = body.get("data"), body.get("errors")
        if not isinstance(data, Mapping):
            raise self._failure(body)
        if errors:
            log.warning(
                "%s: Linear answered with partial data and errors: %s",
                self.source.name,
                _messages(errors),
            )
        return dict(data)

    async def connection(
        self, document: str, field: str, variables: Mapping[str, Any]
    ) -> tuple[list[Any], bool, str | None]:
        """``(nodes, has_next_page, end_cursor)`` of the connection ``field`` of a query."""
        data = await self.query(document, variables)
        connection = data.get(field)
        nodes = connection.get("nodes") if isinstance(connection, Mapping) else None
        info = connection.get("pageInfo") if isinstance(connection, Mapping) else None
        if not isinstance(nodes, list) or not isinstance(info, Mapping):
            raise TrackerDataError(
                f"{self.source.name}: Linear answered without {field}.nodes and pageInfo"
            )
        end = info.get("endCursor")
        if end is not None and not isinstance(end, str):
            raise TrackerDataError(f"{self.source.name}: {field}.pageInfo.endCursor is not text")
        return nodes, info.get("hasNextPage") is True, end

    def _failure(self, body: Mapping[str, Any]) -> TrackerError:
        """The error for an answer without data, by what the caller should do next."""
        codes = set(error_codes(body))
        messages = _messages(body.get("errors"))
        name = self.source.name
        if codes & AUTH_CODES:
            return TrackerAuthError(
                f"{name}: Linear refused the credentials ({messages}): check the key in "
                f"the source's token_env and what it may read"
            )
        if codes & REQUEST_CODES:
            return TrackerRequestError(f"{name}: Linear refused the query: {messages}")
        if not body.get("errors"):
            return TrackerDataError(f"{name}: Linear answered with neither data nor errors")
        return TrackerDataError(f"{name}: Linear answered without data: {messages}")


def _reclassified(exc: TrackerRequestError) -> TrackerError:
    """Linear answers a bad key with HTTP 400 and ``AUTHENTICATION_ERROR``: an auth error."""
    if any(code in str(exc) for code in AUTH_CODES):
        return TrackerAuthError(
            f"{exc} (check the key in the source's token_env)", status=exc.status
        )
    return exc


def _messages(errors: Any, limit: int = 3) -> str:
    if not isinstance(errors, Sequence) or isinstance(errors, str):
        return "no error message"
    texts = [
        str(e.get("message") or e.get("extensions", {}).get("code") or "?")
        if isinstance(e, Mapping)
        else str(e)
        for e in errors[:limit]
    ]
    more = len(errors) - limit
    return "; ".join(texts) + (f" (and {more} more)" if more > 0 else "")
