"""Who may change things: the request's token grant, and the guard that refuses mutations to
read-only tokens. ``hub.server.auth`` verifies the token and sets ``current_grant``."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from hub.storage.tokens import Grant

FORBIDDEN = "FORBIDDEN"

current_grant: ContextVar[Grant | None] = ContextVar("current_grant", default=None)
"""The grant of the request being served; None where the app requires no token."""


class ReadOnlyGuard(SchemaExtension):
    """Refuse a mutation, before it runs, when the request's token has the ``read`` scope."""

    def on_execute(self) -> Iterator[None]:
        grant = current_grant.get()
        context = self.execution_context
        if (
            grant is not None
            and not grant.can_write
            and context.result is None
            and context.operation_type is OperationType.MUTATION
        ):
            error = GraphQLError(
                f"token '{grant.name}' is read-only: mutations need a token created with "
                "`hub token create NAME --scope write`",
                extensions={"code": FORBIDDEN},
            )
            context.result = ExecutionResult(data=None, errors=[error])
        yield
