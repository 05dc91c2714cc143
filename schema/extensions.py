"""The extensions the served schema runs with: strawberry's limits on tokens, depth and
aliases, the hub's field-count and cost limits, its validation, the read-only guard and error
masking.

Their order is the order of the work: the token limit bounds parsing, the field count (one
linear walk) refuses a document before the validation rules, whose cost grows with the square
of a repeated field's count or exponentially with fragments that fan out, ever see it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)

from hub.contract.config import ApiConfig
from hub.sync.metrics import HubMetrics
from schema.access import ReadOnlyGuard
from schema.cost import QueryComplexityLimiter
from schema.fan_out import FragmentFanOutLimiter
from schema.timing import OperationTiming
from schema.validation import CACHE_SIZE, ServedValidation


def is_unexpected(error: GraphQLError) -> bool:
    """Mask errors from bugs; keep validation errors and ``GraphQLError``s raised on purpose."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def validation_rules(api: ApiConfig) -> list[type[ASTValidationRule]]:
    """Depth and alias limits, and no introspection where it is off.

    Built once per app, not per request: the validation cache is keyed by the rule classes,
    and strawberry's limiters make a new class each time they are constructed.
    """
    rules = [
        *QueryDepthLimiter(max_depth=api.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=api.max_aliases).validation_rules,
    ]
    if not api.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def api_extensions(
    api: ApiConfig, metrics: HubMetrics | None = None
) -> list[Callable[[], SchemaExtension]]:
    """Limits that keep one client from costing the database more than a page of work, and
    the timing of each operation into ``metrics`` where given (first, so it times them all).

    Factories, so each request gets fresh extensions; the parse and validation caches live
    at module level and are shared across requests all the same.
    """
    timing = [partial(OperationTiming, metrics=metrics)] if metrics is not None else []
    return [
        *timing,
        partial(MaxTokensLimiter, max_token_count=api.max_tokens),
        partial(ParserCache, maxsize=CACHE_SIZE),
        partial(AddValidationRules, validation_rules(api)),
        partial(FragmentFanOutLimiter, max_fields=api.max_fields),
        partial(ServedValidation, hide_suggestions=api.production),
        ReadOnlyGuard,
        partial(QueryComplexityLimiter, max_complexity=api.max_complexity),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ]
