"""A thin Jira Cloud REST v3 client: auth headers, the calls we make, and search paging.

Retries, rate limits and error classes come from ``connectors.http``; this module only says
what to ask for and checks that answers keep the shape the API promises.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec

from connectors.http.client import TrackerClient
from connectors.paging import follow_pages
from hub.contract.config import SourceConfig
from hub.contract.errors import TrackerDataError

FIELD_PATH = "/rest/api/3/field"
SEARCH_PATH = "/rest/api/3/search/jql"
ID_SEARCH_PATH = "/rest/api/3/search/id"
BULK_FETCH_PATH = "/rest/api/3/issue/bulkfetch"
ID_PAGE = 5000
ADMIN_WEBHOOK_PATH = "/rest/webhooks/1.0/webhook"
"""Admin webhooks: the only ones that carry a secret (``/rest/api/3/webhook`` is for Connect
and OAuth apps, signs with a JWT and expires after 30 days)."""
MAX_BULK_FETCH = 100
"""Jira's cap on ``issueIdsOrKeys`` per bulk fetch."""


def auth_headers(source: SourceConfig) -> dict[str, str]:
    """Basic auth for site URLs with an email and API token; Bearer for OAuth (no email)."""
    token = source.token.get_secret_value()
    if source.email is not None:
        pair = f"{source.email.get_secret_value()}:{token}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
    return {"Authorization": f"Bearer {token}"}


class SearchPage(msgspec.Struct, rename="camel"):
    """What the connector reads of a search page; each issue stays JSON text
    (``connectors.body.element``)."""

    issues: list[msgspec.Raw]
    next_page_token: str | None = None
    is_last: bool | None = None


_SEARCH = msgspec.json.Decoder(SearchPage)


class IssueError(msgspec.Struct, rename="camel"):
    id: str | None = None
    error_message: str | None = None


class BulkIssues(msgspec.Struct, rename="camel"):
    """A bulk fetch's answer: issues as JSON texts, and those Jira could not return this
    time (a retriable error or a payload limit, not "not found": an issue that is gone or
    hidden is simply absent)."""

    issues: list[msgspec.Raw] = []
    issue_errors: list[IssueError] = []


_BULK = msgspec.json.Decoder(BulkIssues)


class JiraClient(TrackerClient):
    """The Jira calls the connector needs, on one ``TrackerHttp``."""

    tracker = "Jira"

    def headers(self, source: SourceConfig) -> dict[str, str]:
        return {"Accept": "application/json", **auth_headers(source)}

    async def fields(self) -> list[dict[str, Any]]:
        """Every field of the site, system and custom (``GET /rest/api/3/field``)."""
        _, body = await self.http.request_json("GET", FIELD_PATH)
        if not isinstance(body, list):
            raise TrackerDataError(f"{self.source.name}: {FIELD_PATH} did not return a list")
        return [f for f in body if isinstance(f, dict)]

    async def search(
        self,
        jql: str,
        fields: Sequence[str],
        *,
        next_page_token: str | None = None,
        max_results: int = 50,
    ) -> SearchPage:
        """One page of ``POST /rest/api/3/search/jql``, its issues as JSON texts."""
        request: dict[str, Any] = {"jql": jql, "fields": list(fields), "maxResults": max_results}
        if next_page_token is not None:
            request["nextPageToken"] = next_page_token
        try:
            _, page = await self.http.request_decoded("POST", SEARCH_PATH, _SEARCH, json=request)
        except msgspec.ValidationError as exc:
            raise TrackerDataError(
                f"{self.source.name}: {SEARCH_PATH} answered something else than a page of "
                f"results (an 'issues' list, a text nextPageToken, a boolean isLast): {exc}"
            ) from None
        return page

    async def bulk_fetch(self, ids_or_keys: Sequence[str], fields: Sequence[str]) -> BulkIssues:
        """Up to 100 issues by id or key (``POST /rest/api/3/issue/bulkfetch``), read
        consistently with their last write, unlike search, which may lag behind it."""
        if len(ids_or_keys) > MAX_BULK_FETCH:
            raise ValueError(f"at most {MAX_BULK_FETCH} issues per bulk fetch")
        request = {"issueIdsOrKeys": list(ids_or_keys), "fields": list(fields)}
        try:
            _, answer = await self.http.request_decoded(
                "POST", BULK_FETCH_PATH, _BULK, json=request
            )
        except msgspec.ValidationError as exc:
            raise TrackerDataError(
                f"{self.source.name}: {BULK_FETCH_PATH} answered something else than "
                f"issues and issueErrors: {exc}"
            ) from None
        return answer

    def search_pages(
        self, jql: str, fields: Sequence[str], *, max_results: int = 50
    ) -> AsyncIterator[SearchPage]:
        """Every page of a search, following ``nextPageToken`` until it is gone or ``isLast``;
        a token seen twice ends the search with ``TrackerDataError``."""

        async def read(token: str | None) -> tuple[SearchPage, str | None]:
            page = await self.search(jql, fields, next_page_token=token, max_results=max_results)
            return page, None if page.is_last is True else page.next_page_token

        return follow_pages(
            read,
            f"{self.source.name}: Jira returned the same nextPageToken twice; "
            "stopped paging to avoid a loop",
        )

    def id_pages(self, jql: str) -> AsyncIterator[list[str]]:
        """Every issue id a JQL query matches, thousands per request (``POST /search/id``),
        following ``nextPageToken`` as ``search_pages`` does."""

        async def read(token: str | None) -> tuple[list[str], str | None]:
            request: dict[str, Any] = {"jql": jql, "maxResults": ID_PAGE}
            if token is not None:
                request["nextPageToken"] = token
            _, body = await self.http.request_json("POST", ID_SEARCH_PATH, json=request)
            ids = body.get("issueIds") if isinstance(body, dict) else None
            if not isinstance(ids, list):
                raise TrackerDataError(
                    f"{self.source.name}: {ID_SEARCH_PATH} answered without an 'issueIds' list"
                )
            return [str(i) for i in ids], body.get("nextPageToken")

        return follow_pages(
            read,
            f"{self.source.name}: Jira returned the same nextPageToken twice; "
            "stopped the id census to avoid a loop",
        )

    async def webhooks(self) -> list[dict[str, Any]]:
        """The site's admin webhooks (``GET /rest/webhooks/1.0/webhook``); Jira admins only."""
        _, body = await self.http.request_json("GET", ADMIN_WEBHOOK_PATH)
        if not isinstance(body, list):
            raise TrackerDataError(f"{self.source.name}: {ADMIN_WEBHOOK_PATH} is not a list")
        return [hook for hook in body if isinstance(hook, dict)]

    async def create_webhook(
        self, *, name: str, url: str, events: Sequence[str], jql: str, secret: str
    ) -> dict[str, Any]:
        """An admin webhook to ``url`` for ``events`` on the issues ``jql`` matches, signed
        with ``secret`` (``X-Hub-Signature``)."""
        hook = {
            "name": name,
            "url": url,
            "events": list(events),
            "filters": {"issue-related-events-section": jql},
            "excludeBody": False,
            "secret": secret,
        }
        _, body = await self.http.request_json("POST", ADMIN_WEBHOOK_PATH, json=hook)
        if not isinstance(body, dict):
            raise TrackerDataError(f"{self.source.name}: {ADMIN_WEBHOOK_PATH} is not an object")
        return body
