"""Simulators of the trackers, so sync and demo run with no network and no accounts."""

from simulators.demo_world import DemoWorld, build_demo_world
from simulators.faults import Faults
from simulators.github import create_github_app
from simulators.github_world import GitHubClock, GitHubWorld
from simulators.jira import create_jira_app
from simulators.jira_world import JiraWorld
from simulators.linear import create_linear_app
from simulators.linear_world import LinearWorld
from simulators.serve import serve
from simulators.world_common import WorldClock

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
