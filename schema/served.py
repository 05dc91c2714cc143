"""The schema as the app serves it: with its limits (``schema.extensions``), and its errors
logged the way an operator wants to read them.

Strawberry logs every error at ERROR with ``str(error)``, which prints the document's text
around the error's location: an invalid document of 240 KB logs 240 KB. Here a client's
mistake (invalid document, refused by a limit, a ``GraphQLError`` raised on purpose) is one
line without the document, and only an unexpected error, a bug, gets ERROR and its traceback.
In production no error suggests names ("Did you mean …"), which would map the schema that
introspection keeps closed.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext

from hub.contract.config import ApiConfig
from hub.sync.metrics import HubMetrics
from schema import Mutation, Query
from schema.extensions import api_extensions, is_unexpected

log = logging.getLogger("hub.graphql")

MAX_LOGGED_MESSAGE = 300


def one_line(message: str) -> str:
    """An error's message on one line, cut short: messages quote names the client sent."""
    flat = " ".join(message.split())
    return flat if len(flat) <= MAX_LOGGED_MESSAGE else flat[: MAX_LOGGED_MESSAGE - 1] + "…"


class ServedSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            path = ".".join(str(step) for step in error.path or ())
            where = f" at {path}" if path else ""
            if is_unexpected(error):
                log.error(
                    "GraphQL error%s: %s",
                    where,
                    one_line(error.message),
                    exc_info=error.original_error,
                )
            else:
                log.info("GraphQL request refused%s: %s", where, one_line(error.message))


class SuggestionlessExecutor(StrawberryGraphQLCoreExecutionContext):
    """Execution without "Did you mean …" in its errors (those about variables' values):
    production lists no names a client did not ask for. Validation hides them in
    ``schema.validation``."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> list[GraphQLError] | Executor[Any]:
        return super().build(*args, **{**kwargs, "hide_suggestions": True})


def served_schema(api: ApiConfig, metrics: HubMetrics | None = None) -> ServedSchema:
    """The schema with the limits of ``api``, timing its operations into ``metrics``."""
    return ServedSchema(
        query=Query,
        mutation=Mutation,
        extensions=api_extensions(api, metrics),
        execution_context_class=SuggestionlessExecutor if api.production else None,
    )
