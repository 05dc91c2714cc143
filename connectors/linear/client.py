"""A thin Linear GraphQL client: auth headers, one POST per query, and GraphQL error rules.

Retries, rate limits and HTTP error classes come from ``connectors.http``. Linear reports
rate limiting in the body (``extensions.code == "RATELIMITED"``, with HTTP 400 or 200), so
``is_rate_limited`` hands those answers to the shared retry policy. Other GraphQL errors:
without ``data`` the call failed; with partial ``data`` it is logged and the data used.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from connectors.http.client import TrackerClient
from hub.contract.config import SourceConfig
from hub.contract.errors import (
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
WEBHOOKS_QUERY = (
    "query($after: String) { webhooks(first: 50, after: $after) { nodes { id url enabled "
    "allPublicTeams team { key } resourceTypes } pageInfo { hasNextPage endCursor } } }"
)
WEBHOOK_CREATE = (
    "mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) { success "
    "webhook { id url enabled team { key } resourceTypes } } }"
)

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


class _PageInfo(msgspec.Struct, rename="camel"):
    has_next_page: Any = None
    end_cursor: Any = None


class _Connection(msgspec.Struct, rename="camel"):
    nodes: list[msgspec.Raw]
    page_info: _PageInfo


T = TypeVar("T")


class _Answer(msgspec.Struct, Generic[T]):
    """A GraphQL answer whose root fields are ``T``; nodes stay JSON text."""

    data: dict[str, T | None] | None = None
    errors: Any = None


_CONNECTION_ANSWER = msgspec.json.Decoder(_Answer[_Connection])
"""An answer to a query of one connection."""


class _Nodes(msgspec.Struct):
    nodes: list[msgspec.Raw]


_LISTS_ANSWER = msgspec.json.Decoder(_Answer[_Nodes])
"""An answer to a query of several unpaged lists."""


class LinearClient(TrackerClient):
    """Linear GraphQL calls on one ``TrackerHttp``."""

    tracker = "Linear"

    def headers(self, source: SourceConfig) -> dict[str, str]:
        return {"Accept": "application/json", **auth_headers(source)}

    def rate_limited(self, response: httpx.Response) -> bool:
        return is_rate_limited(response)

    async def connection(
        self, document: str, field: str, variables: Mapping[str, Any]
    ) -> tuple[list[msgspec.Raw], bool, str | None]:
        """``(nodes, has_next_page, end_cursor)`` of the connection ``field`` of a query; the
        nodes as JSON texts (``connectors.body.element``)."""
        name = self.source.name
        wanted = f"{field}.nodes and pageInfo"
        data = await self._data(document, variables, _CONNECTION_ANSWER, wanted)
        connection = data.get(field)
        if connection is None:
            raise TrackerDataError(f"{name}: Linear answered without {wanted}")
        end = connection.page_info.end_cursor
        if end is not None and not isinstance(end, str):
            raise TrackerDataError(f"{name}: {field}.pageInfo.endCursor is not text")
        return connection.nodes, connection.page_info.has_next_page is True, end

    async def lists(
        self, document: str, fields: Sequence[str], variables: Mapping[str, Any]
    ) -> dict[str, list[msgspec.Raw]]:
        """The ``nodes`` of each root list ``fields`` names, in one request, as JSON texts;
        errors follow the rules of ``connection``."""
        data = await self._data(document, variables, _LISTS_ANSWER, "the lists' nodes")
        found: dict[str, list[msgspec.Raw]] = {}
        for field in fields:
            listed = data.get(field)
            if listed is None:
                raise TrackerDataError(f"{self.source.name}: Linear answered without {field}.nodes")
            found[field] = listed.nodes
        return found

    async def _data(
        self,
        document: str,
        variables: Mapping[str, Any],
        decoder: msgspec.json.Decoder[_Answer[T]],
        wanted: str,
    ) -> dict[str, T | None]:
        """The ``data`` of the answer to ``document``: refused, unreadable or data-less
        answers raise by what the caller should do next; partial errors are logged."""
        request = {"query": document, "variables": dict(variables)}
        name = self.source.name
        try:
            _, answer = await self.http.request_decoded("POST", GRAPHQL_PATH, decoder, json=request)
        except TrackerRequestError as exc:
            raise _reclassified(exc) from None
        except msgspec.ValidationError as exc:
            raise TrackerDataError(f"{name}: Linear answered without {wanted} ({exc})") from None
        if answer.data is None:
            raise self._failure({"errors": answer.errors})
        if answer.errors:
            log.warning(
                "%s: Linear answered with partial data and errors: %s",
                name,
                self.redactor.excerpt(_messages(answer.errors)),
            )
        return answer.data

    def _failure(self, body: Mapping[str, Any]) -> TrackerError:
        """The error for an answer without data, by what the caller should do next."""
        codes = set(error_codes(body))
        messages = self.redactor.excerpt(_messages(body.get("errors")))
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

    async def webhooks(self) -> list[dict[str, Any]]:
        """Every webhook of the workspace, page by page; workspace admins only."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            nodes, more, after = await self.connection(WEBHOOKS_QUERY, "webhooks", {"after": after})
            found.extend(
                hook for raw in nodes if isinstance(hook := msgspec.json.decode(raw), dict)
            )
            if not more or after is None:
                return found

    async def create_webhook(
        self, *, url: str, secret: str, team: str, resource_types: Sequence[str], label: str
    ) -> dict[str, Any]:
        """``webhookCreate`` for one team (``teamId`` takes its key), signed with ``secret``."""
        variables = {
            "input": {
                "url": url,
                "secret": secret,
                "teamId": team,
                "resourceTypes": list(resource_types),
                "label": label,
            }
        }
        request = {"query": WEBHOOK_CREATE, "variables": variables}
        try:
            _, body = await self.http.request_json("POST", GRAPHQL_PATH, json=request)
        except TrackerRequestError as exc:
            raise _reclassified(exc) from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise self._failure(body if isinstance(body, dict) else {})
        payload = data.get("webhookCreate")
        webhook = payload.get("webhook") if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or payload.get("success") is not True:
            raise TrackerDataError(f"{self.source.name}: Linear did not create the webhook")
        return webhook if isinstance(webhook, dict) else {}


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
