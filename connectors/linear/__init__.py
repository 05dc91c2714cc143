"""Linear (GraphQL): initiatives, projects and issues, with issue and project "blocks" relations."""

from connectors.linear.connector import LinearConnector

__all__ = ["LinearConnector"]
