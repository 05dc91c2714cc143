"""A GitHub REST + GraphQL simulator: the endpoints and quirks a connector meets on github.com.

REST is served at the root and under ``/api/v3`` (GitHub Enterprise Server), GraphQL at
``/graphql`` and ``/api/graphql``; see ``create_github_app`` for the routes. Quirks kept on
purpose: ``state`` defaults to open, pull requests appear in issue lists, the ``Link`` next URL
uses the ``/repositories/{id}/issues`` form with an opaque ``after`` cursor, ``page`` is refused
past 1000 results, 410 for deleted and 301 for transferred issues, rate-limit headers on every
response, and 304 for a matching ``If-None-Match`` (not counted against the limit).

``app.state.requests`` is a ``Counter`` keyed by route name: ``issues.list``, ``issues.get``,
``issues.sub_issues``, ``issues.parent``, ``issues.blocked_by``, ``issues.blocking``,
``graphql``; and ``unauthorized`` for requests refused with 401.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.fault_answers import github_rate_limited
from simulators.fault_middleware import install_faults
from simulators.fault_paging import PagingFaults
from simulators.faults import Faults
from simulators.github_graphql import GraphQLService
from simulators.github_paging import (
    Filters,
    Ordering,
    decode_cursor,
    encode_cursor,
)
from simulators.github_payloads import (
    LEGACY_VERSION,
    Renderer,
    error_body,
)
from simulators.github_rate import RateWindow
from simulators.github_world import GitHubWorld, IssueRow, Repo

API_VERSIONS = (LEGACY_VERSION, "2026-03-10")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
MAX_PAGE_OFFSET = 1000
PAGE_REFUSED = (
    "Pagination with the page parameter is not supported for large datasets, "
    "please use cursor based pagination (after/before)"
)


class ApiError(Exception):
    """An error answer in GitHub's shape."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(slots=True)
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request, "Context"], Awaitable[Reply]]


@dataclass(slots=True)
class Context:
    renderer: Renderer
    api_version: str


class GitHubApi:
    """The routes' shared state: world, orderings, rate windows and the request counter."""

    def __init__(
        self, world: GitHubWorld, token: str, rate_limit: int, points: int, paging: PagingFaults
    ) -> None:
        self.world = world
        self.paging = paging
        self.ordering = Ordering(world)
        self.accepted = (f"Bearer {token}", f"token {token}")
        self.windows = {"core": RateWindow(rate_limit), "graphql": RateWindow(points)}
        self.requests: Counter[str] = Counter()
        self.graphql = GraphQLService(world, self.ordering, self.windows["graphql"])

    def endpoint(self, name: str, handler: Handler, resource: str = "core") -> Callable[..., Any]:
        """Wraps a handler with counting, auth, version negotiation, limits, ETags and headers."""

        async def run(request: Request) -> Response:
            self.requests[name] += 1
            window = self.windows[resource]
            window.roll()
            try:
                context = self._authorise(request)
                if resource == "core" and window.used >= window.limit:
                    raise ApiError(403, "API rate limit exceeded for user ID 1.")
                reply = await handler(request, context)
            except ApiError as error:
                if error.status == 401:
                    self.requests["unauthorized"] += 1
                reply = Reply(error_body(error.status, str(error)), error.status, error.headers)
            payload = json.dumps(reply.body, separators=(",", ":")).encode()
            etag = f'W/"{hashlib.sha256(payload).hexdigest()}"'
            cached = request.method == "GET" and reply.status == 200 and _matches(request, etag)
            if not cached and resource == "core" and reply.status != 401:
                window.used += 1
            headers = {
                **window.headers(resource),
                "x-github-api-version-selected": _version(request),
                "x-github-media-type": "github.v3; format=json",
                "x-github-request-id": hashlib.md5(payload, usedforsecurity=False).hexdigest()[:16],
                **reply.headers,
            }
            if request.method == "GET" and reply.status == 200:
                headers["etag"] = etag
            if cached:
                return Response(status_code=304, headers=headers)
            return Response(
                payload, reply.status, headers, media_type="application/json; charset=utf-8"
            )

        return run

    def _authorise(self, request: Request) -> Context:
        given = request.headers.get("authorization", "").strip()
        if not any(hmac.compare_digest(given, accepted) for accepted in self.accepted):
            raise ApiError(401, "Bad credentials")
        version = _version(request)
        if version not in API_VERSIONS:
            raise ApiError(400, f"API version '{version}' is not supported.")
        base = str(request.base_url).rstrip("/")
        api = f"{base}/api/v3" if request.url.path.startswith("/api/") else base
        html = base if request.url.path.startswith("/api/") else "https://github.com"
        return Context(Renderer(self.world, api, html, version), version)

    def repo(self, request: Request) -> Repo:
        params = request.path_params
        if "repo_id" in params:
            repo = self.world.repos_by_id.get(int(params["repo_id"]))
        elif params["owner"] == self.world.owner:
            repo = self.world.repos.get(params["repo"])
        else:
            repo = None
        if repo is None:
            raise ApiError(404, "Not Found")
        return repo

    def issue(self, request: Request, context: Context) -> IssueRow:
        repo = self.repo(request)
        number = int(request.path_params["number"])
        row = self.world.lookup(repo, number)
        if row is not None:
            return row
        if self.world.is_deleted(repo, number):
            raise ApiError(410, "This issue was deleted")
        moved = self.world.moved_to(repo, number)
        if moved is not None:
            api = context.renderer.api
            location = f"{api}/repositories/{moved.repo.id}/issues/{moved.number}"
            raise ApiError(301, "Moved Permanently", {"location": location})
        raise ApiError(404, "Not Found")

    async def list_issues(self, request: Request, context: Context) -> Reply:
        repo = self.repo(request)
        params = request.query_params
        state = params.get("state", "open")
        sort = params.get("sort", "created")
        direction = params.get("direction", "desc")
        if state not in ("open", "closed", "all") or sort not in ("created", "updated", "comments"):
            raise ApiError(422, "Validation Failed")
        if direction not in ("asc", "desc"):
            raise ApiError(422, "Validation Failed")
        per_page = _per_page(params.get("per_page"))
        filters = Filters(
            states=frozenset(("open", "closed") if state == "all" else (state,)),
            since=_since(params.get("since")),
            labels=frozenset(name for name in params.get("labels", "").split(",") if name),
        )
        after = _cursor(params.get("after"))
        skip = 0
        if after is None and params.get("page"):
            page = _positive(params["page"], "page")
            if page * per_page > MAX_PAGE_OFFSET:
                raise ApiError(422, PAGE_REFUSED)
            skip = (page - 1) * per_page
        matches = self.ordering.scan(repo, sort, direction == "desc", after, filters)
        for _ in range(skip):
            if next(matches, None) is None:
                break
        page_rows = [item for _, item in zip(range(per_page + 1), matches, strict=False)]
        headers = {}
        if len(page_rows) > per_page:
            page_rows = page_rows[:per_page]
            position, _ = page_rows[-1]
            kept = [(k, v) for k, v in params.multi_items() if k not in ("page", "after")]
            cursor = self.paging.next_token(params.get("after"), encode_cursor(position))
            query = urlencode([*kept, ("after", cursor)])
            next_url = f"{context.renderer.api}/repositories/{repo.id}/issues?{query}"
            headers["link"] = f'<{next_url}>; rel="next"'
        self.paging.page_served(
            lambda: list(self.world), lambda row: self.world.touch(self.world.key(row))
        )
        return Reply([context.renderer.issue(row) for _, row in page_rows], headers=headers)

    async def get_issue(self, request: Request, context: Context) -> Reply:
        return Reply(context.renderer.issue(self.issue(request, context)))

    async def parent(self, request: Request, context: Context) -> Reply:
        parent = self.world.parent(self.issue(request, context))
        if parent is None:
            raise ApiError(404, "Not Found")
        return Reply(context.renderer.issue(parent))

    async def sub_issues(self, request: Request, context: Context) -> Reply:
        return self._listing(request, context, self.world.children(self.issue(request, context)))

    async def blocked_by(self, request: Request, context: Context) -> Reply:
        return self._listing(request, context, self.world.blocked_by(self.issue(request, context)))

    async def blocking(self, request: Request, context: Context) -> Reply:
        return self._listing(request, context, self.world.blocking(self.issue(request, context)))

    def _listing(self, request: Request, context: Context, rows: list[IssueRow]) -> Reply:
        """A small related-issue list, paged with ``page``/``per_page`` and page-number links."""
        per_page = _per_page(request.query_params.get("per_page"))
        page = _positive(request.query_params.get("page", "1"), "page")
        chunk = rows[(page - 1) * per_page : page * per_page]
        last = max(1, -(-len(rows) // per_page))
        links = []
        for rel, target in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if 1 <= target <= last and target != page and (rel != "next" or page < last):
                query = urlencode({**request.query_params, "per_page": per_page, "page": target})
                links.append(f'<{context.renderer.api}{_api_path(request)}?{query}>; rel="{rel}"')
        headers = {"link": ", ".join(links)} if links else {}
        return Reply([context.renderer.issue(row) for row in chunk], headers=headers)

    async def graphql_endpoint(self, request: Request, context: Context) -> Reply:
        try:
            body = await request.json()
        except ValueError as error:
            raise ApiError(400, "Problems parsing JSON") from error
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, str):
            raise ApiError(400, "A query attribute must be specified and must be a string.")
        variables = body.get("variables") or {}
        result, headers = self.graphql.run(
            query, variables, body.get("operationName"), context.renderer
        )
        return Reply(result, headers=headers)


def _version(request: Request) -> str:
    return request.headers.get("x-github-api-version", LEGACY_VERSION)


def _matches(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return etag.removeprefix("W/") in tags


def _api_path(request: Request) -> str:
    return request.url.path.removeprefix("/api/v3")


def _positive(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ApiError(422, f"Invalid value for {name}")
    return int(value)


def _per_page(value: str | None) -> int:
    if not value:
        return DEFAULT_PER_PAGE
    return min(_positive(value, "per_page"), MAX_PER_PAGE)


def _since(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError as error:
        raise ApiError(422, "Validation Failed") from error


def _cursor(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        return decode_cursor(value)
    except ValueError as error:
        raise ApiError(422, "Invalid cursor") from error


def create_github_app(
    world: GitHubWorld,
    *,
    token: str = "ghp_simulator",
    rate_limit: int = 5000,
    graphql_points: int = 5000,
    faults: Faults | None = None,
) -> Starlette:
    """The simulator for ``world``, answering only ``token`` (as ``Bearer`` or ``token``).

    REST routes (each also under ``/api/v3``): ``GET /repos/{owner}/{repo}/issues``,
    ``GET /repositories/{repo_id}/issues``, ``GET /repos/{owner}/{repo}/issues/{number}``,
    ``GET /repositories/{repo_id}/issues/{number}``, and under an issue ``/sub_issues``,
    ``/parent``, ``/dependencies/blocked_by``, ``/dependencies/blocking``. GraphQL:
    ``POST /graphql`` and ``POST /api/graphql``. ``rate_limit`` and ``graphql_points`` are the
    hourly budgets, small values let tests exhaust them. ``faults`` injects network and paging
    faults; those served are counted in ``app.state.faults``.
    """
    faults = faults or Faults()
    injected: Counter[str] = Counter()
    api = GitHubApi(world, token, rate_limit, graphql_points, PagingFaults(faults, injected))
    issue_routes = (
        ("", "issues.get", api.get_issue),
        ("/sub_issues", "issues.sub_issues", api.sub_issues),
        ("/parent", "issues.parent", api.parent),
        ("/dependencies/blocked_by", "issues.blocked_by", api.blocked_by),
        ("/dependencies/blocking", "issues.blocking", api.blocking),
    )
    routes = []
    for prefix in ("", "/api/v3"):
        for repo_path in ("/repos/{owner}/{repo}", "/repositories/{repo_id:int}"):
            base = f"{prefix}{repo_path}/issues"
            routes.append(Route(base, api.endpoint("issues.list", api.list_issues)))
            for suffix, name, handler in issue_routes:
                routes.append(Route(f"{base}/{{number:int}}{suffix}", api.endpoint(name, handler)))
    graphql = api.endpoint("graphql", api.graphql_endpoint, resource="graphql")
    routes += [Route(path, graphql, methods=["POST"]) for path in ("/graphql", "/api/graphql")]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        message = "Not Found" if status == 404 else str(getattr(exc, "detail", "Error"))
        return Response(
            json.dumps(error_body(status, message)), status, media_type="application/json"
        )

    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.state.requests = api.requests
    app.state.api = api
    install_faults(app, faults, injected, github_rate_limited)
    return app
