"""Limits on what one GraphQL request may cost: the size of its body and the estimated work of
its operation. Depth, aliases and tokens are strawberry's own extensions (see ``hub.app``).

Refusals are JSON in the shape of a GraphQL response, so that a client reads every error the
same way, whichever layer refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

UNPAGED_LIST_SIZE = 10
"""What a list field without ``first`` is assumed to hold when estimating a query's cost."""
MAX_EXPANDED_FIELDS = 10_000
"""Fields a document may hold once every fragment spread is expanded."""


def error_response(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A refusal in the shape of a GraphQL response: ``data`` null, one error with a code."""
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


class _BodyTooLarge(Exception):
    """Raised out of ``receive`` when the streamed body passes the limit."""


class BodyLimit:
    """ASGI middleware: a body over ``max_bytes`` gets 413 before anything parses it.

    ``Content-Length`` is checked up front; a body streamed without one (or longer than it
    claimed) is counted as the app reads it, so memory never holds more than the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_bytes:
            await self.too_large("query string")(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self.too_large("body")(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if started:  # pragma: no cover - the app answers only after reading the body
                raise
            await self.too_large("body")(scope, receive, send)

    def too_large(self, what: str) -> JSONResponse:
        return error_response(
            413,
            f"request {what} is larger than {self.max_bytes} bytes; send a smaller query "
            "and pass large values as variables of several requests",
            "REQUEST_TOO_LARGE",
        )


class _TooManyFields(ValidationRule):
    def enter_document(self, node: DocumentNode, *_args: Any) -> None:
        self.report_error(
            GraphQLError(
                f"the document expands to more than {MAX_EXPANDED_FIELDS} fields through its "
                "fragment spreads; spread each fragment fewer times",
                extensions={"code": "QUERY_TOO_COMPLEX"},
            )
        )


class FragmentFanOutLimiter(SchemaExtension):
    """Refuse a document whose fragments fan out (``F0`` spreads ``F1`` twice, which spreads
    ``F2`` twice, ...) before the other rules walk it: strawberry's depth and alias limiters
    expand every spread, which takes exponential time on such a document.

    The check is one memoized walk; a refused document is validated by a single rule that
    reports the refusal instead of by the expensive ones.
    """

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and expanded_fields(document) > MAX_EXPANDED_FIELDS:
            self.execution_context.validation_rules = (_TooManyFields,)
        yield


def expanded_fields(document: DocumentNode) -> int:
    """Fields in the document's operations with every fragment spread expanded."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    counts: dict[str, int] = {}

    def count(selection_set: SelectionSetNode | None, walking: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set, walking)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, walking)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in counts and name in fragments and name not in walking:
                    counts[name] = count(fragments[name].selection_set, walking | {name})
                total += counts.get(name, 0)
        return total

    return sum(
        count(definition.selection_set, frozenset())
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )


class QueryComplexityLimiter(SchemaExtension):
    """Refuse, before execution, an operation whose estimated cost is over ``max_complexity``.

    Every field costs 1; a field's children cost as many times as it may return rows: its
    ``first`` argument (from the query or its variables, else its default), or
    ``UNPAGED_LIST_SIZE`` for a list without ``first``. A connection's ``edges`` are already
    counted by ``first``. It runs at execution rather than validation because ``first`` may be
    a variable, and validation results are cached without the variables.
    """

    def __init__(self, max_complexity: int) -> None:
        self.max_complexity = max_complexity

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            cost = estimate_cost(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables or {},
            )
            if cost > self.max_complexity:
                message = (
                    f"query is too complex: estimated cost {cost} is over the limit of "
                    f"{self.max_complexity}; ask for smaller pages with `first` or fewer "
                    "nested lists"
                )
                error = GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})
                context.result = ExecutionResult(data=None, errors=[error])
        yield


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> int:
    """The estimated cost of the operation that would run (see ``QueryComplexityLimiter``)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    return _Estimator(schema, fragments, variables).selections(operation.selection_set, root)


class _Estimator:
    """One walk over a document; each fragment is costed once, and a cycle costs nothing."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.costs: dict[str, int] = {}
        self.walking: set[str] = set()

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        if name in self.costs:
            return self.costs[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.walking:
            return 0
        self.walking.add(name)
        cost = self.selections(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self.walking.discard(name)
        self.costs[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        if node.selection_set is None:
            return 1
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        if definition is None:  # introspection: small and bounded by the schema
            return 1 + self.selections(node.selection_set, None)
        children = self.selections(node.selection_set, get_named_type(definition.type))
        return 1 + self.rows(node, definition, parent) * children

    def rows(self, node: FieldNode, definition: GraphQLField, parent: Any) -> int:
        """How many times a field's children may resolve."""
        if "first" in definition.args:
            value: Any = definition.args["first"].default_value
            for argument in node.arguments or ():
                if argument.name.value != "first":
                    continue
                if isinstance(argument.value, IntValueNode):
                    value = int(argument.value.value)
                elif isinstance(argument.value, VariableNode):
                    value = self.variables.get(argument.value.name.value, value)
            return max(value, 0) if isinstance(value, int) else UNPAGED_LIST_SIZE
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        if getattr(parent, "name", "").endswith("Connection"):
            return 1
        return UNPAGED_LIST_SIZE
