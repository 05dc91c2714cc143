"""The estimated work of an operation, refused over a limit before it runs. Depth, aliases
and tokens are strawberry's own extensions (``schema.extensions``)."""

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
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from strawberry.extensions import SchemaExtension

UNPAGED_LIST_SIZE = 10
"""What a list field without ``first`` is assumed to hold when estimating a query's cost."""


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
