"""Tracker connectors, one package per tracker kind, chosen by ``connector_for``; their
webhooks modules (``verify`` and ``parse``), chosen by ``webhook_handlers``."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from hub.contract.errors import ConfigError

if TYPE_CHECKING:
    import httpx

    from connectors.base import Connector
    from connectors.webhooks import Parser, Verifier
    from hub.contract.config import SourceConfig

_CONNECTORS = {
    "jira": ("connectors.jira", "JiraConnector"),
    "github": ("connectors.github", "GitHubConnector"),
    "linear": ("connectors.linear", "LinearConnector"),
}
"""Kind to (module, class); imported only when a source of that kind is synced."""
_WEBHOOKS = {kind: f"{module}.webhooks" for kind, (module, _name) in _CONNECTORS.items()}
"""Kind to its webhooks module; imported when a delivery for a source of that kind arrives."""


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


def webhook_handlers(kind: str) -> tuple[Verifier, Parser]:
    """``verify`` and ``parse`` of the webhooks module of tracker ``kind``, imported when a
    delivery for a source of that kind first arrives."""
    name = _WEBHOOKS.get(kind)
    if name is None:
        raise ConfigError(f"kind '{kind}' has no webhooks (available: {', '.join(_WEBHOOKS)})")
    module = import_module(name)
    verify: Verifier = module.verify
    parse: Parser = module.parse
    return verify, parse


__all__ = ["connector_for", "webhook_handlers"]
