"""A thin GitHub client: REST for listing issues, GraphQL for their dependencies and for the
items of Projects (v2).

Retries, rate limits and error classes come from ``connectors.http``; this module only says
what to ask for and checks that answers keep the shape the API promises. GraphQL reports its
primary rate limit as HTTP 200 with ``errors[].type == "RATE_LIMITED"``; ``graphql_rate_limited``
lets ``TrackerHttp`` retry that like a 429.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal

import httpx
import msgspec

from connectors.github.project_query import ISSUES_BY_ID_QUERY, PROJECT_PAGE_QUERY
from connectors.http.client import TrackerClient
from connectors.paging import follow_pages
from hub.contract.config import ProjectRef, SourceConfig
from hub.contract.errors import TrackerDataError, TrackerRequestError

API_VERSION = "2022-11-28"
MAX_PER_PAGE = 100
MAX_NODE_IDS = 100
"""GitHub's limit on ``nodes(ids:)`` and on REST ``per_page``."""

DEPENDENCIES_QUERY = (
    "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Issue { id number "
    "repository { nameWithOwner } "
    "blocking(first: 50) { nodes { number repository { nameWithOwner } } } } } "
    "rateLimit { cost remaining resetAt } }"
)
"""What up to 100 issues block, in one call. GitHub allows at most 50 dependencies of each
type per issue, so ``first: 50`` returns them all. Only the blocking side is read: it is the
side the hub replaces when an issue changes (see ``hub.sync.store``), and reading both sides
would double the lookups for the same edges."""

OwnerKind = Literal["organization", "user"]

log = logging.getLogger(__name__)


def graphql_url(base: str) -> str:
    """The GraphQL endpoint for a REST base URL.

    ``https://api.github.com`` → ``https://api.github.com/graphql``; a GitHub Enterprise Server
    base ``https://HOST/api/v3`` → ``https://HOST/api/graphql``; any other base (a proxy or a
    simulator) → ``<base>/graphql``.
    """
    base = base.rstrip("/")
    if base.endswith("/api/v3"):
        return base.removesuffix("/v3") + "/graphql"
    return base + "/graphql"


def api_headers(source: SourceConfig) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {source.token.get_secret_value()}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    }


def graphql_rate_limited(response: httpx.Response) -> bool:
    """True for a GraphQL answer whose ``errors`` say RATE_LIMITED (GitHub sends those as 200)."""
    if response.status_code != 200 or not response.request.url.path.endswith("/graphql"):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors
    )


class GitHubClient(TrackerClient):
    """The GitHub calls the connector needs, on one ``TrackerHttp``."""

    tracker = "GitHub"

    def __init__(self, source: SourceConfig, **http: Any) -> None:
        super().__init__(source, **http)
        self.graphql_url = graphql_url(source.base)

    def headers(self, source: SourceConfig) -> dict[str, str]:
        return api_headers(source)

    def rate_limited(self, response: httpx.Response) -> bool:
        return graphql_rate_limited(response)

    def issue_pages(
        self, repo: str, *, since: str | None = None, per_page: int = MAX_PER_PAGE
    ) -> AsyncIterator[list[msgspec.Raw]]:
        """Every page of ``GET /repos/{repo}/issues`` (issues and PRs), oldest change first,
        each entry as its JSON text (``connectors.body.element`` reads one).

        Later pages come from the ``Link`` header's ``rel="next"`` URL exactly as given: it
        carries an opaque ``after=`` cursor and may name the repository by id. A next URL seen
        twice would loop forever, so it ends the listing with ``TrackerDataError``.
        """
        params: dict[str, str | int] = {
            "state": "all",
            "sort": "updated",
            "direction": "asc",
            "per_page": max(1, min(per_page, MAX_PER_PAGE)),
        }
        if since is not None:
            params["since"] = since

        async def read(next_url: str | None) -> tuple[list[msgspec.Raw], str | None]:
            if next_url is None:
                response, body = await self._get(repo, f"/repos/{repo}/issues", params=params)
            else:
                response, body = await self._get(repo, next_url)
            return body, response.links.get("next", {}).get("url")

        return follow_pages(
            read,
            f"{self.source.name}: GitHub returned the same next page URL twice for {repo}; "
            "stopped paging to avoid a loop",
        )

    async def issue(self, repo: str, number: int) -> tuple[dict[str, Any], bytes] | None:
        """``GET /repos/{repo}/issues/{number}`` and its JSON text; None when GitHub no longer
        has it there: deleted (410), transferred (301), or not visible (404)."""
        try:
            response, body = await self.http.request_json("GET", f"/repos/{repo}/issues/{number}")
        except TrackerRequestError as exc:
            if exc.status in (404, 410):
                return None
            raise
        if response.status_code == 301:
            return None
        if not isinstance(body, dict):
            raise TrackerDataError(f"{self.source.name}: {repo}#{number} is not an issue object")
        return body, response.content

    async def dependencies(self, node_ids: Sequence[str]) -> list[dict[str, Any]]:
        """``blockedBy``/``blocking`` of up to 100 issues by node id, in one GraphQL call.

        Errors without data fail; errors beside data are logged and the data used. Ids GitHub
        could not resolve (deleted, transferred, hidden) come back as null and are left out.
        """
        return await self._nodes(DEPENDENCIES_QUERY, node_ids)

    async def issues_by_id(self, node_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Up to 100 issues by node id with what ``map_issue`` reads, as ``dependencies``."""
        return await self._nodes(ISSUES_BY_ID_QUERY, node_ids)

    async def project_page(
        self, ref: ProjectRef, after: str | None, owner_kind: OwnerKind | None
    ) -> tuple[dict[str, Any], OwnerKind]:
        """One page of a project's items (``project_query``) and the kind of owner holding it.

        Without ``owner_kind`` the owner is asked for as an organisation and as a user in one
        request; GitHub answers NOT_FOUND for the kind it is not, which is expected and not
        logged. A project found under neither is a ``TrackerRequestError`` saying what to check.
        """
        variables = {
            "owner": ref.owner,
            "number": ref.number,
            "after": after,
            "asOrganization": owner_kind in (None, "organization"),
            "asUser": owner_kind in (None, "user"),
        }
        data, errors = await self._graphql(PROJECT_PAGE_QUERY, variables)
        unexpected = [e for e in errors if not _owner_not_found(e)]
        if unexpected:
            log.warning(
                "%s: GraphQL answered project %s with partial data: %s",
                self.source.name,
                ref.label,
                self.redactor.excerpt(_messages(unexpected)),
            )
        for kind in ("organization", "user"):
            owner = data.get(kind)
            project = owner.get("projectV2") if isinstance(owner, dict) else None
            if isinstance(project, dict):
                return project, kind
        raise TrackerRequestError(
            f"{self.source.name}: project {ref.label} was found neither as an organisation's "
            "nor as a user's project: check 'owner' and 'number' in 'projects_v2' and that the "
            "token may read projects (scope read:project)",
            status=404,
        )

    async def _nodes(self, query: str, node_ids: Sequence[str]) -> list[dict[str, Any]]:
        if len(node_ids) > MAX_NODE_IDS:
            raise ValueError(f"at most {MAX_NODE_IDS} node ids per call, got {len(node_ids)}")
        data, errors = await self._graphql(query, {"ids": list(node_ids)})
        if errors:
            log.warning(
                "%s: GraphQL answered with partial data: %s",
                self.source.name,
                self.redactor.excerpt(_messages(errors)),
            )
        nodes = data.get("nodes")
        if not isinstance(nodes, list):
            raise TrackerDataError(f"{self.source.name}: GraphQL answered without a nodes list")
        return [node for node in nodes if isinstance(node, dict)]

    async def _graphql(
        self, query: str, variables: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Any]]:
        """A GraphQL answer's ``data`` and ``errors``; errors without data fail."""
        _, body = await self.http.request_json(
            "POST", self.graphql_url, json={"query": query, "variables": dict(variables)}
        )
        if not isinstance(body, dict):
            raise TrackerDataError(f"{self.source.name}: GraphQL answered without an object")
        errors = body.get("errors") or []
        data = body.get("data")
        if not isinstance(data, dict):
            said = self.redactor.excerpt(_messages(errors))
            raise TrackerDataError(f"{self.source.name}: GraphQL answered without data: {said}")
        return data, errors if isinstance(errors, list) else [errors]

    async def _get(
        self, repo: str, url: str, **kwargs: Any
    ) -> tuple[httpx.Response, list[msgspec.Raw]]:
        """A listing GET and its entries; 404 and 410 get messages naming the repository."""
        try:
            return await self.http.request_decoded("GET", url, _LISTING, **kwargs)
        except msgspec.ValidationError:
            raise TrackerDataError(
                f"{self.source.name}: listing the issues of {repo} did not return a list"
            ) from None
        except TrackerRequestError as exc:
            if exc.status == 404:
                raise TrackerRequestError(
                    f"{self.source.name}: repository '{repo}' is unknown or the token cannot "
                    "see it: check the name in 'repos' and the token's repository access",
                    status=404,
                ) from None
            if exc.status == 410:
                raise TrackerRequestError(
                    f"{self.source.name}: repository '{repo}' has issues disabled: "
                    "remove it from 'repos' or enable issues",
                    status=410,
                ) from None
            raise

    async def webhooks(self, scope: str) -> list[dict[str, Any]]:
        """Every hook of ``scope`` (``repos/OWNER/NAME`` or ``orgs/ORG``), following ``Link``
        pages; the token needs admin rights on it (a 404 otherwise)."""

        async def read(next_url: str | None) -> tuple[list[Any], str | None]:
            url = next_url or f"/{scope}/hooks"
            params = None if next_url else {"per_page": MAX_PER_PAGE}
            response, body = await self.http.request_json("GET", url, params=params)
            if not isinstance(body, list):
                raise TrackerDataError(f"{self.source.name}: GET /{scope}/hooks is not a list")
            return body, response.links.get("next", {}).get("url")

        pages = follow_pages(
            read, f"{self.source.name}: GitHub returned the same next page of {scope}'s hooks"
        )
        return [hook async for page in pages for hook in page if isinstance(hook, dict)]

    async def create_webhook(
        self, scope: str, *, url: str, secret: str, events: Sequence[str]
    ) -> dict[str, Any]:
        """``POST /{scope}/hooks``: a JSON hook to ``url`` signed with ``secret``."""
        hook = {
            "name": "web",
            "active": True,
            "events": list(events),
            "config": {"url": url, "content_type": "json", "secret": secret, "insecure_ssl": "0"},
        }
        _, body = await self.http.request_json("POST", f"/{scope}/hooks", json=hook)
        if not isinstance(body, dict):
            raise TrackerDataError(f"{self.source.name}: POST /{scope}/hooks is not an object")
        return body


_LISTING = msgspec.json.Decoder(list[msgspec.Raw])


def _owner_not_found(error: Any) -> bool:
    """GitHub's NOT_FOUND for an owner asked for as the kind it is not (or its project)."""
    if not isinstance(error, dict) or error.get("type") != "NOT_FOUND":
        return False
    path = error.get("path")
    return isinstance(path, list) and bool(path) and path[0] in ("organization", "user")


def _messages(errors: Any) -> str:
    if not isinstance(errors, list):
        return repr(errors)
    texts = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
    return "; ".join(texts[:3]) + (f" (+{len(texts) - 3} more)" if len(texts) > 3 else "")
