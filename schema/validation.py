"""Validation as the served schema runs it: cached like strawberry's ``ValidationCache``, with
"Did you mean …" suggestions left out in production, and a document of several operations
refused when the request names none (the GraphQL spec's GetOperation; strawberry runs the
first)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    validate,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

CACHE_SIZE = 256

COMPARISON_BUDGET = 5_000
"""graphql-core's budget of field comparisons for one document (a module setting, 500,000 by
default): the hub's queries, introspection included, spend none; a document built to spend it
(``node { key }`` 120 times) stops after 13 ms instead of 48 ms at 20,000, and 500 such
fields took 2 s at the default. Over it, validation stops with ``ValidationAbortedError``."""
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = COMPARISON_BUDGET

ABORTED = "Validation aborted."
"""graphql-core's whole message when the budget ran out or the nesting was too deep."""


@lru_cache(maxsize=CACHE_SIZE)
def validate_cached(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    """graphql-core's validation with the rules strawberry adds (keyed like its own cache:
    the parser cache hands back the same document object for the same text)."""
    every_rule = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    errors = validate(schema, document, every_rule, hide_suggestions=hide_suggestions)
    return [
        too_complex() if isinstance(e, ValidationAbortedError) and e.message == ABORTED else e
        for e in errors
    ]


def too_complex() -> GraphQLError:
    return GraphQLError(
        "the document is too complex to validate: it repeats fields, or nests fragments, too "
        "often; select each field once",
        extensions={"code": "QUERY_TOO_COMPLEX"},
    )


def unnamed_choice(document: DocumentNode, operation_name: str | None) -> list[GraphQLError]:
    """The spec's refusal of a document of several operations sent without a name."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None or len(operations) < 2:
        return []
    return [
        GraphQLError(
            "the document holds several operations: send `operationName` to choose one",
            extensions={"code": "OPERATION_NAME_REQUIRED"},
        )
    ]


class ServedValidation(SchemaExtension):
    """Validate the document (in place of strawberry's own step, which then skips)."""

    def __init__(self, *, hide_suggestions: bool) -> None:
        self.hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            rules = tuple(context.validation_rules)
            errors = validate_cached(context.schema._schema, document, rules, self.hide_suggestions)
            # ``operation_name`` falls back to the first operation's name: the request's own
            # (None when it sent none) is only kept privately.
            asked = getattr(context, "_provided_operation_name", None)
            context.pre_execution_errors = errors or unnamed_choice(document, asked)
        yield
