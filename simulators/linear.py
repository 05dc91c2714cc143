"""A Linear GraphQL API simulator: ``POST /graphql`` over a verbatim subset of Linear's schema.

Any valid query over ``linear_schema.graphql`` runs against a ``LinearWorld``. Quirks kept:

- auth is ``Authorization: <api key>`` with no ``Bearer``; ``Bearer <oauth token>`` for OAuth
  tokens. Failures are HTTP 400 with ``extensions.code == "AUTHENTICATION_ERROR"``;
- every connection is ordered by ``orderBy`` (createdAt by default) DESCENDING, newest first;
- ``first``/``last`` default 50, more than 250 is an error; archived and trashed items are hidden
  unless ``includeArchived: true``; ``trashed`` is null unless the item is in the trash;
- a query's complexity (1 per object, 0.1 per scalar, connections multiply their children by
  ``first``, default 50) over 10,000 is refused with HTTP 400 ``INPUT_ERROR``; invalid queries
  get HTTP 400 with no ``data``; errors while resolving come with HTTP 200 and ``errors[]``;
- rate-limit headers on every response, resets in epoch milliseconds; after ``rate_limit_after``
  requests, HTTP 400 with ``extensions.code == "RATELIMITED"``.

``app.state.requests`` counts requests per root field (``issues``, ``projects``, ...).
"""

from __future__ import annotations

import hmac
import math
import time
from collections import Counter
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    execute_sync,
    get_named_type,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.fault_answers import linear_rate_limited
from simulators.fault_middleware import install_faults
from simulators.fault_paging import PagingFaults
from simulators.faults import Faults
from simulators.linear_resolvers import DEFAULT_PAGE, LinearError, Root
from simulators.linear_world import LinearWorld

SCHEMA_PATH = Path(__file__).with_name("linear_schema.graphql")
MAX_COMPLEXITY = 10_000
REQUESTS_PER_HOUR = 5_000
COMPLEXITY_PER_HOUR = 3_000_000
HOUR_MS = 3_600_000


@cache
def linear_schema() -> GraphQLSchema:
    return build_schema(SCHEMA_PATH.read_text())


def linear_error(message: str, code: str, user_message: str, status: int = 400) -> JSONResponse:
    kind = {"AUTHENTICATION_ERROR": "authentication error", "RATELIMITED": "ratelimited"}
    extensions = {
        "type": kind.get(code, "invalid input"),
        "code": code,
        "userError": True,
        "userPresentableMessage": user_message,
        "meta": {},
    }
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status)


def _format(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, LinearError):
        code, user_message = original.code, original.user_message
    else:
        code, user_message = "INTERNAL_ERROR", str(error.message)
    body: dict[str, Any] = {
        "message": error.message,
        "extensions": {
            "type": "invalid input" if code == "INVALID_INPUT" else "internal error",
            "code": code,
            "userError": code == "INVALID_INPUT",
            "userPresentableMessage": user_message,
        },
    }
    if error.path:
        body["path"] = list(error.path)
    return body


def complexity(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> int:
    """Linear's estimate: 0.1 per scalar, 1 per object, connections times their page size."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def page_size(node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode) and variables.get(value.name.value) is not None:
                    return int(variables[value.name.value])
        return DEFAULT_PAGE

    def cost(selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> float:
        total = 0.0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                fields = parent.fields if isinstance(parent, GraphQLObjectType) else {}
                field = fields.get(selection.name.value)
                if field is None:
                    continue
                named = get_named_type(field.type)
                if selection.selection_set is None:
                    total += 0.1
                elif named.name.endswith("Connection"):
                    total += 1 + page_size(selection) * cost(selection.selection_set, named)
                else:
                    total += 1 + cost(selection.selection_set, named)
            elif isinstance(selection, InlineFragmentNode):
                total += cost(selection.selection_set, parent)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    total += cost(fragment.selection_set, parent)
        return total

    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    query_type = schema.query_type
    assert query_type is not None
    return math.ceil(sum(cost(op.selection_set, query_type) for op in operations))


class _Budget:
    """Hour-long request and complexity windows, reported as Linear's headers."""

    def __init__(self, rate_limit_after: int | None, complexity_per_hour: int) -> None:
        self.rate_limit_after = rate_limit_after
        self.complexity_per_hour = complexity_per_hour
        self.window_start_ms = int(time.time() * 1000)
        self.requests = 0
        self.points = 0

    def headers(self, query_complexity: int) -> dict[str, str]:
        reset = str(self.window_start_ms + HOUR_MS)
        limit = self.rate_limit_after if self.rate_limit_after is not None else REQUESTS_PER_HOUR
        return {
            "x-ratelimit-requests-limit": str(limit),
            "x-ratelimit-requests-remaining": str(max(0, limit - self.requests)),
            "x-ratelimit-requests-reset": reset,
            "x-ratelimit-complexity-limit": str(self.complexity_per_hour),
            "x-ratelimit-complexity-remaining": str(max(0, self.complexity_per_hour - self.points)),
            "x-ratelimit-complexity-reset": reset,
            "x-complexity": str(query_complexity),
        }

    def exhausted(self) -> bool:
        return self.rate_limit_after is not None and self.requests > self.rate_limit_after


def _root_fields(document: DocumentNode) -> list[str]:
    return [
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode)
    ]


def create_linear_app(
    world: LinearWorld,
    *,
    api_key: str,
    oauth_token: str | None = None,
    rate_limit_after: int | None = None,
    complexity_per_hour: int = COMPLEXITY_PER_HOUR,
    faults: Faults | None = None,
) -> Starlette:
    """The simulator for ``world``, accepting ``api_key`` (plain) or ``oauth_token`` (Bearer).

    ``complexity_per_hour`` is the hourly complexity budget the headers report (Linear's by
    default); the sync benchmark raises it so that a large world is read without pausing.

    ``faults`` injects network and paging faults; those served are counted in ``app.state.faults``.
    """
    schema = linear_schema()
    faults = faults or Faults()
    injected: Counter[str] = Counter()
    root = Root(world, PagingFaults(faults, injected))
    budget = _Budget(rate_limit_after, complexity_per_hour)
    requests: Counter[str] = Counter()

    def authenticate(header: str) -> Response | None:
        if oauth_token and hmac.compare_digest(header, f"Bearer {oauth_token}"):
            return None
        if hmac.compare_digest(header, api_key):
            return None
        if header.startswith("Bearer ") and hmac.compare_digest(header[7:], api_key):
            return linear_error(
                "It looks like you're trying to use an API key as a Bearer token. "
                "Remove the Bearer prefix from the Authorization header.",
                "AUTHENTICATION_ERROR",
                "Authentication failed: use the API key without the Bearer prefix.",
            )
        return linear_error(
            "Authentication required, not authenticated",
            "AUTHENTICATION_ERROR",
            "You need to authenticate to access this operation.",
        )

    async def graphql(request: Request) -> Response:
        budget.requests += 1
        response = await respond(request)
        if "x-complexity" not in response.headers:
            response.headers.update(budget.headers(0))
        return response

    async def respond(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, str):
            requests["(invalid)"] += 1
            return linear_error("Must provide query string.", "BAD_USER_INPUT", "Bad request")
        try:
            document = parse(query)
        except GraphQLError as error:
            requests["(invalid)"] += 1
            return linear_error(error.message, "GRAPHQL_PARSE_FAILED", "Invalid query")
        for name in _root_fields(document) or ["(invalid)"]:
            requests[name] += 1
        denied = authenticate(request.headers.get("authorization", "").strip())
        if denied is not None:
            return denied
        if budget.exhausted():
            response = linear_error(
                "Rate limit exceeded",
                "RATELIMITED",
                "Too many requests. Please try again later.",
            )
            response.headers.update(budget.headers(0))
            response.headers["retry-after"] = "60"
            return response
        problems = validate(schema, document)
        if problems:
            errors = [
                {
                    "message": problem.message,
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED", "type": "invalid input"},
                }
                for problem in problems
            ]
            return JSONResponse({"errors": errors}, 400)
        variables = body.get("variables") or {}
        points = complexity(schema, document, variables)
        if points > MAX_COMPLEXITY:
            response = linear_error(
                "Query too complex",
                "INPUT_ERROR",
                f"The query is too complex. Complexity: {points}. "
                f"Maximum allowed complexity: {MAX_COMPLEXITY}.",
            )
            response.headers.update(budget.headers(points))
            return response
        budget.points += points
        result = execute_sync(
            schema,
            document,
            root_value=root,
            variable_values=variables,
            operation_name=body.get("operationName"),
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [_format(error) for error in result.errors]
        return JSONResponse(payload, headers=budget.headers(points))

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    app.state.requests = requests
    app.state.budget = budget
    install_faults(app, faults, injected, linear_rate_limited)
    return app
