"""A Jira Cloud REST v3 simulator: the endpoints and quirks a connector meets on a real site.

Served: ``GET|POST /rest/api/3/search/jql``, ``POST /rest/api/3/search/id``,
``POST /rest/api/3/issue/bulkfetch``,
``GET /rest/api/3/field``, ``GET /rest/api/3/myself`` and ``GET /rest/api/3/issue/{idOrKey}``,
behind Basic (``email:token``) or Bearer (``token``) auth. Quirks kept on purpose: fields default
to ``id`` only, no ``total``/``startAt``, ``nextPageToken`` absent on the last page and bound to its
query, page caps of 100 (5000 for id-only), unbounded JQL refused, and date-times in JQL read in
the account's time zone. ``/field`` lists the Plans fields (Target start/end, Sprint) under the
world's own ids. ``app.state.requests`` counts requests per path to assert API cost.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.fault_answers import jira_rate_limited
from simulators.fault_middleware import install_faults
from simulators.fault_paging import PagingFaults
from simulators.faults import Faults
from simulators.jira_jql import JqlError, JqlQuery, parse_jql
from simulators.jira_payloads import IssueRenderer, field_catalogue, resolve_fields
from simulators.jira_world import IssueRow, JiraWorld

DEFAULT_PAGE = 50
MAX_PAGE_WITH_FIELDS = 100
MAX_PAGE_IDS_ONLY = 5000
DEFAULT_ID_PAGE = 1000
MAX_ID_PAGE = 10000
_ID_ONLY = {"id", "key"}


class BadRequest(Exception):
    """A 400 in Jira's error shape."""


def jira_error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"errorMessages": [message], "errors": {}}, status_code=status_code)


class _AuthAndCount:
    """Counts every request by path, then lets through only the configured credentials."""

    def __init__(self, app: ASGIApp, *, email: str, token: str, counter: Counter[str]) -> None:
        self.app = app
        basic = base64.b64encode(f"{email}:{token}".encode()).decode()
        self.accepted = (f"Basic {basic}", f"Bearer {token}")
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counter[scope["path"]] += 1
        headers = dict(scope["headers"])
        given = headers.get(b"authorization", b"").decode("latin-1").strip()
        if any(hmac.compare_digest(given, accepted) for accepted in self.accepted):
            await self.app(scope, receive, send)
            return
        response = jira_error(401, "Client must be authenticated to access this resource.")
        response.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        await response(scope, receive, send)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    jql: str
    page_token: str | None
    max_results: int | None
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[IssueRow]
    next_token: str | None


class Searcher:
    """Runs a bounded JQL query over the world with keyset pages and query-bound tokens."""

    def __init__(self, world: JiraWorld, time_zone: str) -> None:
        self.world = world
        self.time_zone = time_zone

    def page(self, endpoint: str, jql: str, token: str | None, limit: int) -> Page:
        try:
            query = parse_jql(jql, self.time_zone)
        except JqlError as error:
            raise BadRequest(str(error)) from error
        if endpoint == "id" and query.has_order_by:
            raise BadRequest("Order by clauses are not allowed for this endpoint.")
        fingerprint = hashlib.sha256(f"{endpoint}|{' '.join(jql.split())}".encode()).hexdigest()
        after = _read_token(token, fingerprint[:20]) if token else None
        matches = self._matches(query, after)
        rows = [row for _, row in zip(range(limit + 1), matches, strict=False)]
        if len(rows) <= limit:
            return Page(rows, None)
        rows = rows[:limit]
        last = rows[-1]
        return Page(rows, _make_token(fingerprint[:20], (last.updated_ms, last.id)))

    def _matches(self, query: JqlQuery, after: tuple[int, int] | None) -> Iterator[IssueRow]:
        for projects in query.projects:
            unknown = sorted(projects - set(self.world.projects))
            if unknown:
                raise BadRequest(
                    f"The value '{unknown[0]}' does not exist for the field 'project'."
                )
        key_sets = [self._issue_ids(values, "key") for values in query.keys]
        parent_sets = [self._issue_ids(values, "parent") for values in query.parents]
        candidates: Iterable[IssueRow]
        if key_sets or parent_sets:
            candidates = self._listed(key_sets, parent_sets, query.descending, after)
        else:
            candidates = self.world.scan(
                descending=query.descending, after=after, updated_from=query.updated_from
            )
        for row in candidates:
            if (
                all(row.project.key in projects for projects in query.projects)
                and all(row.id in ids for ids in key_sets)
                and all(row.parent_id in ids for ids in parent_sets)
                and query.matches_time(row.updated_ms)
            ):
                yield row

    def _issue_ids(self, values: set[str], field: str) -> set[int]:
        ids = set()
        for value in values:
            row = self.world.issue(value)
            if row is None:
                raise BadRequest(f"An issue with key '{value}' does not exist for field '{field}'.")
            ids.add(row.id)
        return ids

    def _listed(
        self,
        key_sets: list[set[int]],
        parent_sets: list[set[int]],
        descending: bool,
        after: tuple[int, int] | None,
    ) -> list[IssueRow]:
        if key_sets:
            rows = [self.world.require(issue_id) for issue_id in key_sets[0]]
        else:
            rows = [child for parent in parent_sets[0] for child in self.world.children(parent)]
        rows.sort(key=lambda row: (row.updated_ms, row.id), reverse=descending)
        if after is None:
            return rows
        if descending:
            return [row for row in rows if (row.updated_ms, row.id) < after]
        return [row for row in rows if (row.updated_ms, row.id) > after]


def _make_token(fingerprint: str, position: tuple[int, int]) -> str:
    raw = json.dumps({"q": fingerprint, "after": list(position)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_token(token: str, fingerprint: str) -> tuple[int, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        updated_ms, issue_id = raw["after"]
        matches_query = raw["q"] == fingerprint
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise BadRequest("The provided next page token is invalid.") from error
    if not matches_query:
        raise BadRequest("The provided next page token is invalid or does not match the query.")
    return int(updated_ms), int(issue_id)


def _field_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise BadRequest("'fields' must be a list of field ids.")
    return [part for item in items for part in str(item).split(",") if part.strip()]


def _page_size(value: Any, default: int, cap: int) -> int:
    if value is None or value == "":
        return default
    try:
        size = int(value)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"The value '{value}' is invalid for 'maxResults'.") from error
    return max(1, min(size, cap))


async def _search_request(request: Request) -> SearchRequest:
    if request.method == "POST":
        try:
            body = await request.json()
        except ValueError as error:
            raise BadRequest("The request body is not valid JSON.") from error
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        jql, token, size = body.get("jql"), body.get("nextPageToken"), body.get("maxResults")
        fields = _field_list(body.get("fields"))
    else:
        params = request.query_params
        jql, token, size = params.get("jql"), params.get("nextPageToken"), params.get("maxResults")
        fields = _field_list(params.getlist("fields"))
    if not isinstance(jql, str) or not jql.strip():
        raise BadRequest(
            "Unbounded JQL queries are not allowed here. "
            "Please add a search restriction to your query."
        )
    if token is not None and not isinstance(token, str):
        raise BadRequest("The provided next page token is invalid.")
    return SearchRequest(jql, token or None, size, tuple(fields))


def create_jira_app(
    world: JiraWorld,
    *,
    email: str,
    token: str,
    time_zone: str = "Australia/Sydney",
    faults: Faults | None = None,
) -> Starlette:
    """The simulator for ``world``, answering only ``email``/``token``, in ``time_zone``.

    ``faults`` injects network and paging faults; those served are counted in ``app.state.faults``.
    """
    searcher = Searcher(world, time_zone)
    catalogue = field_catalogue(world.plan_fields)
    field_ids = tuple(entry["id"] for entry in catalogue)
    faults = faults or Faults()
    injected: Counter[str] = Counter()
    paging = PagingFaults(faults, injected)

    async def search_jql(request: Request) -> Response:
        try:
            search = await _search_request(request)
            fields = resolve_fields(search.fields, field_ids)
            ids_only = set(search.fields) <= _ID_ONLY
            cap = MAX_PAGE_IDS_ONLY if ids_only else MAX_PAGE_WITH_FIELDS
            page = searcher.page(
                "jql",
                search.jql,
                search.page_token,
                _page_size(search.max_results, DEFAULT_PAGE, cap),
            )
        except BadRequest as error:
            return jira_error(400, str(error))
        renderer = IssueRenderer(world, str(request.base_url))
        id_only = not fields and "key" not in search.fields
        body: dict[str, Any] = {
            "issues": [renderer.issue(row, fields, id_only=id_only) for row in page.rows],
            "isLast": page.next_token is None,
        }
        if page.next_token is not None:
            body["nextPageToken"] = paging.next_token(search.page_token, page.next_token)
        paging.page_served(lambda: list(world), lambda row: world.touch(row.key))
        return JSONResponse(body)

    async def search_ids(request: Request) -> Response:
        try:
            search = await _search_request(request)
            page = searcher.page(
                "id",
                search.jql,
                search.page_token,
                _page_size(search.max_results, DEFAULT_ID_PAGE, MAX_ID_PAGE),
            )
        except BadRequest as error:
            return jira_error(400, str(error))
        body: dict[str, Any] = {"issueIds": [row.id for row in page.rows]}
        if page.next_token is not None:
            body["nextPageToken"] = paging.next_token(search.page_token, page.next_token)
        return JSONResponse(body)

    async def get_issue(request: Request) -> Response:
        row = world.issue(request.path_params["id_or_key"])
        if row is None:
            return jira_error(404, "Issue does not exist or you do not have permission to see it.")
        requested = _field_list(request.query_params.getlist("fields")) or ["*all"]
        renderer = IssueRenderer(world, str(request.base_url))
        return JSONResponse(renderer.issue(row, resolve_fields(requested, field_ids) or field_ids))

    async def bulk_fetch(request: Request) -> Response:
        """``POST /rest/api/3/issue/bulkfetch``: up to 100 issues by id or key; one that does
        not exist is left out (not an error), as Jira does."""
        try:
            body = await request.json()
        except ValueError:
            return jira_error(400, "The request body is not valid JSON.")
        wanted = body.get("issueIdsOrKeys") if isinstance(body, dict) else None
        if not isinstance(wanted, list) or not wanted or len(wanted) > 100:
            return jira_error(400, "issueIdsOrKeys must list between 1 and 100 issues.")
        try:
            requested = _field_list(body.get("fields")) or ["*navigable"]
        except BadRequest as error:
            return jira_error(400, str(error))
        fields = resolve_fields(requested, field_ids) or field_ids
        renderer = IssueRenderer(world, str(request.base_url))
        rows = {row.id: row for row in map(world.issue, map(str, wanted)) if row is not None}
        issues = [renderer.issue(rows[issue_id], fields) for issue_id in sorted(rows)]
        return JSONResponse({"expand": "", "issues": issues, "issueErrors": []})

    async def list_fields(request: Request) -> Response:
        return JSONResponse(list(catalogue))

    async def myself(request: Request) -> Response:
        api = f"{str(request.base_url).rstrip('/')}/rest/api/3"
        account_id = "712020:" + hashlib.sha256(email.encode()).hexdigest()[:32]
        return JSONResponse(
            {
                "self": f"{api}/user?accountId={account_id}",
                "accountId": account_id,
                "accountType": "atlassian",
                "emailAddress": email,
                "displayName": email.split("@")[0].replace(".", " ").title(),
                "active": True,
                "timeZone": time_zone,
                "locale": "en_AU",
                "groups": {"size": 1, "items": []},
                "applicationRoles": {"size": 1, "items": []},
                "expand": "groups,applicationRoles",
            }
        )

    app = Starlette(
        routes=[
            Route("/rest/api/3/search/jql", search_jql, methods=["GET", "POST"]),
            Route("/rest/api/3/search/id", search_ids, methods=["POST"]),
            Route("/rest/api/3/field", list_fields, methods=["GET"]),
            Route("/rest/api/3/myself", myself, methods=["GET"]),
            Route("/rest/api/3/issue/bulkfetch", bulk_fetch, methods=["POST"]),
            Route("/rest/api/3/issue/{id_or_key}", get_issue, methods=["GET"]),
        ]
    )
    requests: Counter[str] = Counter()
    app.state.requests = requests
    app.add_middleware(_AuthAndCount, email=email, token=token, counter=requests)
    install_faults(app, faults, injected, jira_rate_limited)
    return app
