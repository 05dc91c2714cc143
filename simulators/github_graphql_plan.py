"""Checks a validated query the way GitHub does before running it, and prices it.

Every connection needs ``first`` between 1 and 100. The cost follows GitHub's documented
method: one request per connection per parent item (parents multiply by their ``first``, and
``nodes(ids:)`` by the number of ids), cost = requests / 100, at least 1; at most 500,000 nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

MAX_FIRST = 100
MAX_NODES = 500_000


@dataclass(slots=True)
class Plan:
    requests: int = 0
    nodes: int = 0
    errors: list[GraphQLError] = field(default_factory=list)


class _Planner(Visitor):
    def __init__(self, info: TypeInfo, variables: VariableValues, plan: Plan) -> None:
        super().__init__()
        self.info = info
        self.variables = variables
        self.plan = plan
        self.multipliers: list[int] = [1]

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        definition = self.info.get_field_def()
        field_type = self.info.get_type()
        factor = 1
        if definition is not None and field_type is not None:
            args = get_argument_values(definition, node, self.variables)
            name = get_named_type(field_type).name
            if name.endswith("Connection"):
                factor = self._connection(node, args.get("first"))
            elif node.name.value == "nodes" and isinstance(args.get("ids"), list):
                factor = len(args["ids"])
        self.multipliers.append(self.multipliers[-1] * factor)

    def leave_field(self, *_: Any) -> None:
        self.multipliers.pop()

    def _connection(self, node: FieldNode, first: Any) -> int:
        name = node.name.value
        if first is None:
            self.plan.errors.append(
                GraphQLError(
                    f"You must provide a `first` or `last` value to properly paginate the "
                    f"`{name}` connection.",
                    node,
                    extensions={"type": "MISSING_PAGINATION_BOUNDARIES"},
                )
            )
            return 1
        if not 1 <= first <= MAX_FIRST:
            message = (
                f"Requesting {first} records on the `{name}` connection exceeds the `first` "
                f"limit of {MAX_FIRST} records."
                if first > MAX_FIRST
                else f"Requesting {first} records on the `{name}` connection is not supported: "
                f"`first` must be between 1 and {MAX_FIRST}."
            )
            self.plan.errors.append(
                GraphQLError(message, node, extensions={"type": "EXCESSIVE_PAGINATION"})
            )
            return 1
        self.plan.requests += self.multipliers[-1]
        self.plan.nodes += self.multipliers[-1] * first
        return int(first)


def plan_query(schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]) -> Plan:
    plan = Plan()
    definitions = [
        variable
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
        for variable in operation.variable_definitions or ()
    ]
    coerced = get_variable_values(schema, definitions, variables)
    if isinstance(coerced, list):
        plan.errors.extend(coerced)
        return plan
    info = TypeInfo(schema)
    visit(document, TypeInfoVisitor(info, _Planner(info, coerced, plan)))
    if plan.nodes > MAX_NODES:
        plan.errors.append(
            GraphQLError(
                f"This query requests up to {plan.nodes:,} possible nodes which exceeds the "
                f"maximum limit of {MAX_NODES:,}.",
                extensions={"type": "MAX_NODE_LIMIT_EXCEEDED"},
            )
        )
    return plan
