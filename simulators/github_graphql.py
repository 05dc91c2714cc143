"""GitHub's GraphQL endpoint over the world, on a verbatim subset of the real schema.

The schema comes from ``github_schema.graphql``; resolvers are plain objects whose snake_case
attributes answer the camelCase fields. GitHub's habits are kept: connections need ``first``
(1–100) and are checked before execution, errors carry a top-level ``type`` (``NOT_FOUND``,
``EXCESSIVE_PAGINATION``, ``MISSING_PAGINATION_BOUNDARIES``, ``RATE_LIMITED``), unknown ids give
null entries plus an error, and the cost is counted in points as GitHub documents.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)

from simulators.github_graphql_nodes import Graph, node_typename
from simulators.github_graphql_plan import Plan, plan_query
from simulators.github_graphql_projects import ProjectsRoot
from simulators.github_paging import Ordering
from simulators.github_payloads import Renderer
from simulators.github_rate import RateInfo, RateWindow
from simulators.github_world import GitHubWorld

SCHEMA_PATH = Path(__file__).with_name("github_schema.graphql")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def load_schema() -> GraphQLSchema:
    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def resolve_field(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    """Answers ``fooBar`` from ``source.foo_bar`` (called with the arguments if it is a method)."""
    if isinstance(source, dict):
        return source.get(info.field_name)
    value = getattr(source, _snake(info.field_name), None)
    if callable(value):
        return value(**{_snake(key): item for key, item in args.items()})
    return value


def resolve_type(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str:
    return node_typename(value)


class GraphQLService:
    """Parses, validates, plans (limits and cost), charges and executes one request."""

    def __init__(self, world: GitHubWorld, ordering: Ordering, window: RateWindow) -> None:
        self.world = world
        self.ordering = ordering
        self.window = window
        self.schema = load_schema()

    def run(
        self, query: str, variables: dict[str, Any], operation: str | None, renderer: Renderer
    ) -> tuple[dict[str, Any], dict[str, str]]:
        try:
            document = parse(query)
        except GraphQLError as error:
            return {"errors": [_format(error)]}, {}
        problems = validate(self.schema, document)
        if problems:
            return {"errors": [_format(_in_github_words(error)) for error in problems]}, {}
        plan: Plan = plan_query(self.schema, document, variables)
        if plan.errors:
            return {"errors": [_format(error) for error in plan.errors]}, {}
        cost = max(1, math.ceil(plan.requests / 100))
        if self.window.used + cost > self.window.limit:
            message = "API rate limit already exceeded for user ID 1."
            return {"errors": [{"type": "RATE_LIMITED", "message": message}]}, {}
        self.window.used += cost
        graph = Graph(self.world, self.ordering, renderer)
        root = ProjectsRoot(graph, RateInfo(cost, plan.nodes, self.window))
        result = execute(
            self.schema,
            document,
            root_value=root,
            variable_values=variables,
            operation_name=operation,
            field_resolver=resolve_field,
            type_resolver=resolve_type,
        )
        if not isinstance(result, ExecutionResult):
            raise TypeError("the simulator's resolvers are synchronous")
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_format(error) for error in result.errors]
        return body, {}


_UNKNOWN_FIELD = re.compile(r"Cannot query field '(\w+)' on type '(\w+)'\.")
_UNKNOWN_ARGUMENT = re.compile(r"Unknown argument '(\w+)' on field '\w+\.(\w+)'\.")


def _in_github_words(error: GraphQLError) -> GraphQLError:
    """GitHub's validator words an unknown field or argument its own way, with a ``code``."""
    field = _UNKNOWN_FIELD.match(error.message)
    if field:
        name, owner = field.groups()
        message = f"Field '{name}' doesn't exist on type '{owner}'"
        extensions = {"code": "undefinedField", "typeName": owner, "fieldName": name}
        return GraphQLError(message, error.nodes, extensions=extensions)
    argument = _UNKNOWN_ARGUMENT.match(error.message)
    if argument:
        name, owner = argument.groups()
        message = f"Field '{owner}' doesn't accept argument '{name}'"
        extensions = {"code": "argumentNotAccepted", "name": owner, "argumentName": name}
        return GraphQLError(message, error.nodes, extensions=extensions)
    return error


def _format(error: GraphQLError) -> dict[str, Any]:
    """GitHub's error shape: ``type`` at the top level, then path, locations and message."""
    formatted: dict[str, Any] = {}
    extensions = dict(error.extensions or {})
    kind = extensions.pop("type", None)
    if kind:
        formatted["type"] = kind
    if error.path is not None:
        formatted["path"] = list(error.path)
    if extensions:
        formatted["extensions"] = extensions
    if error.locations:
        formatted["locations"] = [
            {"line": location.line, "column": location.column} for location in error.locations
        ]
    formatted["message"] = error.message
    return formatted
