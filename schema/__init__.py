"""The GraphQL schema of the hub: types, root queries, mutations and per-request DataLoaders.

``schema`` is the plain schema, for tests and for printing the SDL; the app builds its own with
``create_schema(extensions=...)`` to add limits and error masking. Resolvers read only the
database, through the loaders in the ``Context`` that ``get_context`` builds per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.tools import merge_types

from schema.components import ComponentQuery
from schema.context import Context, Info, get_context
from schema.graph import DependencyQuery
from schema.manual import ManualMutation
from schema.mutations import Mutation as SyncMutation
from schema.queries import Query as ItemQuery
from schema.roadmap import RoadmapQuery
from schema.webhooks import WebhookQuery

QUERIES: tuple[type, ...] = (
    ItemQuery,
    DependencyQuery,
    ComponentQuery,
    RoadmapQuery,
    WebhookQuery,
)
"""Each view's root fields live in its own module; the schema's Query merges them."""
MUTATIONS: tuple[type, ...] = (SyncMutation, ManualMutation)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)

__all__ = ["Context", "Info", "Mutation", "Query", "create_schema", "get_context", "schema"]


def create_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=list(extensions))


schema = create_schema()
