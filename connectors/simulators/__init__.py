"""Simulators of the trackers, so sync and demo run with no network and no accounts."""

from connectors.simulators.jira import create_jira_app
from connectors.simulators.jira_world import JiraWorld, WorldClock
from connectors.simulators.serve import serve

__all__ = ["JiraWorld", "WorldClock", "create_jira_app", "serve"]
