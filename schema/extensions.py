"""The extensions the served schema runs with: strawberry's limits on tokens, depth and
aliases, the hub's fan-out and cost limits, the read-only guard and error masking."""

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
    ValidationCache,
)

from hub.contract.config import ApiConfig
from schema.access import ReadOnlyGuard
from schema.cost import QueryComplexityLimiter
from schema.fan_out import FragmentFanOutLimiter

CACHE_SIZE = 256


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


def api_extensions(api: ApiConfig) -> list[Callable[[], SchemaExtension]]:
    """Limits that keep one client from costing the database more than a page of work.

    Factories, so each request gets fresh extensions; the parse and validation caches live
    at module level in strawberry and are shared across requests all the same.
    """
    return [
        partial(MaxTokensLimiter, max_token_count=api.max_tokens),
        partial(ParserCache, maxsize=CACHE_SIZE),
        partial(AddValidationRules, validation_rules(api)),
        FragmentFanOutLimiter,
        partial(ValidationCache, maxsize=CACHE_SIZE),
        ReadOnlyGuard,
        partial(QueryComplexityLimiter, max_complexity=api.max_complexity),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ]
