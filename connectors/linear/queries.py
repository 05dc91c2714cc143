"""The GraphQL documents the Linear connector sends, checked against Linear's schema in tests.

Every list is read newest change first (``orderBy: updatedAt`` is descending on Linear) with
archived and trashed entities included: Linear hides both by default, yet archived items still
count and trashed ones are how deletions show.

Complexity (Linear's published rule: 0.1 per scalar, 1 per object, a connection multiplies
everything it selects by ``first``; one query may cost at most 10,000 points) sets each
stream's page cap below; ``tests/connectors/test_linear_client.py`` recomputes the estimates.
Nested lists select no ``pageInfo``, which the rule would multiply too: a nested list that
comes back full is reported as possibly cut instead (``NESTED_FIRST``).

- initiatives: ~8.4 per node, 250 per page ≈ 2,100 points;
- projects: ~155 per node (teams 10, initiatives 10, milestones 20, relations 20 each
  way), 60 per page ≈ 9,300;
- issues: ~40 per node (labels 8, relations 8), 240 per page ≈ 9,700.

Plans come with the nodes, never from a request per item: a project's milestones, health and
latest update, its dependencies both ways (``relations`` where it blocks, ``inverseRelations``
where it is blocked, so a link is known from either end); an issue's milestone and cycle.
"""

from __future__ import annotations

INITIATIVES = "initiatives"
PROJECTS = "projects"
ISSUES = "issues"

MAX_FIRST = {INITIATIVES: 250, PROJECTS: 60, ISSUES: 240}
"""Largest page per stream that keeps a query under Linear's 10,000 complexity points."""

NESTED_FIRST = {
    INITIATIVES: {},
    PROJECTS: {
        "teams": 10,
        "initiatives": 10,
        "projectMilestones": 20,
        "relations": 20,
        "inverseRelations": 20,
    },
    ISSUES: {"labels": 8, "relations": 8},
}
"""The ``first`` of each nested list in the documents below, per stream."""

INITIATIVE_FIELDS = """
      id
      slugId
      name
      url
      description
      status
      targetDate
      completedAt
      createdAt
      updatedAt
      archivedAt
      trashed
      parentInitiative { id }
      owner { id name email }
      health
      healthUpdatedAt
      lastUpdate { health body createdAt user { name } }
"""


def _stream_query(operation: str, field: str, filter_type: str, fields: str) -> str:
    """A stream's document: one page of ``field``, oldest change first, archived included."""
    return f"""
query {operation}($first: Int!, $after: String, $filter: {filter_type}) {{
  {field}(
    first: $first
    after: $after
    filter: $filter
    orderBy: updatedAt
    includeArchived: true
  ) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{{fields}    }}
  }}
}}
"""


INITIATIVES_QUERY = _stream_query(
    "Initiatives", "initiatives", "InitiativeFilter", INITIATIVE_FIELDS
)

PROJECT_FIELDS = """
      id
      slugId
      name
      url
      description
      status { name type }
      startDate
      targetDate
      completedAt
      createdAt
      updatedAt
      archivedAt
      trashed
      lead { id name email }
      health
      healthUpdatedAt
      lastUpdate { health body createdAt user { name } }
      teams(first: 10, includeArchived: true) { nodes { key } }
      initiatives(first: 10, includeArchived: true) { nodes { id } }
      projectMilestones(first: 20) { nodes { id name targetDate status progress sortOrder } }
      relations(first: 20, includeArchived: true) { nodes { type relatedProject { id } } }
      inverseRelations(first: 20, includeArchived: true) { nodes { type project { id } } }
"""

PROJECTS_QUERY = _stream_query("Projects", "projects", "ProjectFilter", PROJECT_FIELDS)

ISSUE_FIELDS = """
      id
      identifier
      url
      title
      description
      estimate
      dueDate
      createdAt
      updatedAt
      completedAt
      archivedAt
      trashed
      state { name type }
      team { key timezone }
      parent { id }
      project { id }
      projectMilestone { name targetDate }
      cycle { number name startsAt endsAt }
      assignee { id name email }
      labels(first: 8, includeArchived: true) { nodes { name } }
      relations(first: 8, includeArchived: true) { nodes { type relatedIssue { id } } }
"""

ISSUES_QUERY = _stream_query("Issues", "issues", "IssueFilter", ISSUE_FIELDS)

TEAMS = "teams"
TEAMS_PAGE = 100
TEAMS_QUERY = """
query Teams($first: Int!, $after: String, $filter: TeamFilter) {
  teams(first: $first, after: $after, filter: $filter, includeArchived: true) {
    pageInfo { hasNextPage endCursor }
    nodes { key }
  }
}
"""
"""The source's teams that exist, asked by key (``filter: {key: {in: [...]}}``) before a sync."""

FETCH_FIRST = 40
"""Ids asked for per ``FETCH_QUERY``: each of its three lists may return that many, and
40 × (8.4 + 155 + 40) points stays under Linear's 10,000 per query."""

FETCH_QUERY = f"""
query Fetch($ids: [ID!]!, $first: Int!) {{
  initiatives(first: $first, filter: {{ id: {{ in: $ids }} }}, includeArchived: true) {{
    nodes {{{INITIATIVE_FIELDS}    }}
  }}
  projects(first: $first, filter: {{ id: {{ in: $ids }} }}, includeArchived: true) {{
    nodes {{{PROJECT_FIELDS}    }}
  }}
  issues(first: $first, filter: {{ id: {{ in: $ids }} }}, includeArchived: true) {{
    nodes {{{ISSUE_FIELDS}    }}
  }}
}}
"""
"""Items by id, whatever their kind (a webhook's ref is a bare id), in one request: each
list selects what its stream's document does, so the same mapping reads them."""

QUERIES = {INITIATIVES: INITIATIVES_QUERY, PROJECTS: PROJECTS_QUERY, ISSUES: ISSUES_QUERY}
"""Stream name to its document; the stream name is also the root field of the answer."""
