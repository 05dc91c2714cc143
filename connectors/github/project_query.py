"""The GraphQL document that reads one page of a GitHub Project (v2), checked against GitHub's
published schema (``tests/connectors/test_github_projects_client.py``).

One request returns 100 items with their field values and, for each issue, every field
``connectors.github.mapping.map_issue`` reads, so that a changed card is mapped without asking
for its issue again. The project's latest status update rides along on every page (one node).

The owner is asked for as an organisation and as a user at once, each behind an ``@include``
switch: the first page asks both and GitHub answers NOT_FOUND for the kind the owner is not;
later pages ask only the kind that answered. ``items`` has no ``updatedAt`` order or filter (only
POSITION, and a ``query`` string in the project's own filter syntax), so a project is read whole
on every sync: that is the one request an unchanged project of ≤ 100 items costs.
"""

from __future__ import annotations

ITEMS_PER_PAGE = 100
"""GitHub's largest ``first``."""
FIELD_VALUES_PER_ITEM = 50
"""A project holds at most 50 fields, so one page of values is all of an item's."""
LABELS_PER_ISSUE = 100
ASSIGNEES_PER_ISSUE = 10
"""GitHub allows at most 10 assignees per issue."""
BLOCKING_PER_ISSUE = 50
"""GitHub allows at most 50 dependencies of each type per issue."""

ISSUE_FIELDS = f"""
fragment plannedIssue on Issue {{
  id number title body url state stateReason(enableDuplicate: true)
  createdAt updatedAt closedAt
  repository {{ nameWithOwner }}
  labels(first: {LABELS_PER_ISSUE}) {{ nodes {{ name }} }}
  assignees(first: {ASSIGNEES_PER_ISSUE}) {{ nodes {{ login }} }}
  milestone {{ title dueOn }}
  parent {{ number repository {{ nameWithOwner }} }}
  subIssuesSummary {{ total completed percentCompleted }}
  issueDependenciesSummary {{ blockedBy blocking totalBlockedBy totalBlocking }}
  blocking(first: {BLOCKING_PER_ISSUE}) {{ nodes {{ number repository {{ nameWithOwner }} }} }}
}}
"""
"""What ``map_issue`` reads of an issue, in GraphQL's spelling (``projects.rest_issue``
translates it). ``enableDuplicate`` makes a duplicate say DUPLICATE rather than NOT_PLANNED,
as REST's ``state_reason`` does."""

PROJECT_FIELDS = f"""
fragment plan on ProjectV2 {{
  id title
  statusUpdates(first: 1, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
    nodes {{ status body startDate targetDate createdAt creator {{ login }} }}
  }}
  items(first: {ITEMS_PER_PAGE}, after: $after, archivedStates: [ARCHIVED, NOT_ARCHIVED]) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id type isArchived updatedAt
      fieldValues(first: {FIELD_VALUES_PER_ITEM}) {{
        nodes {{
          __typename
          ... on ProjectV2ItemFieldDateValue {{ date field {{ ...fieldName }} }}
          ... on ProjectV2ItemFieldIterationValue {{
            title startDate duration field {{ ...fieldName }}
          }}
          ... on ProjectV2ItemFieldSingleSelectValue {{ name field {{ ...fieldName }} }}
        }}
      }}
      content {{ __typename ...plannedIssue }}
    }}
  }}
}}
fragment fieldName on ProjectV2FieldConfiguration {{ ... on ProjectV2FieldCommon {{ name }} }}
"""

PROJECT_PAGE_QUERY = (
    "query($owner: String!, $number: Int!, $after: String, "
    "$asOrganization: Boolean!, $asUser: Boolean!) {\n"
    "  organization(login: $owner) @include(if: $asOrganization) "
    "{ projectV2(number: $number) { ...plan } }\n"
    "  user(login: $owner) @include(if: $asUser) { projectV2(number: $number) { ...plan } }\n"
    "  rateLimit { cost remaining resetAt }\n"
    "}" + PROJECT_FIELDS + ISSUE_FIELDS
)
"""One page of a project's items (archived ones too: an auto-archived closed card keeps its
dates), with its latest status update."""

ISSUES_BY_ID_QUERY = (
    "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ...plannedIssue } "
    "rateLimit { cost remaining resetAt } }" + ISSUE_FIELDS
)
"""Up to 100 issues by node id: those that left a project since the last sync, to be mapped
again without its values."""
