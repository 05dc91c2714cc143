"""Jira Cloud (REST v3): issues of every hierarchy level, with their Blocks links."""

from connectors.jira.connector import JiraConnector

__all__ = ["JiraConnector"]
