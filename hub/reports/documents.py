"""The GraphQL documents behind the reports and the /roadmap page, and an in-process runner.

Reports execute the same queries that API clients send, against the same schema, so a
report can never disagree with the API about lanes, rollups or health.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import HubConfig
from hub.contract.errors import HubError
from schema import get_context
from schema.context import NO_CONFIG

ROADMAP_QUERY = files(__package__).joinpath("roadmap.graphql").read_text(encoding="utf-8")
DEPENDENCIES_QUERY = files(__package__).joinpath("dependencies.graphql").read_text(encoding="utf-8")


class ReportError(HubError):
    """The query behind a report was refused, e.g. an unknown root or a bad filter."""


async def run_query(
    sessions: async_sessionmaker[AsyncSession],
    document: str,
    variables: dict[str, Any],
    *,
    config: HubConfig = NO_CONFIG,
    today: date | None = None,
) -> dict[str, Any]:
    """The ``data`` of ``document`` as a JSON-ready dict (dates as ISO strings, enums by name).

    ``config`` names the configured sources, components and initiatives, as the server's does;
    ``today`` pins the day health is judged on, as the API's tests do.
    """
    context = get_context(sessions, config=config)
    if today is not None:
        context = replace(context, today=today)
    result = await _report_schema().execute(
        document, variable_values=variables, context_value=context
    )
    if result.errors:
        raise ReportError("; ".join(error.message for error in result.errors))
    assert result.data is not None
    return result.data


class _QuietSchema(strawberry.Schema):
    """The API's schema without its error log: a report shows its errors to whoever ran it."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        pass


@cache
def _report_schema() -> strawberry.Schema:
    from schema import Mutation, Query

    return _QuietSchema(query=Query, mutation=Mutation)
