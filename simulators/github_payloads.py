"""GitHub REST JSON for the simulator's rows, in the shape of API version 2022-11-28.

Built per request from compact rows, so a page costs only the issues on it. ``api`` is the base
the client used (``http://host`` or ``http://host/api/v3``), so every URL in a payload resolves
back to the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulators.github_world import (
    GitHubWorld,
    IssueRow,
    Label,
    Milestone,
    Repo,
    User,
    iso,
    node_id,
)

Json = dict[str, Any]
DOCS = "https://docs.github.com/rest"
LEGACY_VERSION = "2022-11-28"


def error_body(status: int, message: str, documentation_url: str = DOCS) -> Json:
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


@dataclass(frozen=True, slots=True)
class Renderer:
    """Renders rows against one base URL and API version."""

    world: GitHubWorld
    api: str
    html: str
    api_version: str = LEGACY_VERSION

    def repo_url(self, repo: Repo) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    def issue_url(self, row: IssueRow) -> str:
        return f"{self.repo_url(row.repo)}/issues/{row.number}"

    def user(self, user: User) -> Json:
        url = f"{self.api}/users/{user.login}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": node_id("U", user.id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{self.html}/{user.login}",
            "repos_url": f"{url}/repos",
            "type": "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def label(self, label: Label) -> Json:
        repo = self.world.repos_by_id[label.repo_id]
        return {
            "id": label.id,
            "node_id": node_id("LA", label.repo_id, label.id),
            "url": f"{self.repo_url(repo)}/labels/{label.name.replace(':', '%3A')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def milestone(self, milestone: Milestone) -> Json:
        repo = self.world.repos_by_id[milestone.repo_id]
        open_issues, closed_issues = self.world.milestone_counts(milestone)
        return {
            "url": f"{self.repo_url(repo)}/milestones/{milestone.number}",
            "html_url": f"{self.html}/{repo.full_name}/milestone/{milestone.number}",
            "labels_url": f"{self.repo_url(repo)}/milestones/{milestone.number}/labels",
            "id": milestone.id,
            "node_id": node_id("MI", milestone.repo_id, milestone.id),
            "number": milestone.number,
            "title": milestone.title,
            "description": milestone.description,
            "creator": self.user(self.world.users[0]),
            "open_issues": open_issues,
            "closed_issues": closed_issues,
            "state": "open",
            "created_at": iso(milestone.created_at),
            "updated_at": iso(milestone.updated_at),
            "due_on": iso(milestone.due_on),
            "closed_at": None,
        }

    def issue(self, row: IssueRow) -> Json:
        url = self.issue_url(row)
        html_kind = "pull" if row.is_pull else "issues"
        assignees = [self.user(user) for user in row.assignees]
        total, completed = self.world.sub_issues_summary(row)
        blocked_by, blocking, total_blocked_by, total_blocking = self.world.dependencies_summary(
            row
        )
        parent = self.world.parent(row)
        body: Json = {
            "url": url,
            "repository_url": self.repo_url(row.repo),
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.html}/{row.repo.full_name}/{html_kind}/{row.number}",
            "id": row.id,
            "node_id": row.node_id,
            "number": row.number,
            "title": row.title,
            "user": self.user(row.author),
            "labels": [self.label(self.world.label(row.repo, name)) for name in row.labels],
            "state": row.state,
            "locked": row.locked,
            "assignee": assignees[0] if assignees else None,
            "assignees": assignees,
            "milestone": self.milestone(row.milestone) if row.milestone else None,
            "comments": row.comments,
            "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at),
            "closed_at": iso(row.closed_at),
            "author_association": "MEMBER",
            "type": None,
            "active_lock_reason": "resolved" if row.locked else None,
            "sub_issues_summary": {
                "total": total,
                "completed": completed,
                "percent_completed": completed * 100 // total if total else 0,
            },
            "issue_dependencies_summary": {
                "blocked_by": blocked_by,
                "blocking": blocking,
                "total_blocked_by": total_blocked_by,
                "total_blocking": total_blocking,
            },
            "body": row.body,
            "closed_by": None,
            "reactions": {"url": f"{url}/reactions", "total_count": 0},
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": row.state_reason,
            "parent_issue_url": self.issue_url(parent) if parent else None,
        }
        if row.is_pull:
            body["draft"] = False
            pull = f"{self.repo_url(row.repo)}/pulls/{row.number}"
            html = body["html_url"]
            body["pull_request"] = {
                "url": pull,
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": iso(row.merged_at),
            }
        if self.api_version != LEGACY_VERSION:
            del body["assignee"]
        return body
