"""Simulators of the trackers, so sync and demo run with no network and no accounts."""

from connectors.simulators.demo_world import DemoWorld, build_demo_world
from connectors.simulators.faults import Faults
from connectors.simulators.github import create_github_app
from connectors.simulators.github_world import GitHubClock, GitHubWorld
from connectors.simulators.jira import create_jira_app
from connectors.simulators.jira_world import JiraWorld, WorldClock
from connectors.simulators.linear import create_linear_app
from connectors.simulators.linear_world import LinearWorld
from connectors.simulators.serve import serve

__all__ = [
    "DemoWorld",
    "Faults",
    "GitHubClock",
    "GitHubWorld",
    "JiraWorld",
    "LinearWorld",
    "WorldClock",
    "build_demo_world",
    "create_github_app",
    "create_jira_app",
    "create_linear_app",
    "serve",
]
