"""The hub's configuration: a TOML file declaring sources, read and checked in one place.

    database_url = "sqlite+aiosqlite:///hub.db"   # or HUB_DATABASE_URL

    [[sources]]
    name = "jira-acme"
    kind = "jira"
    base_url = "https://acme.atlassian.net"
    projects = ["PAY", "PLAT"]                    # or jql = "project = PAY"
    email_env = "JIRA_EMAIL"                      # the variable's name, never the secret
    token_env = "JIRA_TOKEN"
    every = "15m"

    [api]                                         # optional; these are the defaults
    production = false                            # or `hub serve --production`
    max_body_bytes = 262144

Errors name the file, the source and the key, on one line. Secrets are read from the
environment only when a source is synced (``SourceConfig.with_secrets``), into ``SecretStr``
so that they never print: a command that syncs nothing needs no tracker token.

Every key, its type, default and meaning: docs/configuration.md, generated from these models
by ``hub config docs``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hub.contract.errors import ConfigError
from hub.contract.records import EARLIEST_DAY, LATEST_DAY, StatusCategory

DEFAULT_CONFIG_PATH = "hub.toml"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///hub.db"
HUB_SOURCE = "hub"
"""The source name of hub-native items such as initiatives declared in the config."""

DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
"""The database drivers the hub runs on: SQLite embedded, PostgreSQL for a shared hub."""

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DURATION = timedelta(days=366)
"""Longer periods are typing mistakes, and far beyond them a timedelta cannot hold them."""
MIN_EVERY = timedelta(minutes=1)
"""Scheduled syncs closer together than this would spend a tracker's rate budget on polling."""


def parse_duration(value: Any) -> timedelta:
    """Read ``"90s"``, ``"15m"``, ``"6h"`` or ``"1d"`` as a timedelta of at most a year."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a positive duration like '15m', '6h' or '1d', got {value!r}")
    # Compared as an int before a timedelta is made: a timedelta overflows past 999999999 days.
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{value!r} is longer than the longest period allowed, 366d")
    return timedelta(seconds=seconds)


def _at_least_a_minute(every: timedelta) -> timedelta:
    if every < MIN_EVERY:
        raise ValueError("must be at least 1m: syncs more often would only spend rate limits")
    return every


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
SyncPeriod = Annotated[Duration, AfterValidator(_at_least_a_minute)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


def check_base_url(url: str) -> str:
    """An ``http(s)`` address with a host, no credentials and no blanks or control characters.

    Credentials in the URL would override the configured secret and be stored with every
    item's URL, so they are refused without being echoed.
    """
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ValueError("must not contain spaces or control characters")
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest:
        raise ValueError("must be an http:// or https:// address")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        raise ValueError("base_url must not contain a user name or password")
    if not authority or authority.startswith(":"):
        raise ValueError("must name a host, as in https://acme.atlassian.net")
    return url


def check_database_url(url: str) -> str:
    """One of the drivers the hub runs on; the URL (which may hold a password) is not echoed."""
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        named = f"scheme {scheme!r}" if scheme else "a URL without a scheme"
        raise ValueError(
            f"{named} is not supported: use sqlite+aiosqlite:///FILE or "
            "postgresql+asyncpg://USER@HOST/DATABASE"
        )
    return url


class ProjectRef(BaseModel):
    """A GitHub Project (v2) a source reads plans from (a `projects_v2` entry): the dates,
    iteration and status its items carry, and the health its status updates declare."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    owner: str = Field(
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$", max_length=39, examples=["acme"]
    )
    """The organisation or user owning the project, as in `github.com/orgs/<owner>/projects/7`."""
    number: int = Field(ge=1, examples=[7])
    """The project's number, as in its URL."""
    start_field: str = Field(default="Start date", min_length=1, examples=["Start date"])
    """The project's date field holding an item's start."""
    target_field: str = Field(default="Target date", min_length=1, examples=["Target date"])
    """The project's date field holding an item's target date."""
    iteration_field: str = Field(default="Iteration", min_length=1, examples=["Sprint"])
    """The project's iteration field: an item without a start or target date there is dated
    by its iteration (first day to last day)."""
    status_field: str = Field(default="Status", min_length=1, examples=["Status"])
    """The project's single-select field whose option becomes an open issue's status name."""

    @property
    def label(self) -> str:
        """``owner/number``, as the project's stream and messages name it."""
        return f"{self.owner}/{self.number}"


class SourceConfig(BaseModel):
    """One tracker connection (a `[[sources]]` entry); its secrets stay in the environment
    until a sync needs them."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64, examples=["jira-acme"])
    """The source's name in the hub: lower case letters, digits, `-` and `_`."""
    kind: Literal["jira", "github", "linear"] = Field(examples=["jira"])
    """The tracker: `jira` (Cloud), `github` (github.com or Enterprise Server) or `linear`."""
    base_url: Annotated[str, AfterValidator(check_base_url)] = Field(
        examples=["https://acme.atlassian.net"]
    )
    """The tracker's API address, `http(s)` only, without a user name or password.
    GitHub: `https://api.github.com` or `https://HOST/api/v3`; Linear: `https://api.linear.app`."""
    projects: tuple[str, ...] = Field(default=(), examples=[["PAY", "PLAT"]])
    """Jira: the project keys to sync (or `jql`, not both)."""
    jql: str | None = Field(default=None, examples=["project = PAY AND component = Billing"])
    """Jira: a JQL query choosing the issues to sync, instead of `projects`."""
    repos: tuple[str, ...] = Field(default=(), examples=[["acme/payments-api"]])
    """GitHub: the `owner/name` repositories to sync."""
    teams: tuple[str, ...] = Field(default=(), examples=[["ENG", "INFRA"]])
    """Linear: the team keys to sync."""
    token_env: EnvName = Field(examples=["JIRA_TOKEN"])
    """The name of the environment variable holding the API token, never the token."""
    email_env: EnvName | None = Field(default=None, examples=["JIRA_EMAIL"])
    """Jira sites: the variable holding the account's email, for basic auth; leave it out
    for an OAuth token on `api.atlassian.com`."""
    every: SyncPeriod = Field(default=timedelta(minutes=15), examples=["15m"])
    """How often `hub serve` syncs the source: `s`, `m`, `h` or `d`, from 1m to 366d."""
    reconcile_every: Duration = Field(default=timedelta(days=1), examples=["12h"])
    """How often deletions are reconciled: by an id census (Jira) or a full sync."""
    request_deadline: Duration = Field(default=timedelta(seconds=60), examples=["60s"])
    """Longest one request may take, answer included; a tracker slower than this fails the sync."""
    page_size: int | None = Field(default=None, ge=1, le=250, examples=[100])
    """Items per request; unset means the largest page the tracker serves well."""
    epic_label: str = Field(default="epic", examples=["epic"])
    """GitHub: an issue with this label is an epic even before it has sub-issues."""
    statuses: dict[str, StatusCategory] = Field(default={}, examples=[{"Blocked": "IN_PROGRESS"}])
    """Tracker status names mapped to a category, overriding the tracker's own category."""
    start_date_field: str = Field(default="Start date", examples=["Start date"])
    """Jira: the name of the custom field holding an item's start date."""
    dates: tuple[Literal["plans", "fields", "sprint", "release"], ...] = Field(
        default=("plans", "fields", "sprint"), min_length=1, examples=[["sprint", "release"]]
    )
    """Jira: where an item's start and target dates come from, first that has one wins (each
    date on its own): ``plans`` the Plans fields Target start and Target end, ``fields`` the
    ``start_date_field`` and Due date, ``sprint`` the issue's open sprint (else its last
    closed one) start and end, ``release`` the earliest unreleased fix version's release date
    (a target only)."""
    projects_v2: tuple[ProjectRef, ...] = Field(
        default=(), examples=[[{"owner": "acme", "number": 7}]]
    )
    """GitHub: Projects (v2) whose date, iteration and status fields plan the issues of
    `repos` they hold, and whose latest status update is the declared health of their epics.
    When several hold an issue, the first listed with a value wins, each value on its own;
    an issue's milestone due date is the target date when no project gives one."""

    webhook_secret_env: EnvName | None = Field(default=None, examples=["JIRA_WEBHOOK_SECRET"])
    """The environment variable holding the secret the tracker signs its webhooks with; set,
    the hub answers `POST /webhooks/<name>` for this source, unset it refuses them."""

    token: SecretStr = Field(default=SecretStr(""), exclude=True)
    """The token itself; set by ``with_secrets`` (or by a test or the demo), never by the file."""
    email: SecretStr | None = Field(default=None, exclude=True)
    """The email itself, for Jira's basic auth; set as ``token`` is."""

    _environment: Mapping[str, str] | None = PrivateAttr(default=None)
    _origin: str = PrivateAttr(default="config")

    @model_validator(mode="before")
    @classmethod
    def _no_secrets_in_the_file(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("token", "email"):
                if key in data:
                    raise ValueError(
                        f"key '{key}' is not a known key: put the secret in an environment "
                        f"variable and name it with '{key}_env'"
                    )
        return data

    @model_validator(mode="after")
    def _scope_fits_kind(self) -> SourceConfig:
        scope_keys = {"jira": ("projects", "jql"), "github": ("repos",), "linear": ("teams",)}
        allowed = scope_keys[self.kind]
        for key in ("projects", "jql", "repos", "teams"):
            if getattr(self, key) and key not in allowed:
                raise ValueError(f"key '{key}' does not apply to a {self.kind} source")
        if not any(getattr(self, key) for key in allowed):
            wanted = " or ".join(f"'{k}'" for k in allowed)
            raise ValueError(f"a {self.kind} source needs {wanted}")
        if self.projects_v2 and self.kind != "github":
            raise ValueError(f"key 'projects_v2' does not apply to a {self.kind} source")
        refs = [ref.label.lower() for ref in self.projects_v2]
        if len(set(refs)) != len(refs):
            raise ValueError("key 'projects_v2': a project is listed twice")
        if self.projects and self.jql:
            raise ValueError(
                "keys 'projects' and 'jql' exclude each other: put the projects in the JQL "
                "(project in (PAY, PLAT) AND …) or drop 'jql'"
            )
        return self

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def has_secrets(self) -> bool:
        return bool(self.token.get_secret_value())

    def read_secrets_from(self, env: Mapping[str, str], origin: str) -> SourceConfig:
        """This source, reading its secrets from ``env`` when ``with_secrets`` is called."""
        copy = self.model_copy()
        copy._environment, copy._origin = env, origin
        return copy

    def webhook_secret(self) -> SecretStr:
        """The webhook secret, read from the environment when a delivery arrives.

        Raises ConfigError naming the variable (never a value) when it is not named or set.
        """
        variable = self.webhook_secret_env
        env = os.environ if self._environment is None else self._environment
        value = env.get(variable) if variable else None
        if not value:
            why = f"environment variable {variable} is not set" if variable else "is not set"
            raise ConfigError(
                f"{self._origin}: source '{self.name}': key 'webhook_secret_env': {why}"
            )
        return SecretStr(value)

    def with_secrets(self) -> SourceConfig:
        """This source with its token (and email) read from the environment, as a sync needs
        it; a source whose secrets are set already is returned as it is.

        Raises ConfigError naming the variable (never a value) when one is not set.
        """
        if self.has_secrets:
            return self
        env = os.environ if self._environment is None else self._environment
        secrets: dict[str, SecretStr] = {}
        for key, target in (("token_env", "token"), ("email_env", "email")):
            variable = getattr(self, key)
            if variable is None:
                continue
            value = env.get(variable)
            if not value:
                raise ConfigError(
                    f"{self._origin}: source '{self.name}': key '{key}': "
                    f"environment variable {variable} is not set"
                )
            secrets[target] = SecretStr(value)
        return self.model_copy(update=secrets)


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=100)]

CATALOG_NAME_KEYS = {"jira_components": "jira", "github_repos": "github", "linear_teams": "linear"}
"""Catalog keys listing a tracker's own groupings (compared as ``fold_name`` folds them), and
the kind of tracker each is for."""
CATALOG_LABEL_KEYS = {"github_labels": "github", "linear_labels": "linear"}
"""Catalog keys listing labels, compared exactly, and the kind of tracker each is for."""


def fold_name(kind: str, name: str) -> str:
    """A grouping's name as its tracker compares names: GitHub repositories ignore case,
    Linear team keys are upper case, Jira component names are exact."""
    if kind == "github":
        return name.lower()
    return name.upper() if kind == "linear" else name


class ComponentConfig(BaseModel):
    """One entry of the component catalog (a `[[components]]` entry) and the tracker names
    that mean it. Each tracker name maps to one component only."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str = Field(min_length=1, max_length=200, examples=["payments-api"])
    """The component's one name in the hub."""
    owner: str | None = Field(default=None, examples=["team-payments"])
    """Who owns it, as people should read it."""
    description: str | None = Field(default=None, examples=["Card and wallet payments"])
    """What it is, in a sentence."""
    jira_components: tuple[str, ...] = Field(default=(), examples=[["Payments API"]])
    """Jira component names meaning this component, compared exactly."""
    github_repos: tuple[str, ...] = Field(default=(), examples=[["acme/payments-api"]])
    """GitHub repositories (synced by a github source) whose issues belong here; case is
    ignored."""
    github_labels: tuple[str, ...] = Field(default=(), examples=[["component:payments"]])
    """GitHub labels meaning this component, compared exactly."""
    linear_teams: tuple[str, ...] = Field(default=(), examples=[["PAY"]])
    """Linear team keys (synced by a linear source) whose issues belong here."""
    linear_labels: tuple[str, ...] = Field(default=(), examples=[["payments"]])
    """Linear labels meaning this component, compared exactly."""


class InitiativeConfig(BaseModel):
    """A hub-native initiative (an `[[initiatives]]` entry); it adopts epics from any tool
    by label or by key."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    key: Slug = Field(examples=["payments-v2"])
    """The initiative's key: lower case letters, digits, `.`, `-` and `_`."""
    title: str = Field(min_length=1, examples=["Payments v2"])
    """Its title, as the roadmap shows it."""
    owner: str | None = Field(default=None, examples=["team-payments"])
    """Who owns it."""
    description: str | None = Field(default=None, examples=["One checkout for cards and wallets"])
    """What it is for."""
    status: StatusCategory = Field(default=StatusCategory.IN_PROGRESS, examples=["TODO"])
    """The initiative's own status, as the roadmap shows it."""
    start_date: date | None = Field(
        default=None, ge=EARLIEST_DAY, le=LATEST_DAY, examples=["2026-10-01"]
    )
    """When it starts (a TOML date, unquoted)."""
    target_date: date | None = Field(
        default=None, ge=EARLIEST_DAY, le=LATEST_DAY, examples=["2027-03-31"]
    )
    """When it is due (a TOML date, unquoted)."""
    labels: tuple[str, ...] = Field(default=(), examples=[["payments-v2"]])
    """Epics carrying any of these labels belong here; `initiative:<key>` always counts."""
    epics: tuple[str, ...] = Field(default=(), examples=[["PAY-12", "acme/payments-api#34"]])
    """Tracker keys of epics that belong here whatever their labels (`project:<slug>` for a
    Linear project)."""
    parent: str | None = Field(default=None, min_length=1, examples=["platform-2027", "PLAN-3"])
    """The initiative this one is part of: the key of another `[[initiatives]]` entry, or the
    key or hub id of an initiative synced from a tracker (a Jira initiative or theme, a Linear
    initiative `initiative:<slug>`), which it joins as soon as that one is synced."""

    @field_validator("parent")
    @classmethod
    def _not_own_parent(cls, parent: str | None, info: ValidationInfo) -> str | None:
        if parent is not None and parent == info.data.get("key"):
            raise ValueError("names the initiative itself; a parent is another initiative")
        return parent

    @property
    def adopting_labels(self) -> tuple[str, ...]:
        return (f"initiative:{self.key}", *self.labels)


def check_initiative_parents(initiatives: Sequence[InitiativeConfig]) -> None:
    """Refuse parents among the config's initiatives that lead back to where they started;
    a parent outside the config (a tracker's initiative) ends the walk."""
    parent_of = {i.key: i.parent for i in initiatives}
    for initiative in initiatives:
        path = [initiative.key]
        parent = initiative.parent
        while parent in parent_of:
            if parent in path:
                loop = " > ".join([*path[path.index(parent) :], parent])
                raise ValueError(f"initiative parents form a cycle: {loop}")
            path.append(parent)
            parent = parent_of[parent]


class ApiConfig(BaseModel):
    """Limits and switches of the GraphQL API (the `[api]` table).

    Production mode turns introspection and GraphiQL off; asking for either in production is
    an error rather than silently ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    production: bool = Field(default=False, examples=[True])
    """Turns introspection and GraphiQL off (as `hub serve --production` does)."""
    introspection: bool | None = Field(default=None, examples=[False])
    """Whether the schema may be introspected; unset means on, except in production."""
    graphiql: bool = Field(default=False, examples=[True])
    """Serve the GraphiQL IDE at /graphql (as `hub serve --graphiql` does); not in production."""
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=16 * 1024 * 1024, examples=[65536])
    """The largest request body accepted, in bytes (1 KiB to 16 MiB)."""
    max_webhook_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, le=32 * 1024 * 1024, examples=[1048576]
    )
    """The largest webhook delivery accepted, in bytes (1 KiB to 32 MiB): GitHub caps its
    payloads at 25 MB, and a Jira issue event carries the whole issue and its changelog."""
    max_depth: int = Field(default=10, ge=1, le=100, examples=[8])
    """How deep a query may nest fields (1-100)."""
    max_aliases: int = Field(default=30, ge=0, le=1000, examples=[10])
    """How many aliases a query may use (0-1000)."""
    max_tokens: int = Field(default=1000, ge=100, le=100_000, examples=[2000])
    """How many lexical tokens a document may hold (100-100,000)."""
    max_complexity: int = Field(default=50_000, ge=100, examples=[20000])
    """Estimated fields resolved; a list field counts its children `first` times."""
    # Abuse limits (docs/deployment.md): document size, request rate, slow connections.
    max_fields: int = Field(default=500, ge=10, le=10_000, examples=[300])
    """Field selections of a document with its fragments expanded, counted before validation."""
    rate_limit_per_minute: int = Field(default=600, ge=0, examples=[1200])
    """Requests per API token (per client address without one) a minute; 0 turns the limit off.
    Kept in memory: each replica limits on its own."""
    rate_limit_burst: int = Field(default=60, ge=1, examples=[100])
    """Requests a token may send at once before the per-minute rate applies."""
    header_timeout: float = Field(default=10, gt=0, le=300, examples=[5])
    """Seconds a connection may take to send a request's headers before it gets 408."""
    body_timeout: float = Field(default=30, gt=0, le=600, examples=[15])
    """Seconds a request may take to send its body before it gets 408."""
    keep_alive_timeout: int = Field(default=5, ge=1, le=300, examples=[10])
    """Seconds an idle kept-alive connection stays open."""
    max_connections: int = Field(default=200, ge=1, le=100_000, examples=[500])
    """Connections the server holds at once; one more gets 503 and is closed."""

    @model_validator(mode="after")
    def _closed_in_production(self) -> ApiConfig:
        if self.production:
            for key in ("introspection", "graphiql"):
                if getattr(self, key):
                    raise ValueError(
                        f"{key} is off in production mode: drop `{key} = true` or "
                        "`production = true`"
                    )
        return self

    @property
    def introspection_enabled(self) -> bool:
        return not self.production if self.introspection is None else self.introspection


class HubConfig(BaseModel):
    """The whole file: the database, the API's limits, the sources, the component catalog and
    the hub's own initiatives."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    database_url: Annotated[str, AfterValidator(check_database_url)] = Field(
        default=DEFAULT_DATABASE_URL, examples=["postgresql+asyncpg://hub@db.internal/hub"]
    )
    """Where the hub keeps its data: `sqlite+aiosqlite:///FILE` or
    `postgresql+asyncpg://USER[:PASSWORD]@HOST[:PORT]/DATABASE`. `HUB_DATABASE_URL` wins."""
    api: ApiConfig = ApiConfig()
    """The `[api]` table: limits and switches of the GraphQL API."""
    sources: tuple[SourceConfig, ...] = ()
    """The `[[sources]]` entries: the trackers to sync."""
    components: tuple[ComponentConfig, ...] = ()
    """The `[[components]]` entries: the component catalog."""
    initiatives: tuple[InitiativeConfig, ...] = ()
    """The `[[initiatives]]` entries: hub-native initiatives."""

    @model_validator(mode="after")
    def _unique_names(self) -> HubConfig:
        for kind, names in (
            ("source", [s.name for s in self.sources]),
            ("component", [c.name for c in self.components]),
            ("initiative", [i.key for i in self.initiatives]),
        ):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"{kind} name '{name}' is used twice")
                seen.add(name)
        if any(s.name == HUB_SOURCE for s in self.sources):
            raise ValueError(f"source name '{HUB_SOURCE}' is reserved for hub-native items")
        check_initiative_parents(self.initiatives)
        return self

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named '{name}' (configured: {known})")


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> HubConfig:
    """Read the config file (``--config``, ``HUB_CONFIG`` or ``hub.toml``) and the secrets it names.

    A missing default file means "nothing configured"; a missing named file is an error.
    """
    env = os.environ if env is None else env
    explicit = path or env.get("HUB_CONFIG")
    file = Path(explicit or DEFAULT_CONFIG_PATH)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    elif explicit:
        raise ConfigError(f"{file}: config file not found")
    if env.get("HUB_DATABASE_URL"):
        try:
            data["database_url"] = check_database_url(env["HUB_DATABASE_URL"])
        except ValueError as exc:
            raise ConfigError(f"HUB_DATABASE_URL: {exc}") from None
    return parse_config(data, env, origin=str(file))


def parse_config(data: dict[str, Any], env: Mapping[str, str], *, origin: str) -> HubConfig:
    try:
        config = HubConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data, origin)) from None
    _check_catalog(config, origin)
    for source in config.sources:
        _check_auth(source, origin)
    return config.model_copy(
        update={"sources": tuple(s.read_secrets_from(env, origin) for s in config.sources)}
    )


def _check_catalog(config: HubConfig, origin: str) -> None:
    """Catalog entries must name repos and teams that some source syncs, each only once."""
    scopes = {
        "github_repos": {
            fold_name("github", r) for s in config.sources if s.kind == "github" for r in s.repos
        },
        "linear_teams": {
            fold_name("linear", t) for s in config.sources if s.kind == "linear" for t in s.teams
        },
    }
    claimed: dict[tuple[str, str], str] = {}
    for component in config.components:
        where = f"{origin}: component '{component.name}'"
        for key in (
            "jira_components",
            "github_repos",
            "github_labels",
            "linear_teams",
            "linear_labels",
        ):
            kind = CATALOG_NAME_KEYS.get(key)
            for name in getattr(component, key):
                folded = name if kind is None else fold_name(kind, name)
                known = scopes.get(key)
                if known is not None and folded not in known:
                    raise ConfigError(
                        f"{where}: key '{key}': '{name}' is not synced by any "
                        f"{key.split('_')[0]} source"
                    )
                owner = claimed.setdefault((key, folded), component.name)
                if owner != component.name:
                    raise ConfigError(
                        f"{where}: key '{key}': '{name}' already maps to component '{owner}'"
                    )


def _check_auth(source: SourceConfig, origin: str) -> None:
    if (
        source.kind == "jira"
        and source.email_env is None
        and "api.atlassian.com" not in source.base
    ):
        raise ConfigError(
            f"{origin}: source '{source.name}': key 'email_env': "
            "Jira sites take basic auth with an email and an API token"
        )


def _describe(exc: ValidationError, data: dict[str, Any], origin: str) -> str:
    """The first validation error as one line: file, source, key, what is wrong."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    where = origin
    tables = {
        "sources": ("source", "name"),
        "components": ("component", "name"),
        "initiatives": ("initiative", "key"),
    }
    if loc[:1] and loc[0] in tables and len(loc) > 1 and isinstance(loc[1], int):
        label, name_key = tables[str(loc[0])]
        entries = data.get(str(loc[0])) or []
        entry = entries[loc[1]] if loc[1] < len(entries) else None
        name = entry.get(name_key) if isinstance(entry, dict) else None
        where += f": {label} '{name}'" if name else f": {label} #{loc[1] + 1}"
        loc = loc[2:]
    key = ".".join(str(part) for part in loc if not isinstance(part, int))
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "is required"
    elif error["type"] == "extra_forbidden":
        message = "is not a known key"
    elif error["type"] == "literal_error":
        message = f"must be one of jira, github, linear (got {error['input']!r})"
    return f"{where}: key '{key}': {message}" if key else f"{where}: {message}"
