"""Documents with too many fields, written out or through fragments that fan out, are
refused before validation walks them."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
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


@cache
def too_many_fields(max_fields: int) -> type[ValidationRule]:
    """A rule that reports the refusal alone, in place of the expensive rules (one class per
    limit: the validation cache is keyed by the rule classes)."""

    class TooManyFields(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            self.report_error(
                GraphQLError(
                    f"the document selects more than {max_fields} fields once its fragments "
                    "are expanded; ask for fewer fields or spread each fragment fewer times",
                    extensions={"code": "QUERY_TOO_COMPLEX"},
                )
            )

    return TooManyFields


class FragmentFanOutLimiter(SchemaExtension):
    """Refuse a document of more than ``max_fields`` fields before the validation rules walk
    it. Two shapes cost far more to validate than to send: fragments that fan out (``F0``
    spreads ``F1`` twice, which spreads ``F2`` twice, ...; strawberry's depth and alias
    limiters expand every spread: exponential time), and one field repeated thousands of
    times (graphql-core compares every pair of same-named fields: quadratic time, 0.4 s for
    4,000 within the token limit).

    The count is one memoized walk of the parsed document (linear in its tokens).
    """

    def __init__(self, max_fields: int) -> None:
        self.refusal = too_many_fields(max_fields)
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and expanded_fields(document) > self.max_fields:
            self.execution_context.validation_rules = (self.refusal,)
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
