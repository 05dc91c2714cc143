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
environment into ``SecretStr`` so that they never print.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

from hub.contract.errors import ConfigError
from hub.contract.records import StatusCategory

DEFAULT_CONFIG_PATH = "hub.toml"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///hub.db"
HUB_SOURCE = "hub"
"""The source name of hub-native items such as initiatives declared in the config."""

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(value: Any) -> timedelta:
    """Read ``"90s"``, ``"15m"``, ``"6h"`` or ``"1d"`` as a timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a positive duration like '15m', '6h' or '1d', got {value!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class SourceConfig(BaseModel):
    """One tracker connection as written in the file, plus its secrets read from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    kind: Literal["jira", "github", "linear"]
    base_url: str = Field(pattern=r"^https?://\S+$")
    projects: tuple[str, ...] = ()
    jql: str | None = None
    repos: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    token_env: EnvName
    email_env: EnvName | None = None
    every: Duration = timedelta(minutes=15)
    reconcile_every: Duration = timedelta(days=1)
    """How often deletions are reconciled: by an id census (Jira) or a full sync."""
    page_size: int | None = Field(default=None, ge=1, le=250)
    """Items per request; unset means the largest page the tracker serves well."""
    epic_label: str = "epic"
    """GitHub: an issue with this label is an epic even before it has sub-issues."""
    statuses: dict[str, StatusCategory] = {}
    """Tracker status names mapped to a category, overriding the tracker's own category."""
    start_date_field: str = "Start date"
    """Jira: the name of the custom field holding an item's start date."""

    token: SecretStr = Field(default=SecretStr(""), exclude=True)
    email: SecretStr | None = Field(default=None, exclude=True)

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
        return self

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")


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
    """One entry of the component catalog and the tracker names that mean it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    owner: str | None = None
    description: str | None = None
    jira_components: tuple[str, ...] = ()
    github_repos: tuple[str, ...] = ()
    github_labels: tuple[str, ...] = ()
    linear_teams: tuple[str, ...] = ()
    linear_labels: tuple[str, ...] = ()


class InitiativeConfig(BaseModel):
    """A hub-native initiative; it adopts epics from any tool by label or by key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Slug
    title: str = Field(min_length=1)
    owner: str | None = None
    description: str | None = None
    status: StatusCategory = StatusCategory.IN_PROGRESS
    start_date: date | None = None
    target_date: date | None = None
    labels: tuple[str, ...] = ()
    """Epics carrying any of these labels belong here; ``initiative:<key>`` always counts."""
    epics: tuple[str, ...] = ()
    """Tracker keys of epics that belong here whatever their labels."""

    @property
    def adopting_labels(self) -> tuple[str, ...]:
        return (f"initiative:{self.key}", *self.labels)


class ApiConfig(BaseModel):
    """Limits and switches of the GraphQL API (the ``[api]`` table).

    Production mode turns introspection and GraphiQL off; asking for either in production is
    an error rather than silently ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    production: bool = False
    introspection: bool | None = None
    """Unset means on, except in production."""
    graphiql: bool = False
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=16 * 1024 * 1024)
    max_depth: int = Field(default=10, ge=1, le=100)
    max_aliases: int = Field(default=30, ge=0, le=1000)
    max_tokens: int = Field(default=1000, ge=100, le=100_000)
    max_complexity: int = Field(default=50_000, ge=100)
    """Estimated fields resolved; a list field counts its children ``first`` times."""
    # Abuse limits (docs/deployment.md): document size, request rate, slow connections.
    max_fields: int = Field(default=500, ge=10, le=10_000)
    """Field selections of a document with its fragments expanded, counted before validation."""
    rate_limit_per_minute: int = Field(default=600, ge=0)
    """Requests per API token (per client address without one); 0 turns the limit off."""
    rate_limit_burst: int = Field(default=60, ge=1)
    header_timeout: float = Field(default=10, gt=0, le=300)
    """Seconds a connection may take to send a request's headers."""
    body_timeout: float = Field(default=30, gt=0, le=600)
    """Seconds a request may take to send its body."""
    keep_alive_timeout: int = Field(default=5, ge=1, le=300)
    max_connections: int = Field(default=200, ge=1, le=100_000)

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
    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    api: ApiConfig = ApiConfig()
    sources: tuple[SourceConfig, ...] = ()
    components: tuple[ComponentConfig, ...] = ()
    initiatives: tuple[InitiativeConfig, ...] = ()

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
        data["database_url"] = env["HUB_DATABASE_URL"]
    return parse_config(data, env, origin=str(file))


def parse_config(data: dict[str, Any], env: Mapping[str, str], *, origin: str) -> HubConfig:
    try:
        config = HubConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data, origin)) from None
    _check_catalog(config, origin)
    return config.model_copy(
        update={"sources": tuple(_with_secrets(s, env, origin) for s in config.sources)}
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


def _with_secrets(source: SourceConfig, env: Mapping[str, str], origin: str) -> SourceConfig:
    secrets: dict[str, SecretStr] = {}
    for key, target in (("token_env", "token"), ("email_env", "email")):
        variable = getattr(source, key)
        if variable is None:
            continue
        value = env.get(variable)
        if not value:
            raise ConfigError(
                f"{origin}: source '{source.name}': key '{key}': "
                f"environment variable {variable} is not set"
            )
        secrets[target] = SecretStr(value)
    if (
        source.kind == "jira"
        and source.email_env is None
        and "api.atlassian.com" not in source.base
    ):
        raise ConfigError(
            f"{origin}: source '{source.name}': key 'email_env': "
            "Jira sites take basic auth with an email and an API token"
        )
    return source.model_copy(update=secrets)


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
