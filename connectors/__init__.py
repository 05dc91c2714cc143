"""Tracker connectors, one package per tracker kind, chosen by ``connector_for``."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from hub.contract.errors import ConfigError

if TYPE_CHECKING:
    import httpx

    from connectors.base import Connector
    from hub.contract.config import SourceConfig

_CONNECTORS = {
    "jira": ("connectors.jira", "JiraConnector"),
    "github": ("connectors.github", "GitHubConnector"),
    "linear": ("connectors.linear", "LinearConnector"),
}
"""Kind to (module, class); imported only when a source of that kind is synced."""


def connector_for(
    source: SourceConfig, *, transport: httpx.AsyncBaseTransport | None = None
) -> Connector:
    """The connector for ``source.kind``, bound to ``source`` (and a test transport, if given)."""
    try:
        module, name = _CONNECTORS[source.kind]
    except KeyError:
        raise ConfigError(
            f"source '{source.name}': kind '{source.kind}' has no connector yet "
            f"(available: {', '.join(sorted(_CONNECTORS))})"
        ) from None
    connector: Connector = getattr(import_module(module), name)(source, transport=transport)
    return connector


__all__ = ["connector_for"]
