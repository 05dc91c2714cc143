"""A world's changes as its tracker's webhook events, handed to a ``WebhookSender``.

``connect(world, sender)`` listens to the world (``world.changes``) and, for each change,
renders the event the tracker would send, in its documented shape, while the world still
holds what the event describes (a deleted issue is rendered before it goes):

- GitHub: ``issues`` (edited, closed, reopened, deleted, transferred), ``issue_dependencies``
  (blocked_by_added / blocked_by_removed, sent for the blocked issue), ``projects_v2_item``
  (created, edited, archived, restored; organisation projects only, as GitHub sends it);
- Jira: ``jira:issue_created``, ``jira:issue_updated``, ``jira:issue_deleted``,
  ``issuelink_created``;
- Linear: ``Issue`` (update, remove), ``IssueRelation`` (create), ``Project`` and
  ``Initiative`` (update), ``ProjectUpdate`` (create).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from simulators.github_ids import iso
from simulators.github_payloads import Renderer
from simulators.github_rows import Repo
from simulators.github_world import GitHubWorld
from simulators.jira_payloads import IssueRenderer
from simulators.jira_world import JiraWorld
from simulators.linear_world import LinearWorld
from simulators.webhooks import Event, WebhookSender
from simulators.world_common import Change

Json = dict[str, Any]


def connect(
    world: GitHubWorld | JiraWorld | LinearWorld, sender: WebhookSender, *, base_url: str = ""
) -> None:
    """Send ``world``'s changes through ``sender``; ``base_url`` is where the simulator
    answers, for the URLs inside payloads."""
    if isinstance(world, GitHubWorld):
        listener: Any = GitHubEvents(world, sender, base_url or "https://api.github.com")
    elif isinstance(world, JiraWorld):
        listener = JiraEvents(world, sender, base_url or "https://acme.atlassian.net")
    else:
        listener = LinearEvents(world, sender)
    world.changes.listeners.append(listener)


class GitHubEvents:
    def __init__(self, world: GitHubWorld, sender: WebhookSender, api: str) -> None:
        self.world, self.sender = world, sender
        self.render = Renderer(world, api.rstrip("/"), "https://github.com")

    def __call__(self, change: Change) -> None:
        if change.kind == "issue" and not change.subject.is_pull:
            self._issue(change)
        elif change.kind == "dependency":
            blocker, blocked = change.subject
            self.sender.send(
                Event(
                    "issue_dependencies",
                    {
                        "action": f"blocked_by_{change.action}",
                        "blocked_issue_id": blocked.id,
                        "blocked_issue": self.render.issue(blocked),
                        "blocking_issue_id": blocker.id,
                        "blocking_issue": self.render.issue(blocker),
                        "blocking_issue_repo": self._repo(blocker.repo),
                        **self._context(blocked.repo),
                    },
                )
            )
        elif change.kind == "project_item" and change.subject.project.org:
            self._card(change)

    def _issue(self, change: Change) -> None:
        row = change.subject
        issue = self.render.issue(row)
        payload: Json = {"action": change.action, "issue": issue, **self._context(row.repo)}
        if change.action == "transferred":
            old_repo: Repo = change.details["repo"]
            number = change.details["number"]
            old_url = f"{self.render.repo_url(old_repo)}/issues/{number}"
            old = {
                **issue,
                "number": number,
                "url": old_url,
                "repository_url": self.render.repo_url(old_repo),
                "html_url": f"https://github.com/{old_repo.full_name}/issues/{number}",
            }
            payload = {
                "action": "transferred",
                "changes": {"new_issue": issue, "new_repository": self._repo(row.repo)},
                "issue": old,
                **self._context(old_repo),
            }
        self.sender.send(Event("issues", payload))

    def _card(self, change: Change) -> None:
        item = change.subject
        content = item.row
        kind = {"ISSUE": "Issue", "PULL_REQUEST": "PullRequest"}.get(item.type, "DraftIssue")
        self.sender.send(
            Event(
                "projects_v2_item",
                {
                    "action": change.action,
                    "projects_v2_item": {
                        "id": item.id,
                        "node_id": item.node_id,
                        "project_node_id": item.project.node_id,
                        "content_node_id": content.node_id if content is not None else None,
                        "content_type": kind,
                        "creator": self.render.user(item.creator),
                        "created_at": iso(item.created_at),
                        "updated_at": iso(item.updated_at),
                        "archived_at": iso(item.updated_at) if item.archived else None,
                    },
                    "organization": {"login": item.project.owner},
                    "sender": self.render.user(item.creator),
                },
            )
        )

    def _repo(self, repo: Repo) -> Json:
        return {
            "id": repo.id,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": {"login": repo.owner},
            "url": self.render.repo_url(repo),
            "html_url": f"https://github.com/{repo.full_name}",
        }

    def _context(self, repo: Repo) -> Json:
        return {
            "repository": self._repo(repo),
            "organization": {"login": repo.owner},
            "sender": self.render.user(self.world.users[0]),
        }


class JiraEvents:
    def __init__(self, world: JiraWorld, sender: WebhookSender, site: str) -> None:
        self.world, self.sender = world, sender
        self.render = IssueRenderer(world, site)
        self.fields = tuple(self.render.renderers)

    def __call__(self, change: Change) -> None:
        payload: Json = {
            "timestamp": self.world.clock.now_ms,
            "webhookEvent": change.kind,
        }
        if change.kind == "issuelink_created":
            link = change.subject
            payload["issueLink"] = {
                "id": link.id,
                "sourceIssueId": link.outward_id,
                "destinationIssueId": link.inward_id,
                "issueLinkType": {
                    "id": link.type.id,
                    "name": link.type.name,
                    "outwardName": link.type.outward,
                    "inwardName": link.type.inward,
                    "isSubTaskLinkType": False,
                    "isSystemLinkType": False,
                },
                "sequence": 0,
                "systemLink": False,
            }
        else:
            payload["issue_event_type_name"] = {
                "jira:issue_created": "issue_created",
                "jira:issue_deleted": "issue_deleted",
            }.get(change.kind, "issue_generic")
            payload["issue"] = self.render.issue(change.subject, self.fields)
            if change.kind == "jira:issue_updated":
                changed = change.details.get("fields", ())
                payload["changelog"] = {
                    "id": str(self.world.clock.now_ms),
                    "items": [{"field": name, "fieldtype": "jira"} for name in changed],
                }
        self.sender.send(Event(change.kind, payload))


class LinearEvents:
    def __init__(self, world: LinearWorld, sender: WebhookSender) -> None:
        self.world, self.sender = world, sender

    def __call__(self, change: Change) -> None:
        data = getattr(self, f"_{change.kind}")(change)
        organization = "sim-organization"
        self.sender.send(
            Event(
                change.kind,
                {
                    "action": change.action,
                    "type": change.kind,
                    "createdAt": _iso_ms(self.world.clock.now_ms),
                    "data": data,
                    "url": data.get("url"),
                    "organizationId": organization,
                    "webhookId": "sim-webhook",
                },
            )
        )

    def _Issue(self, change: Change) -> Json:  # noqa: N802 - named after Linear's type
        row = change.subject
        return {
            "id": row.id,
            "identifier": row.identifier,
            "number": row.number,
            "title": row.title,
            "teamId": row.team.id,
            "stateId": row.state.id,
            "parentId": row.parent_id,
            "projectId": row.project_id,
            "assigneeId": row.assignee_id,
            "labelIds": list(row.label_ids),
            "trashed": row.trashed,
            "createdAt": _iso_ms(row.created_ms),
            "updatedAt": _iso_ms(row.updated_ms),
            "url": f"https://linear.app/sim/issue/{row.identifier}",
        }

    def _IssueRelation(self, change: Change) -> Json:  # noqa: N802
        relation = change.subject
        issue, related = (
            self.world.issues[relation.issue_id],
            self.world.issues[relation.related_id],
        )
        return {
            "id": relation.id,
            "type": relation.type,
            "issueId": relation.issue_id,
            "relatedIssueId": relation.related_id,
            "issue": {"id": issue.id, "title": issue.title, "identifier": issue.identifier},
            "relatedIssue": {
                "id": related.id,
                "title": related.title,
                "identifier": related.identifier,
            },
            "createdAt": _iso_ms(relation.created_ms),
            "updatedAt": _iso_ms(relation.created_ms),
        }

    def _Project(self, change: Change) -> Json:  # noqa: N802
        row = change.subject
        return {
            "id": row.id,
            "name": row.name,
            "slugId": row.slug_id,
            "teamIds": list(row.team_ids),
            "updatedAt": _iso_ms(row.updated_ms),
            "url": f"https://linear.app/sim/project/{row.slug_id}",
        }

    def _Initiative(self, change: Change) -> Json:  # noqa: N802
        row = change.subject
        return {
            "id": row.id,
            "name": row.name,
            "slugId": row.slug_id,
            "updatedAt": _iso_ms(row.updated_ms),
            "url": f"https://linear.app/sim/initiative/{row.slug_id}",
        }

    def _ProjectUpdate(self, change: Change) -> Json:  # noqa: N802
        update, project = change.subject, change.details["project"]
        return {
            "id": update.id,
            "body": update.body,
            "health": update.health,
            "projectId": project.id,
            "project": {"id": project.id, "name": project.name},
            "userId": update.user_id,
            "createdAt": _iso_ms(update.created_ms),
            "updatedAt": _iso_ms(update.updated_ms),
            "url": f"https://linear.app/sim/project/{project.slug_id}/updates",
        }


def _iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def change_something(world: GitHubWorld | JiraWorld | LinearWorld, rng: random.Random) -> str:
    """Edit one random issue's title as a user would (so its webhook goes out); its key."""
    stamp = f"edited at {datetime.now(UTC):%H:%M:%S}"
    if isinstance(world, GitHubWorld):
        row = rng.choice([r for r in world if not r.is_pull])
        world.touch(world.key(row), title=f"{row.title.split(' — ')[0]} — {stamp}")
        return world.key(row)
    if isinstance(world, JiraWorld):
        jira_row = rng.choice(list(world))
        world.touch(jira_row.key, summary=f"{jira_row.summary.split(' — ')[0]} — {stamp}")
        return jira_row.key
    linear_row = rng.choice(list(world.issues.values()))
    world.touch(linear_row.identifier, title=f"{linear_row.title.split(' — ')[0]} — {stamp}")
    return linear_row.identifier
