"""Documents whose fragments fan out are refused before the other rules expand them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

MAX_EXPANDED_FIELDS = 10_000
"""Fields a document may hold once every fragment spread is expanded."""


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
