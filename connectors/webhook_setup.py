"""Registering the hub's webhook in a source's tracker (``hub webhooks setup``), where the
token may; where it may not, the exact steps to do it by hand.

Each place a hook belongs — a GitHub repository or organisation, a Linear team, a Jira site —
is listed first and a hook already posting to the hub's URL is left alone, so running the
command again creates nothing twice. A refusal of the token (401, 403, 404) is no failure:
that place gets the manual steps instead. The webhook secret is sent to the tracker and never
shown: the steps name its environment variable, and any error text is redacted of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from connectors.github.client import GitHubClient
from connectors.http.redaction import Redactor
from connectors.jira.client import JiraClient
from connectors.linear.client import LinearClient
from hub.contract.config import SourceConfig
from hub.contract.errors import ConfigError, HubError, TrackerAuthError, TrackerError

GITHUB_REPO_EVENTS = ("issues", "sub_issues", "issue_dependencies")
GITHUB_ORG_EVENTS = ("projects_v2_item",)
"""GitHub sends Projects (v2) item events to organisation hooks only."""
LINEAR_RESOURCE_TYPES = ("Issue", "Project", "Initiative", "IssueRelation", "ProjectUpdate")
JIRA_EVENTS = (
    "jira:issue_created",
    "jira:issue_updated",
    "jira:issue_deleted",
    "issuelink_created",
    "issuelink_deleted",
)
REFUSED = frozenset({401, 403, 404})
"""What a tracker answers a token that may not manage its webhooks."""


class Outcome(Enum):
    CREATED = "created"
    EXISTS = "exists"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class HookSetup:
    """What became of the hook of one place: created, there already, or left to a person."""

    place: str
    """Where the hook belongs: ``repository acme/api``, ``team ENG``, ``site``..."""
    outcome: Outcome
    detail: str = ""
    steps: tuple[str, ...] = ()
    """For ``MANUAL``: what to do in the tracker, in order."""


def hook_url(public_url: str, source: str) -> str:
    """The hub's webhook address for ``source`` under its public address."""
    url = public_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HubError(f"--url {url!r} is not an http(s) address such as https://hub.example.com")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise HubError("--url must hold no user name, password, query or fragment")
    suffix = f"/webhooks/{source}"
    return url if url.endswith(suffix) else url + suffix


async def set_up_webhooks(source: SourceConfig, public_url: str, **http: Any) -> list[HookSetup]:
    """Register ``PUBLIC_URL/webhooks/<source>`` in the source's tracker, signed with the
    secret ``webhook_secret_env`` names. Errors other than a refusal raise, redacted.
    ``http`` goes to the tracker's client (``transport``, ``policy``, ``sleep``)."""
    if source.webhook_secret_env is None:
        raise ConfigError(
            f"source '{source.name}' has no 'webhook_secret_env': name the environment variable "
            "holding the webhook secret in its config, and set it, before setting up webhooks"
        )
    secret = source.webhook_secret().get_secret_value()
    setup = _Setup(source.with_secrets(), hook_url(public_url, source.name), secret)
    try:
        return await SETUPS[source.kind](setup, http)
    except TrackerError as exc:
        raise type(exc)(Redactor([secret])(str(exc)), status=exc.status) from None


@dataclass(frozen=True, slots=True)
class _Setup:
    source: SourceConfig
    url: str
    secret: str

    @property
    def variable(self) -> str:
        return self.source.webhook_secret_env or "?"

    @property
    def label(self) -> str:
        return f"Tracker Hub ({self.source.name})"


async def _one(
    place: str,
    steps: Sequence[str],
    existing: Callable[[], Awaitable[list[dict[str, Any]]]],
    matches: Callable[[dict[str, Any]], bool],
    create: Callable[[], Awaitable[dict[str, Any]]],
) -> HookSetup:
    """The hook of one place: left alone where one posts to the hub, else created; a
    refused token gets ``steps``."""
    try:
        if any(matches(hook) for hook in await existing()):
            return HookSetup(place, Outcome.EXISTS, "a webhook to the hub is there already")
        created = await create()
    except TrackerError as exc:
        if isinstance(exc, TrackerAuthError) or exc.status in REFUSED:
            why = f"answered {exc.status}" if exc.status else "refused the token"
            return HookSetup(place, Outcome.MANUAL, why, tuple(steps))
        if exc.status == 422 and "already exists" in str(exc):
            return HookSetup(place, Outcome.EXISTS, "the tracker says the hook exists already")
        raise
    hook_id = created.get("id") or created.get("self") or "?"
    return HookSetup(place, Outcome.CREATED, f"id {hook_id}")


async def _github(setup: _Setup, http: dict[str, Any]) -> list[HookSetup]:
    client = GitHubClient(setup.source, **http)
    web = _github_web(setup.source.base)
    scopes: list[tuple[str, str, tuple[str, ...], str]] = [
        (f"repository {repo}", f"repos/{repo}", GITHUB_REPO_EVENTS, f"{web}/{repo}")
        for repo in setup.source.repos
    ]
    for org in dict.fromkeys(ref.owner for ref in setup.source.projects_v2):
        scopes.append(
            (f"organisation {org}", f"orgs/{org}", GITHUB_ORG_EVENTS, f"{web}/organizations/{org}")
        )
    results = []
    try:
        for place, scope, events, page in scopes:
            steps = _github_steps(setup, page, events, organisation=scope.startswith("orgs/"))
            results.append(
                await _one(
                    place,
                    steps,
                    partial(client.webhooks, scope),
                    partial(_github_posts_to, setup.url),
                    partial(
                        client.create_webhook,
                        scope,
                        url=setup.url,
                        secret=setup.secret,
                        events=events,
                    ),
                )
            )
    finally:
        await client.aclose()
    return results


def _github_posts_to(url: str, hook: dict[str, Any]) -> bool:
    return bool((hook.get("config") or {}).get("url") == url)


def _github_web(base: str) -> str:
    """The web address of an API base: github.com, or an Enterprise Server's host."""
    return base.removesuffix("/api/v3") if base.endswith("/api/v3") else "https://github.com"


GITHUB_EVENT_NAMES = {
    "issues": "Issues",
    "sub_issues": "Sub issues",
    "issue_dependencies": "Issue dependencies",
    "projects_v2_item": "Projects v2 items",
}


def _github_steps(
    setup: _Setup, page: str, events: Sequence[str], *, organisation: bool
) -> list[str]:
    ticked = ", ".join(GITHUB_EVENT_NAMES[event] for event in events)
    steps = [
        f"Open {page}/settings/hooks/new (an admin of it must)",
        f"Payload URL: {setup.url}",
        "Content type: application/json",
        f"Secret: the value of the hub's environment variable {setup.variable}",
        "SSL verification: Enable",
        f"Which events: 'Let me select individual events', tick {ticked} and nothing else",
        "Active: ticked; then 'Add webhook'",
    ]
    if organisation:
        steps.append(
            "A user's (not an organisation's) projects send no webhooks: the "
            "scheduled sync keeps them fresh"
        )
    return steps


async def _linear(setup: _Setup, http: dict[str, Any]) -> list[HookSetup]:
    client = LinearClient(setup.source, **http)
    listed: list[dict[str, Any]] | None = None

    async def existing() -> list[dict[str, Any]]:
        nonlocal listed  # one listing for every team: it holds the whole workspace's hooks
        if listed is None:
            listed = await client.webhooks()
        return listed

    results = []
    try:
        for team in setup.source.teams:
            results.append(
                await _one(
                    f"team {team}",
                    _linear_steps(setup, team),
                    existing,
                    partial(_linear_covers, setup.url, team),
                    partial(
                        client.create_webhook,
                        url=setup.url,
                        secret=setup.secret,
                        team=team,
                        resource_types=LINEAR_RESOURCE_TYPES,
                        label=setup.label,
                    ),
                )
            )
    finally:
        await client.aclose()
    return results


def _linear_covers(url: str, team: str, hook: dict[str, Any]) -> bool:
    if hook.get("url") != url:
        return False
    key = (hook.get("team") or {}).get("key")
    return hook.get("allPublicTeams") is True or str(key).upper() == team.upper()


def _linear_steps(setup: _Setup, team: str) -> list[str]:
    return [
        "Open https://linear.app/settings/api (workspace admins only) and choose 'New webhook'",
        f"Label: {setup.label}; URL: {setup.url}",
        f"Team: {team}",
        "Data change events: tick Issues, Projects, Initiatives, Issue relations (where "
        "offered) and Project updates",
        f"Create it, then set the hub's environment variable {setup.variable} to the signing "
        "secret Linear shows for it, and restart the hub",
    ]


async def _jira(setup: _Setup, http: dict[str, Any]) -> list[HookSetup]:
    client = JiraClient(setup.source, **http)
    jql = _jira_jql(setup.source)
    try:
        result = await _one(
            "site",
            _jira_steps(setup, jql),
            client.webhooks,
            lambda hook: hook.get("url") == setup.url,
            lambda: client.create_webhook(
                name=setup.label, url=setup.url, events=JIRA_EVENTS, jql=jql, secret=setup.secret
            ),
        )
    finally:
        await client.aclose()
    return [result]


def _jira_jql(source: SourceConfig) -> str:
    """The issues the source syncs: its JQL, or its projects."""
    if source.jql:
        return source.jql
    return "project in ({})".format(", ".join(f'"{key}"' for key in source.projects))


def _jira_steps(setup: _Setup, jql: str) -> list[str]:
    base = setup.source.base
    page = (
        "your site's Settings > System > WebHooks"
        if "api.atlassian.com" in base
        else f"{base}/plugins/servlet/webhooks"
    )
    return [
        f"Open {page} (Jira administrators only) and choose 'Create a WebHook'",
        f"Name: {setup.label}; URL: {setup.url}",
        f"Secret: the value of the hub's environment variable {setup.variable}",
        f"Issue related events, JQL: {jql}",
        "Events: tick Issue created, updated and deleted, and Issue link created and deleted",
        "Leave 'Exclude body' unticked; then 'Create'",
    ]


SETUPS: dict[str, Callable[[_Setup, dict[str, Any]], Awaitable[list[HookSetup]]]] = {
    "github": _github,
    "linear": _linear,
    "jira": _jira,
}
