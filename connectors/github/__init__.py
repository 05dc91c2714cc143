"""GitHub (REST + GraphQL): issues of configured repositories, with sub-issue parents and
issue dependencies."""

from connectors.github.connector import GitHubConnector

__all__ = ["GitHubConnector"]
